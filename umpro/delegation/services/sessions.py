"""Around a task: the delegate's sessions booked in the agenda, the GP's acknowledgement
(with a *reprise* when they take the act back) and the follow-up appointment.

Booking goes through the agenda's own service (``umpro.scheduling``), so the agenda's
rules (openings, overlaps enforced by the database) apply unchanged.
"""

from datetime import datetime
from functools import partial

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.delegation import states
from umpro.delegation.models import CareTask, TaskAppointment
from umpro.delegation.services._common import authorize, clean_text, same_practice
from umpro.delegation.services.transitions import record_event
from umpro.errors import Conflict, Invalid
from umpro.scheduling.models import AppointmentType
from umpro.scheduling.services.booking import book_appointment
from umpro.timeutil import to_local

#: Words that name the appointment type to offer first, by purpose.
_PREFERRED = {"session": ("séance", "asalée", "infirmi"), "follow_up": ("consultation",)}


def types_for(session: Session, *, staff, purpose: str) -> list[AppointmentType]:
    """Active appointment types ``staff`` may perform, in the office, the likeliest
    first (``Séance Asalée`` for a session, ``Consultation`` for a GP's follow-up)."""
    types = session.scalars(
        select(AppointmentType)
        .where(
            AppointmentType.practice_id == staff.practice_id,
            AppointmentType.is_active.is_(True),
            AppointmentType.is_home_visit.is_(False),
            AppointmentType.is_teleconsultation.is_(False),
        )
        .order_by(AppointmentType.label)
    ).all()
    allowed = [t for t in types if t.allows(staff.profession)]

    def rank(t: AppointmentType) -> tuple:
        words = _PREFERRED[purpose]
        hit = next((i for i, w in enumerate(words) if w in t.label.lower()), len(words))
        return (t.is_unscheduled, hit, t.label)

    return sorted(allowed, key=rank)


def _check_session(actor, task: CareTask) -> None:
    """The task's owner books the session, while the task is accepted, in progress or on
    hold."""
    authorize(
        actor, "care_task.owner", task, "Seul le professionnel qui a accepté la tâche la planifie."
    )
    if task.status not in states.OWNED_STATUSES:
        raise Conflict(f"Une tâche « {task.status_label} » ne se planifie plus.", field="start")


def _check_follow_up(actor, task: CareTask) -> None:
    """The requesting GP books the follow-up (after an escalation, a rejection or
    results), unless the task was entered in error."""
    authorize(actor, "care_task.requester", task, "Seul le médecin demandeur planifie le suivi.")
    if task.status == states.ENTERED_IN_ERROR:
        raise Conflict("Cette tâche a été saisie par erreur.", field="start")


#: Who may book what, by purpose (see ``TaskAppointment.purpose``).
_CHECKS = {"session": _check_session, "follow_up": _check_follow_up}


def book(
    session: Session,
    *,
    purpose: str,
    acting: Acting,
    task: CareTask,
    type_id: int | None,
    start_at: datetime | None,
) -> TaskAppointment:
    """Book the task's ``session`` in the delegate's own agenda (the task's owner only,
    while the task is accepted, in progress or on hold), or the patient's ``follow_up``
    in the requesting GP's own agenda (refused on a task entered in error). Every rule of
    the agenda applies (a taken time answers 409)."""
    _CHECKS[purpose](acting.actor, task)
    appointment_type = same_practice(
        session.get(AppointmentType, type_id) if isinstance(type_id, int) else None,
        task.practice_id,
        "Type de rendez-vous introuvable.",
        "type_id",
    )
    if start_at is None:
        raise Invalid("Choisissez le jour et l'heure du rendez-vous.", field="start")
    appointment = book_appointment(
        session,
        acting=acting,
        patient=task.patient,
        staff=acting.actor,
        appointment_type=appointment_type,
        start_at=start_at,
    )
    link = TaskAppointment(
        practice_id=task.practice_id, task_id=task.id, appointment=appointment, purpose=purpose
    )
    session.add(link)
    session.flush()
    local = to_local(appointment.start_at, acting.actor.practice.timezone)
    record_event(
        session,
        task,
        acting=acting,
        kind=f"{purpose}_booked",
        note=f"{link.purpose_label} le {local:%d/%m/%Y à %H:%M} ({appointment_type.label})",
        data={"appointment_id": appointment.id},
    )
    return link


#: ``book`` for one purpose.
book_session = partial(book, purpose="session")
book_follow_up = partial(book, purpose="follow_up")


def acknowledge(
    session: Session, *, acting: Acting, task: CareTask, take_back: bool = False, note: str = ""
) -> CareTask:
    """The requesting GP has seen what came back: the task leaves the inbox. With
    ``take_back`` on a completed task, the GP takes the act back (a *reprise*, counted
    in the take-back rate). Claimed once: a second acknowledgement answers 409."""
    authorize(acting.actor, "care_task.requester", task, "Seul le médecin demandeur en prend acte.")
    if take_back and task.status != states.COMPLETED:
        raise Invalid("Seul un acte terminé peut être repris par le médecin.", field="take_back")
    note = clean_text(note, limit=1000)
    values = {
        "inbox_at": None,
        "inbox_reason": None,
        "acknowledged_at": acting.now,
        "acknowledged_by_id": acting.actor.id,
    }
    newly_taken_back = take_back and not task.is_taken_back
    if newly_taken_back:
        values |= {"is_taken_back": True, "taken_back_at": acting.now}
    result = session.execute(
        update(CareTask)
        .where(CareTask.id == task.id, CareTask.inbox_at.is_not(None))
        .values(**values, version=CareTask.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("Ce retour a déjà été pris en compte.")
    session.refresh(task)
    if newly_taken_back:
        record_event(session, task, acting=acting, kind="take_back", note=note)
    record_event(session, task, acting=acting, kind="acknowledge", note=note)
    record_access_to(session, acting, "care_task.acknowledge", task)
    return task
