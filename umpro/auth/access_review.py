"""Reading the access log: the admin's journal, its CSV export, and a patient's "who saw
this file" (issue 15). Request-free: the views parse and pass ``acting``.

Every read here is bounded in time on both sides and runs a fixed number of statements:
the journal pages by keyset on ``(at, id)``, newest first (no OFFSET, no COUNT), so the
thousandth page costs what the first does. Reading the log is itself logged, listing the
patients whose accesses were shown.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, lazyload

from umpro import csv_export
from umpro.acting import Acting
from umpro.auth.access_labels import ACTION_LABELS, action_label
from umpro.auth.audit import record_access_to, record_patients_shown, seen_by_query
from umpro.auth.models import AccessLog, AccessLogPatient
from umpro.auth.permissions import can, ensure
from umpro.errors import Forbidden, Invalid, NotFound
from umpro.patients.models import Patient
from umpro.team.models import Staff
from umpro.team.professions import LABELS as PROFESSIONS
from umpro.timeutil import local_days_bounds, local_today, to_local

FILTER_NAMES = ("debut", "fin", "staff", "action", "patient")
PAGE_SIZE = 100
#: The journal opens on the last week.
DEFAULT_DAYS = 7
#: The longest period one journal query or export reads.
MAX_DAYS = 366
#: Patients named on one journal row; the others are counted.
PATIENTS_PER_ROW = 5
#: The patient page's panel: the last accesses within a year.
PANEL_SIZE = 10
HISTORY_DAYS = 365


@dataclass(frozen=True)
class Filters:
    """What the journal shows: a period of local days (both included), and optionally
    one staff member, one action code, one patient."""

    start_on: date
    end_on: date
    staff_id: int | None = None
    action: str = ""
    patient_id: int | None = None

    def query_args(self) -> dict:
        """The filters as the journal's query string (links to pages and the export)."""
        args = {"debut": self.start_on.isoformat(), "fin": self.end_on.isoformat()}
        if self.staff_id:
            args["staff"] = self.staff_id
        if self.action:
            args["action"] = self.action
        if self.patient_id:
            args["patient"] = self.patient_id
        return args


