"""The access log: every read or write of a patient's data goes through ``record_access``.

One row per access, listing every patient shown (``patient_ids``, indexed for "who saw
patient X" by ``access_log_patient``). Rows are chained: ``hash = HMAC-SHA256(key,
prev_hash | fields)`` with a key kept outside the database (``UMPRO_AUDIT_KEY`` or
``instance/audit_key``), so whoever can write to the database cannot rewrite a row and
re-sign the chain after it. Signed checkpoints (``umpro.auth.checkpoints``: row count and
head hash, in a file outside the database) make the removal of the last rows visible too.
Appends are serialised (an advisory lock on PostgreSQL; the SQLite write lock otherwise),
so the chain never forks. Rows carry ids, never names.

Inside a web request the rows are buffered (``start_buffer``) and written at the commit
point in one short write transaction (``umpro.errors_wiring.commit_or_roll_back``): a
read-only page then takes no write lock while it renders.
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.models import AccessLog, AccessLogPatient

GENESIS = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 4_242_001
#: ``session.info`` key of the rows a request records, written at its commit point.
BUFFER = "umpro_access_log_buffer"
_COLUMNS = [c.key for c in AccessLog.__table__.columns if c.key != "id"]


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
    if row.patient_ids:
        # Rows written before migration 0008 have none: their hash stays as it was.
        fields.append(row.patient_ids)
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
    acting: Acting,
    action: str,
    patient_id: int | None = None,
    patient_ids: Iterable[int] = (),
    target: str = "",
    outcome: str = "ok",
    practice_id: int | None = None,
) -> None:
    """Record one access: one row, whatever the number of patients shown.

    ``acting.actor`` is a Staff or None (anonymous, e.g. a feed token: then pass ``practice_id``
    so the practice's admin sees the row). ``target`` names the object touched by type
    and id (``file_entry:12``), never by a person's name. Inside a request the row waits
    for the commit point (and is dropped with the request's work if that rolls back);
    elsewhere it is written at once.
    """
    ids = {patient_id} if patient_id is not None else set(patient_ids)
    actor = acting.actor
    entry = {
        "practice_id": actor.practice_id if actor is not None else practice_id,
        "at": acting.now,
        "staff_id": actor.id if actor is not None else None,
        "role": actor.profession if actor is not None else "",
        "patient_ids": sorted(ids),
        "action": action,
        "target": target,
        "ip": acting.ip,
        "outcome": outcome,
    }
    buffer = session.info.get(BUFFER)
    if buffer is not None:
        buffer.append(entry)
    else:
        append(session, [entry])


def record_access_to(
    session: Session,
    acting: Acting,
    action: str,
    row,
    *,
    practice_id: int | None = None,
    via: str = "",
) -> None:
    """``record_access`` for one row of a patient's data: a patient, or a row that holds
    its ``patient_id`` (a file entry, a letter, a care task…). The target names the row
    by its table and id (``file_entry:12``), after the page ``via`` that showed it when
    given (``booking:patient:12``)."""
    table = row.__tablename__
    target = f"{table}:{row.id}"
    record_access(
        session,
        acting=acting,
        action=action,
        patient_id=row.id if table == "patient" else row.patient_id,
        target=f"{via}:{target}" if via else target,
        practice_id=practice_id,
    )


def record_patients_shown(
    session: Session,
    acting: Acting,
    action: str,
    patient_ids: Iterable[int],
    target: str,
    *,
    practice_id: int | None = None,
) -> None:
    """``record_access`` for a list or a page that shows several patients (a search, a
    queue, the journal): one row naming them all, written even when it shows nobody.
    ``target`` names the list (``registration_queue:gp:3``)."""
    record_access(
        session,
        acting=acting,
        action=action,
        patient_ids=patient_ids,
        target=target,
        practice_id=practice_id,
    )


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
    # Core inserts of the tables: the ORM's bulk path costs more than the SQL here, and
    # this runs at every page (a third of a page answered from the page cache).
    log = AccessLog.__table__
    new_ids = session.scalars(
        insert(log).returning(log.c.id, sort_by_parameter_order=True), values
    ).all()
    listed = [
        {"access_log_id": log_id, "patient_id": patient_id, "at": row["at"]}
        for log_id, row, entry in zip(new_ids, values, entries, strict=True)
        for patient_id in entry["patient_ids"]
    ]
    if listed:
        session.execute(insert(AccessLogPatient.__table__), listed)
    return len(values)


def seen_by_query(patient_id: int, start: datetime | None = None, end: datetime | None = None):
    """``AccessLog.id IN (…)``: the rows that showed ``patient_id`` (an index range of
    ``(patient_id, at)``, within [start, end) when given)."""
    listed = select(AccessLogPatient.access_log_id).where(AccessLogPatient.patient_id == patient_id)
    if start is not None:
        listed = listed.where(AccessLogPatient.at >= start)
    if end is not None:
        listed = listed.where(AccessLogPatient.at < end)
    return AccessLog.id.in_(listed)


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
