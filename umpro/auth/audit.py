"""The access log: every read or write of a patient's data goes through ``record_access``.

Rows are chained: ``hash = HMAC-SHA256(key, prev_hash | fields)`` with a key kept
outside the database (``UMPRO_AUDIT_KEY`` or ``instance/audit_key``), so whoever can
write to the database cannot rewrite a row and re-sign the chain after it. Signed
checkpoints (``umpro.auth.checkpoints``: row count and head hash, in a file outside the
database) make the removal of the last rows visible too. Appends are serialised (an
advisory lock on PostgreSQL; SQLite transactions already hold the write lock), so the
chain never forks. Rows carry ids, never names.
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from umpro.auth.models import AccessLog
from umpro.db import utcnow

GENESIS = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 4_242_001


def _fields(row: AccessLog) -> bytes:
    fields = [
        row.prev_hash,
        str(row.practice_id or ""),
        row.at.isoformat(),
        str(row.staff_id or ""),
        row.role,
        str(row.patient_id or ""),
        row.action,
        row.target,
        row.ip,
        row.outcome,
    ]
    return "|".join(fields).encode()


def audit_key() -> bytes:
    return current_app.config["UMPRO_AUDIT_KEY"].encode()


def _digest(row: AccessLog) -> str:
    return hmac.new(audit_key(), _fields(row), hashlib.sha256).hexdigest()


def _legacy_digest(row: AccessLog) -> str:
    """The unkeyed SHA-256 of rows written before the chain was keyed (issue 14)."""
    return hashlib.sha256(_fields(row)).hexdigest()


def record_access(
    session: Session,
    *,
    actor,
    action: str,
    patient_id: int | None = None,
    patient_ids: Iterable[int] = (),
    target: str = "",
    outcome: str = "ok",
    ip: str = "",
    now: datetime | None = None,
    practice_id: int | None = None,
) -> list[AccessLog]:
    """Append one row per patient concerned (or one row when none is); returns them
    (transient objects: the rows are written with one executemany, without their ids).

    ``actor`` is a Staff or None (anonymous, e.g. a feed token: then pass ``practice_id``
    so the practice's admin sees the row). ``target`` names the object touched by type
    and id (``file_entry:12``), never by a person's name.
    """
    now = now or utcnow()
    ids = [patient_id] if patient_id is not None else list(patient_ids) or [None]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
    prev = session.scalar(select(AccessLog.hash).order_by(AccessLog.id.desc()).limit(1))
    prev = prev or GENESIS
    rows = []
    for pid in ids:
        row = AccessLog(
            practice_id=actor.practice_id if actor is not None else practice_id,
            at=now,
            staff_id=actor.id if actor is not None else None,
            role=actor.profession if actor is not None else "",
            patient_id=pid,
            action=action,
            target=target,
            ip=ip,
            outcome=outcome,
            prev_hash=prev,
        )
        row.hash = _digest(row)
        prev = row.hash
        rows.append(row)
    # One executemany, whatever the number of patients listed (a search, a feed).
    columns = [c.key for c in AccessLog.__table__.columns if c.key != "id"]
    session.execute(insert(AccessLog), [{c: getattr(r, c) for c in columns} for r in rows])
    return rows


@dataclass
class ChainReport:
    ok: bool
    rows: int
    bad_id: int | None = None
    reason: str = ""
    #: Rows written before the chain was keyed (unkeyed SHA-256), all at its start.
    legacy_rows: int = 0
    head_id: int | None = None
    head: str = GENESIS


def verify_chain(session: Session, *, checkpoints=(), max_legacy: int | None = 0) -> ChainReport:
    """Walk the whole chain; report the first row whose hash or link does not hold, or
    the first signed checkpoint (count, head) the table no longer matches.

    Unkeyed rows (written before the key existed) are accepted only as the chain's first
    rows, and at most ``max_legacy`` of them (None: as many as found, the first check
    after an upgrade): otherwise a chain rewritten with plain SHA-256 would pass.
    """
    expected = {c.rows: c for c in checkpoints}
    prev = GENESIS
    count = legacy = 0
    keyed_seen = False
    head_id = None
    query = select(AccessLog).order_by(AccessLog.id).execution_options(yield_per=2000)
    with session.execute(query) as rows:  # a server-side cursor on PostgreSQL: closed here
        for (row,) in rows:
            count += 1
            if row.prev_hash != prev:
                return ChainReport(
                    False,
                    count,
                    row.id,
                    "lien rompu : une ligne précédente manque ou a été modifiée",
                )
            if hmac.compare_digest(_digest(row), row.hash):
                keyed_seen = True
            elif (
                not keyed_seen
                and (max_legacy is None or legacy < max_legacy)
                and _legacy_digest(row) == row.hash
            ):
                legacy += 1
            else:
                return ChainReport(False, count, row.id, "contenu modifié")
            checkpoint = expected.get(count)
            if checkpoint is not None and (checkpoint.head_id, checkpoint.head) != (
                row.id,
                row.hash,
            ):
                return ChainReport(
                    False,
                    count,
                    row.id,
                    f"point de contrôle du {checkpoint.at} : la ligne n° {checkpoint.head_id} "
                    "attendue à cette place a été remplacée",
                )
            prev, head_id = row.hash, row.id
    missing = [c for c in checkpoints if c.rows > count]
    if missing:
        last = max(missing, key=lambda c: c.rows)
        return ChainReport(
            False,
            count,
            last.head_id,
            f"journal tronqué : le point de contrôle du {last.at} comptait {last.rows} "
            f"lignes, il en reste {count}",
            legacy,
        )
    return ChainReport(True, count, legacy_rows=legacy, head_id=head_id, head=prev)