def default_period(*, tz: str, now: datetime, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    today = local_today(tz, now)
    return today - timedelta(days=days - 1), today


@dataclass(frozen=True)
class Entry:
    """One access-log row as people read it."""

    id: int
    at: datetime
    staff: Staff | None
    role: str
    action: str
    label: str
    target: str
    ip: str
    outcome: str
    #: (id, name or None when the reader may not see names), at most PATIENTS_PER_ROW.
    patients: list[tuple[int, str | None]] = field(default_factory=list)
    more_patients: int = 0

    @property
    def who(self) -> str:
        if self.staff is not None:
            return self.staff.display_name
        return "Accès anonyme (abonnement)" if self.action.startswith("calendars.") else "Système"

    @property
    def profession(self) -> str:
        return PROFESSIONS.get(self.role, self.role) if self.role else ""

    @property
    def outcome_label(self) -> str:
        return {"ok": "autorisé", "denied": "refusé"}.get(self.outcome, self.outcome)


@dataclass
class JournalPage:
    filters: Filters
    entries: list[Entry]
    #: The ``avant`` cursor of the next (older) page; None on the last page.
    next_before: int | None
    staff: list[Staff]
    names_shown: bool
    #: The patient of a patient filter, when the reader may see the patient's name.
    patient: Patient | None = None


def filter_problems(filters: Filters, *, max_days: int = MAX_DAYS) -> list[Invalid]:
    """What is wrong with ``filters``: a period that ends before it starts or is longer
    than ``max_days``, an unknown action."""
    problems = []
    if filters.end_on < filters.start_on:
        problems.append(Invalid("La fin de la période précède son début.", field="fin"))
    elif (filters.end_on - filters.start_on).days + 1 > max_days:
        problems.append(Invalid(f"Période trop longue : {max_days} jours au plus.", field="debut"))
    if filters.action and filters.action not in ACTION_LABELS:
        problems.append(Invalid("Action inconnue : choisissez-la dans la liste.", field="action"))
    return problems


def check_filters(filters: Filters, *, max_days: int = MAX_DAYS) -> None:
    """Refuse the first problem of ``filters`` (``filter_problems``)."""
    problems = filter_problems(filters, max_days=max_days)
    if problems:
        raise problems[0]


def _authorize(session: Session, *, actor, filters: Filters) -> Patient | None:
    """The journal is the admin's; a patient's history is also open to whoever may see it
    (``patient.access_history``). Answers the filtered patient, if any."""
    patient = None
    if filters.patient_id is not None:
        patient = session.get(Patient, filters.patient_id)
        if patient is None or patient.practice_id != actor.practice_id:
            if not can(actor, "audit.view"):
                raise NotFound("Patient introuvable.")
            patient = None
    if can(actor, "audit.view"):
        return patient
    if filters.patient_id is None:
        raise Forbidden("Vous n'avez pas accès à cette page.")
    ensure(
        actor,
        "patient.access_history",
        patient,
        "Seuls le médecin traitant du patient et les administrateurs voient qui a consulté "
        "ce dossier.",
    )
    return patient


def _with_staff(query):
    """``query`` (of AccessLog, Staff) with each row's staff member, when it has one."""
    return (
        query.outerjoin(Staff, Staff.id == AccessLog.staff_id)
        # Staff's practice is joined by default with an INNER JOIN: that would drop the
        # rows without staff (feeds, jobs).
        .options(lazyload(Staff.practice))
    )


def _base_query(*, actor, filters: Filters, tz: str):
    start, end = local_days_bounds(filters.start_on, filters.end_on, tz)
    query = _with_staff(select(AccessLog, Staff)).where(
        AccessLog.practice_id == actor.practice_id,
        AccessLog.at >= start,
        AccessLog.at < end,
    )
    if filters.staff_id is not None:
        query = query.where(AccessLog.staff_id == filters.staff_id)
    if filters.action:
        query = query.where(AccessLog.action == filters.action)
    if filters.patient_id is not None:
        query = query.where(seen_by_query(filters.patient_id, start, end))
    return query.order_by(AccessLog.at.desc(), AccessLog.id.desc())


def _ids(row: AccessLog) -> list[int]:
    return [int(i) for i in row.patient_ids.split(",") if i] if row.patient_ids else []


def _shown_ids(row: AccessLog, *, only: int | None, first: int | None) -> list[int]:
    """The patients of ``row`` the reader is shown: ``only`` that one (a clinician reading
    their patient's history sees no other patient), else all, ``first`` first."""
    ids = _ids(row)
    if only is not None:
        return [only] if only in ids else []
    if first is not None and first in ids:
        ids.remove(first)
        ids.insert(0, first)
    return ids


def _names(session: Session, *, actor, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Patient.id, Patient.family_name, Patient.given_names).where(
            Patient.practice_id == actor.practice_id, Patient.id.in_(sorted(ids))
        )
    )
    return {pid: f"{family.upper()} {given}" for pid, family, given in rows}


def read_journal(
    session: Session,
    *,
    acting: Acting,
    filters: Filters,
    tz: str,
    before: int | None = None,
    limit: int = PAGE_SIZE,
) -> JournalPage:
    """One page of the journal, newest first, older than the row ``before`` when given.

    Admins (``audit.view``) read the whole practice's log; whoever may see a patient's
    access history (``patient.access_history``) reads it with that patient's filter, and
    sees no other patient on its rows. Names of patients only for
    ``access_log.patient_names``, numbers otherwise. Logs one row listing the patients
    shown. Refuses a period over ``MAX_DAYS`` days or reversed.
    """
    check_filters(filters)
    patient = _authorize(session, actor=acting.actor, filters=filters)
    is_admin_view = can(acting.actor, "audit.view")
    query = _base_query(actor=acting.actor, filters=filters, tz=tz)
    if before is not None:
        cursor_at = session.scalar(
            select(AccessLog.at).where(
                AccessLog.id == before, AccessLog.practice_id == acting.actor.practice_id
            )
        )
        if cursor_at is not None:
            query = query.where(
                or_(
                    AccessLog.at < cursor_at,
                    and_(AccessLog.at == cursor_at, AccessLog.id < before),
                )
            )
    found = session.execute(query.limit(limit + 1)).all()
    has_more = len(found) > limit
    found = found[:limit]
    only = None if is_admin_view else filters.patient_id
    shown = {row.id: _shown_ids(row, only=only, first=filters.patient_id) for row, _staff in found}
    names_shown = can(acting.actor, "access_log.patient_names")
    listed = {pid for ids in shown.values() for pid in ids[:PATIENTS_PER_ROW]}
    names = _names(session, actor=acting.actor, ids=listed) if names_shown else {}
    entries = [
        _entry(row, staff, shown[row.id], names if names_shown else None) for row, staff in found
    ]
    team = session.scalars(
        select(Staff)
        .where(Staff.practice_id == acting.actor.practice_id)
        .order_by(Staff.family_name, Staff.given_name)
    ).all()
    record_patients_shown(
        session,
        acting,
        "access_log.read",
        _with_patient(listed, patient),
        f"access_log:patient:{patient.id}" if patient is not None else "access_log",
    )
    can_name = names_shown or (
        patient is not None and can(acting.actor, "patient.view_admin", patient)
    )
    return JournalPage(
        filters=filters,
        entries=entries,
        next_before=found[-1][0].id if has_more else None,
        staff=list(team),
        names_shown=names_shown,
        patient=patient if can_name else None,
    )


