"""The access log: every read or write of a patient's data goes through ``record_access``.

One row per access, listing every patient shown (``patient_ids``, indexed for "who saw
patient X" by ``access_log_patient``). Rows are chained: ``hash = sha256(prev_hash |
fields)``. Appends are serialised (an advisory lock on PostgreSQL; the SQLite write lock
otherwise), so the chain never forks. Rows carry ids, never names.

Inside a web request the rows are buffered (``start_buffer``) and written at the commit
point in one short write transaction (``umpro.errors_wiring.commit_or_roll_back``): a
read-only page then takes no write lock while it renders.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from umpro.auth.models import AccessLog, AccessLogPatient
from umpro.db import utcnow

GENESIS = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 4_242_001
#: ``session.info`` key of the rows a request records, written at its commit point.
BUFFER = "umpro_access_log_buffer"
_COLUMNS = [c.key for c in AccessLog.__table__.columns if c.key != "id"]


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
    if row.patient_ids:
        # Rows written before migration 0008 have none: their hash stays as it was.
        fields.append(row.patient_ids)
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
) -> None:
    """Record one access: one row, whatever the number of patients shown.

    ``actor`` is a Staff or None (anonymous, e.g. a feed token: then pass ``practice_id``
    so the practice's admin sees the row). ``target`` names the object touched by type
    and id (``file_entry:12``), never by a person's name. Inside a request the row waits
    for the commit point (and is dropped with the request's work if that rolls back);
    elsewhere it is written at once.
    """
    ids = {patient_id} if patient_id is not None else set(patient_ids)
    entry = {
        "practice_id": actor.practice_id if actor is not None else practice_id,
        "at": now or utcnow(),
        "staff_id": actor.id if actor is not None else None,
        "role": actor.profession if actor is not None else "",
        "patient_ids": sorted(ids),
        "action": action,
        "target": target,
        "ip": ip,
        "outcome": outcome,
    }
    buffer = session.info.get(BUFFER)
    if buffer is not None:
        buffer.append(entry)
    else:
        append(session, [entry])


def start_buffer(session: Session) -> None:
    session.info[BUFFER] = []


def take_buffer(session: Session) -> list[dict]:
    """The rows recorded since ``start_buffer``; recording writes at once again after."""
    return session.info.pop(BUFFER, None) or []


def append(session: Session, entries: list[dict]) -> int:
    """Chain and write ``entries`` (``record_access``'s dicts): one INSERT of the rows and
    one of their patients, whatever their number. Returns the number of rows."""
    if not entries:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
    prev = session.scalar(select(AccessLog.hash).order_by(AccessLog.id.desc()).limit(1))
    prev = prev or GENESIS
    values = []
    for entry in entries:
        ids = entry["patient_ids"]
        row = AccessLog(
            **{k: v for k, v in entry.items() if k != "patient_ids"},
            patient_id=ids[0] if len(ids) == 1 else None,
            patient_ids=",".join(map(str, ids)),
            prev_hash=prev,
        )
        row.ip, row.outcome, row.target = row.ip or "", row.outcome or "ok", row.target or ""
        row.hash = prev = _digest(row)
        values.append({c: getattr(row, c) for c in _COLUMNS})
    new_ids = session.scalars(
        insert(AccessLog).returning(AccessLog.id, sort_by_parameter_order=True), values
    ).all()
    listed = [
        {"access_log_id": log_id, "patient_id": patient_id}
        for log_id, entry in zip(new_ids, entries, strict=True)
        for patient_id in entry["patient_ids"]
    ]
    if listed:
        session.execute(insert(AccessLogPatient), listed)
    return len(values)


def seen_by_query(patient_id: int):
    """``AccessLog.id IN (…)``: the rows that showed ``patient_id`` (an index lookup)."""
    return AccessLog.id.in_(
        select(AccessLogPatient.access_log_id).where(AccessLogPatient.patient_id == patient_id)
    )


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
