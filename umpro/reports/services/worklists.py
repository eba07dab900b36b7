"""Worklists: the patients to act on to grow the patient list (issue 13).

Each list is bounded (``LIMIT``), ordered, and access-logged (one row per patient
shown: they list patients). Administrative lists show identity and declarations only.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload

from umpro.acting import Acting
from umpro.auth.audit import record_access
from umpro.auth.permissions import can
from umpro.errors import Forbidden
from umpro.patients.models import Patient, RegistrationRequest, TreatingDeclaration
from umpro.reports.services import figures as fig
from umpro.scheduling.models import FULFILLED, Appointment
from umpro.team.models import Staff
from umpro.timeutil import local_today

LIMIT = 200
MIN_VISITS = 3
RECENT_DAYS = 90


@dataclass
class Row:
    patient: Patient
    #: A short French line of what matters on this row (no clinical detail).
    detail: str
    #: The action the row leads to: "declare", "book" or "decide".
    action: str
    request_id: int | None = None


@dataclass
class Worklist:
    key: str
    title: str
    help: str
    rows: list[Row] = field(default_factory=list)

    @property
    def is_truncated(self) -> bool:
        return len(self.rows) >= LIMIT


def _current_gp():
    return aliased(TreatingDeclaration)


def seen_not_declared(session: Session, *, gp: Staff, today: date) -> Worklist:
    """Patients seen at least 3 times in 12 months by ``gp`` (fulfilled appointments)
    whose médecin traitant today is nobody or another GP."""
    start, end = fig.file_active_window(gp.practice, today)
    visits = (
        select(Appointment.patient_id, func.count().label("n"))
        .where(
            Appointment.staff_id == gp.id,
            Appointment.status == FULFILLED,
            Appointment.start_at >= start,
            Appointment.start_at < end,
        )
        .group_by(Appointment.patient_id)
        .having(func.count() >= MIN_VISITS)
        .subquery()
    )
    current = _current_gp()
    # Columns of Staff, not the entity: its eager join to the practice would be an inner
    # join and drop the patients declared with nobody.
    rows = session.execute(
        select(Patient, visits.c.n, Staff.given_name, Staff.family_name)
        .join(visits, visits.c.patient_id == Patient.id)
        .outerjoin(current, and_(current.patient_id == Patient.id, current.end_on.is_(None)))
        .outerjoin(Staff, Staff.id == current.gp_id)
        .where(or_(current.id.is_(None), current.gp_id != gp.id))
        .order_by(visits.c.n.desc(), Patient.sort_key, Patient.id)
        .limit(LIMIT)
    ).all()
    return Worklist(
        "seen_not_declared",
        "Vus souvent, non déclarés",
        f"Patients vus au moins {MIN_VISITS} fois en 12 mois dont vous n'êtes pas le "
        "médecin traitant : proposez la déclaration.",
        [
            Row(
                patient,
                f"{n} consultations en 12 mois · "
                + (
                    f"médecin traitant : Dr {given} {family}" if family else "sans médecin traitant"
                ),
                "declare",
            )
            for patient, n, given, family in rows
        ],
    )


def ald_without_gp(session: Session, *, practice) -> Worklist:
    """ALD patients of the practice without a médecin traitant (a national priority)."""
    open_declaration = exists().where(
        TreatingDeclaration.patient_id == Patient.id, TreatingDeclaration.end_on.is_(None)
    )
    patients = session.scalars(
        select(Patient)
        .where(
            Patient.practice_id == practice.id,
            Patient.has_chronic_condition.is_(True),
            ~open_declaration,
        )
        .order_by(Patient.sort_key, Patient.id)
        .limit(LIMIT)
    ).all()
    return Worklist(
        "ald_without_gp",
        "Patients en ALD sans médecin traitant",
        "Priorité nationale : proposez-leur un médecin traitant de l'équipe.",
        [Row(p, f"né(e) le {p.birth_date:%d/%m/%Y}", "declare") for p in patients],
    )


def pending_requests(session: Session, *, practice, gp: Staff | None) -> Worklist:
    """Pending registration requests, ALD patients without a GP first, then oldest."""
    query = (
        select(RegistrationRequest)
        .join(Patient, Patient.id == RegistrationRequest.patient_id)
        .options(contains_eager(RegistrationRequest.patient))
        .where(
            RegistrationRequest.practice_id == practice.id,
            RegistrationRequest.status == "pending",
        )
        .order_by(
            RegistrationRequest.has_chronic_condition.desc(),
            RegistrationRequest.received_on,
            RegistrationRequest.id,
        )
        .limit(LIMIT)
    )
    if gp is not None:
        query = query.where(RegistrationRequest.gp_id == gp.id)
    requests = session.scalars(query).all()
    return Worklist(
        "pending_requests",
        "Demandes de médecin traitant en attente",
        "Par priorité : patients en ALD sans médecin traitant d'abord.",
        [
            Row(
                r.patient,
                f"reçue le {r.received_on:%d/%m/%Y} · {r.channel_label} · Dr {r.gp.family_name}"
                + (" · ALD" if r.has_chronic_condition else ""),
                "decide",
                r.id,
            )
            for r in requests
        ],
    )


def ended_recently(session: Session, *, gp: Staff, today: date) -> Worklist:
    """``gp``'s declarations that ended in the last 90 days, the latest first."""
    declarations = session.scalars(
        select(TreatingDeclaration)
        .options(joinedload(TreatingDeclaration.patient))
        .where(
            TreatingDeclaration.gp_id == gp.id,
            TreatingDeclaration.end_on > today - timedelta(days=RECENT_DAYS),
            TreatingDeclaration.end_on <= today,
        )
        .order_by(TreatingDeclaration.end_on.desc(), TreatingDeclaration.id)
        .limit(LIMIT)
    ).all()
    return Worklist(
        "ended_recently",
        f"Déclarations terminées depuis {RECENT_DAYS} jours",
        "Vérifiez le motif ; un patient parti par erreur peut être déclaré à nouveau.",
        [
            Row(d.patient, f"fin le {d.end_on:%d/%m/%Y} · {d.end_reason_label}", "book")
            for d in declarations
        ],
    )


def worklists(session: Session, *, acting: Acting, gp: Staff | None) -> list[Worklist]:
    """The worklists ``acting.actor`` may see: ``gp``'s own lists (``reports.patient_list``)
    and the administrative ones (``reports.worklists_admin``). Refuses a GP of another
    practice or a viewer who may see none. Logs one access row per patient listed."""
    if gp is not None and gp.practice_id != acting.actor.practice_id:
        raise Forbidden("Ce médecin n'appartient pas à votre maison de santé.")
    today = local_today(acting.actor.practice.timezone, acting.now)
    lists = []
    if gp is not None and can(acting.actor, "reports.patient_list", gp):
        lists += [
            seen_not_declared(session, gp=gp, today=today),
            ended_recently(session, gp=gp, today=today),
        ]
    if can(acting.actor, "reports.worklists_admin"):
        lists += [
            pending_requests(session, practice=acting.actor.practice, gp=gp),
            ald_without_gp(session, practice=acting.actor.practice),
        ]
    if not lists:
        raise Forbidden("Vous n'avez pas accès à ces listes de travail.")
    patient_ids = sorted({row.patient.id for wl in lists for row in wl.rows})
    if patient_ids:
        record_access(
            session,
            acting=acting,
            action="reports.worklists",
            patient_ids=patient_ids,
            target=f"worklists:gp:{gp.id}" if gp else "worklists",
        )
    return lists