def _with_patient(ids: set[int], patient: Patient | None) -> set[int]:
    """The patients a page of the journal shows, with the one it is filtered on."""
    return ids | {patient.id} if patient is not None else ids


def _entry(row: AccessLog, staff, ids: list[int], names: dict[int, str] | None) -> Entry:
    listed = ids[:PATIENTS_PER_ROW]
    return Entry(
        id=row.id,
        at=row.at,
        staff=staff,
        role=row.role,
        action=row.action,
        label=action_label(row.action),
        target=row.target,
        ip=row.ip,
        outcome=row.outcome,
        patients=[(pid, names.get(pid) if names is not None else None) for pid in listed],
        more_patients=len(ids) - len(listed),
    )


#: The longest period one CSV export covers.
EXPORT_MAX_DAYS = 92
EXPORT_HEADER = [
    "N°",
    "Date et heure",
    "Membre de l'équipe",
    "Profession",
    "Action",
    "Code de l'action",
    "N° des patients",
    "Objet",
    "Adresse IP",
    "Résultat",
]


def export_journal(session: Session, *, acting: Acting, filters: Filters, tz: str) -> str:
    """The filtered rows as a French CSV (through ``umpro.csv_export``), newest first;
    patients by number only (the file leaves the software). Who may: as
    ``read_journal``. Refuses a period over ``EXPORT_MAX_DAYS`` days. Logs one row."""
    check_filters(filters, max_days=EXPORT_MAX_DAYS)
    patient = _authorize(session, actor=acting.actor, filters=filters)
    only = None if can(acting.actor, "audit.view") else filters.patient_id
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(EXPORT_HEADER)
    exported: set[int] = set()
    for row, staff in session.execute(_base_query(actor=acting.actor, filters=filters, tz=tz)):
        ids = _shown_ids(row, only=only, first=None)
        exported.update(ids)
        entry = _entry(row, staff, [], None)
        writer.writerow(
            [
                entry.id,
                to_local(entry.at, tz).strftime("%d/%m/%Y %H:%M:%S"),
                entry.who,
                entry.profession,
                entry.label,
                entry.action,
                " ".join(map(str, ids)),
                entry.target,
                entry.ip,
                entry.outcome_label,
            ]
        )
    record_patients_shown(
        session,
        acting,
        "access_log.export",
        _with_patient(exported, patient),
        f"access_log:{filters.start_on.isoformat()}:{filters.end_on.isoformat()}",
    )
    return out.getvalue()


@dataclass
class History:
    """The patient page's "who saw this file" panel."""

    entries: list[Entry]
    filters: Filters


def patient_history(
    session: Session, *, acting: Acting, patient: Patient, tz: str
) -> History | None:
    """The last ``PANEL_SIZE`` accesses to ``patient``'s data within ``HISTORY_DAYS``
    days (who, profession, when, what), or None when ``acting.actor`` may not see them
    (``patient.access_history``). Showing them is logged (one row)."""
    if not can(acting.actor, "patient.access_history", patient):
        return None
    start_on, end_on = default_period(tz=tz, now=acting.now, days=HISTORY_DAYS)
    filters = Filters(start_on=start_on, end_on=end_on, patient_id=patient.id)
    start, end = local_days_bounds(start_on, end_on, tz)
    # From the patient's index rows, newest first: PANEL_SIZE of them are read, not all
    # the accesses of the year (a followed patient is on the team's agenda all day).
    found = session.execute(
        _with_staff(
            select(AccessLog, Staff)
            .select_from(AccessLogPatient)
            .join(AccessLog, AccessLog.id == AccessLogPatient.access_log_id)
        )
        .where(
            AccessLogPatient.patient_id == patient.id,
            AccessLogPatient.at >= start,
            AccessLogPatient.at < end,
            AccessLog.practice_id == acting.actor.practice_id,
        )
        .order_by(AccessLogPatient.at.desc(), AccessLogPatient.access_log_id.desc())
        .limit(PANEL_SIZE)
    )
    entries = [_entry(row, staff, [patient.id], None) for row, staff in found]
    record_access_to(session, acting, "patient.access_history", patient)
    return History(entries=entries, filters=filters)
