"""Signed checkpoints of the access log, kept outside the database (issue 14, fix 6).

A checkpoint is one JSON line: the chain's row count, its last row's id and hash, when,
and an HMAC of these with the audit key. Deleting the last rows of ``access_log`` keeps
the chain valid, but no longer matches the last checkpoint: ``flask umpro audit verify``
reports the truncation. Checkpoints are written by the ``audit_checkpoint`` job and by
``audit verify`` after a good check; the file is append-only by use (a line per new head).
"""

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from umpro.auth import audit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkpoint:
    rows: int
    head_id: int | None
    head: str
    at: str
    #: Unkeyed rows at the chain's start (written before the key existed).
    legacy: int = 0

    def payload(self) -> bytes:
        return f"{self.rows}|{self.head_id or ''}|{self.head}|{self.at}|{self.legacy}".encode()


class CheckpointFileError(Exception):
    """The checkpoint file was altered: a line is unreadable or its signature is wrong."""


def _sign(key: bytes, checkpoint: Checkpoint) -> str:
    return hmac.new(key, checkpoint.payload(), hashlib.sha256).hexdigest()


def read(path: str | os.PathLike, key: bytes) -> list[Checkpoint]:
    """Every checkpoint of the file (none when it does not exist yet); raises
    ``CheckpointFileError`` on a line whose signature does not hold."""
    path = Path(path)
    if not path.exists():
        return []
    checkpoints = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            checkpoint = Checkpoint(
                data["rows"], data["head_id"], data["head"], data["at"], data["legacy"]
            )
            signature = data["sig"]
        except (ValueError, KeyError, TypeError) as error:
            raise CheckpointFileError(f"ligne {number} illisible") from error
        if not hmac.compare_digest(_sign(key, checkpoint), str(signature)):
            raise CheckpointFileError(f"ligne {number} : signature invalide")
        checkpoints.append(checkpoint)
    return checkpoints


def append(path: str | os.PathLike, key: bytes, checkpoint: Checkpoint) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "rows": checkpoint.rows,
            "head_id": checkpoint.head_id,
            "head": checkpoint.head,
            "at": checkpoint.at,
            "legacy": checkpoint.legacy,
            "sig": _sign(key, checkpoint),
        }
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


def verify(session: Session, *, path: str | None, key: bytes, now: datetime):
    """Check the chain against the signed checkpoints of ``path``; after a good check,
    write a new checkpoint when the head moved. Returns the ``ChainReport``."""
    try:
        known = read(path, key) if path else []
    except CheckpointFileError as error:
        return audit.ChainReport(False, 0, None, f"fichier des points de contrôle altéré : {error}")
    # Rows from before the key: trusted once, at the first check (no checkpoint yet), and
    # never more of them afterwards. Without a checkpoint file, none.
    if not path:
        max_legacy = 0
    elif known:
        max_legacy = min(c.legacy for c in known)
    else:
        max_legacy = None
    report = audit.verify_chain(session, checkpoints=known, max_legacy=max_legacy)
    if report.ok and path:
        last = max(known, key=lambda c: c.rows, default=None)
        if last is None or (last.rows, last.head) != (report.rows, report.head):
            checkpoint = Checkpoint(
                report.rows, report.head_id, report.head, now.isoformat(), report.legacy_rows
            )
            append(path, key, checkpoint)
    return report


def run_checkpoint_job(ctx):
    """The ``audit_checkpoint`` job: verify the chain and sign a checkpoint of its head.

    The chain is the deployment's, not a practice's: the run for one practice is enough,
    a second finds the head unchanged and writes nothing."""
    from umpro.jobs.registry import JobResult

    path = ctx.config.get("UMPRO_AUDIT_CHECKPOINTS")
    if not path:
        return JobResult(skipped=1, summary="Aucun fichier de points de contrôle configuré.")
    key = ctx.config["UMPRO_AUDIT_KEY"].encode()
    report = verify(ctx.session, path=path, key=key, now=ctx.now)
    if not report.ok:
        log.error("access log chain broken at row %s: %s", report.bad_id, report.reason)
        return JobResult(
            failed=1,
            error=f"Journal des accès ALTÉRÉ (ligne n° {report.bad_id}) : {report.reason}.",
        )
    return JobResult(done=1, summary=f"Journal des accès intact : {report.rows} lignes.")
