"""The access log: every read or write of a patient's data goes through ``record_access``.

Rows are chained: ``hash = sha256(prev_hash | fields)``. Appends are serialised (an
advisory lock on PostgreSQL; SQLite transactions already hold the write lock), so the
chain never forks. Rows carry ids, never names.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from umpro.auth.models import AccessLog
from umpro.db import utcnow

GENESIS = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 4_242_001


def _digest(row: AccessLog) -> str:
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
    return hashlib.sha256("|".join(fields).encode()).hexdigest()


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


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole chain; report the first row whose hash or link does not hold."""
    prev = GENESIS
    count = 0
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
            if _digest(row) != row.hash:
                return ChainReport(False, count, row.id, "contenu modifié")
            prev = row.hash
    return ChainReport(True, count)
