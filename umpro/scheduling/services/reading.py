"""Reading the agenda: one appointment, a period's appointments, an appointment's history.

The access log is written here, where the patients are read, so that a page cannot
forget it: ``open_appointment`` reads one appointment and logs it; ``read_agenda`` reads
a period's appointments for a page (the day, week and print views, the API's list) and
writes one row naming the patients of those the page draws and the user may see; a page
that shows an appointment it loaded earlier (its detail page, the move page) logs it with
``log_appointment_shown``. ``list_appointments`` reads without logging: for other
services only, never for a view (``tests/test_agenda_reads_logged.py``)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.auth.audit import record_access, record_access_to
from umpro.auth.permissions import can, ensure
from umpro.errors import NotFound
from umpro.scheduling.models import (
    CANCELLED,
    ENTERED_IN_ERROR,
    Appointment,
    AppointmentEvent,
    overlapping,
)
from umpro.team.models import Staff

#: Refusal of an appointment whose patient the user may not see ("appointment.patient").
SEE_APPOINTMENT = "Vous ne pouvez pas consulter ce rendez-vous."
#: An appointment is read with its staff member, patient, type and room (one query).
_WITH_RELATED = (
    joinedload(Appointment.staff),
    joinedload(Appointment.patient),
    joinedload(Appointment.type),
    joinedload(Appointment.room),
)


def get_appointment(session: Session, *, actor: Staff, appointment_id: int) -> Appointment:
    """The appointment, or 404 (also for another practice's); no access-log row: a page
    that shows it logs it (``log_appointment_shown``), or use ``open_appointment``."""
    appointment = session.get(Appointment, appointment_id, options=_WITH_RELATED)
    if appointment is None or appointment.practice_id != actor.practice_id:
        raise NotFound("Rendez-vous introuvable.")
    return appointment


def open_appointment(session: Session, *, acting: Acting, appointment_id: int) -> Appointment:
    """The appointment, shown with its patient: 404 for another practice's, 403 for who may
    not see its patient (``appointment.patient``); one access-log row."""
    appointment = get_appointment(session, actor=acting.actor, appointment_id=appointment_id)
    ensure(acting.actor, "appointment.patient", appointment, SEE_APPOINTMENT)
    record_access_to(session, acting, "appointment.read", appointment)
    return appointment


def _log_shown_patients(
    session: Session, *, acting: Acting, appointments: list[Appointment], action: str, target: str
) -> set[int]:
    """Write the access log for the patients of ``appointments`` the actor may see (one
    row, none when there is none); answer the ids of those appointments."""
    shown = [a for a in appointments if can(acting.actor, "appointment.patient", a)]
    if shown:
        record_access(
            session,
            acting=acting,
            action=action,
            patient_ids=sorted({a.patient_id for a in shown}),
            target=target,
        )
    return {a.id for a in shown}


def log_appointment_shown(
    session: Session, *, acting: Acting, appointment: Appointment, action: str
) -> None:
    """The access-log row of a page that shows ``appointment`` (loaded with
    ``get_appointment``, its patient checked): target ``appointment:<id>``, none when the
    actor may not see its patient."""
    _log_shown_patients(
        session,
        acting=acting,
        appointments=[appointment],
        action=action,
        target=f"appointment:{appointment.id}",
    )


@dataclass(frozen=True)
class AgendaPage:
    """What a page of the agenda draws: its appointments (by start), the staff ids of its
    columns when the page chose them (``read_agenda(columns=...)``), and ``visible``, the
    ids of the appointments whose patient the user may see."""

    appointments: list[Appointment]
    columns: set[int] | None
    visible: set[int]


def read_agenda(
    session: Session,
    *,
    acting: Acting,
    start_at: datetime,
    end_at: datetime,
    staff_ids: list[int] | None = None,
    include_cancelled: bool = False,
    columns: Callable[[list[Appointment]], Iterable[int]] | None = None,
    action: str,
    target: str,
) -> AgendaPage:
    """The appointments of the actor's practice a page draws over a period
    (``list_appointments``), and one access-log row (``action``, ``target``) naming the
    patients of those the actor may see, none when there is none.

    ``columns`` chooses, from the appointments read, the staff whose columns the page
    draws (the day view: the people chosen, else those with openings or appointments that
    day): only their appointments are drawn and logged. Without it, all are."""
    read = list_appointments(
        session,
        practice_id=acting.actor.practice_id,
        start_at=start_at,
        end_at=end_at,
        staff_ids=staff_ids,
        include_cancelled=include_cancelled,
    )
    chosen = None if columns is None else set(columns(read))
    drawn = read if chosen is None else [a for a in read if a.staff_id in chosen]
    visible = _log_shown_patients(
        session, acting=acting, appointments=drawn, action=action, target=target
    )
    return AgendaPage(appointments=drawn, columns=chosen, visible=visible)


def list_appointments(
    session: Session,
    *,
    practice_id: int,
    start_at: datetime,
    end_at: datetime,
    staff_ids: list[int] | None = None,
    include_cancelled: bool = False,
) -> list[Appointment]:
    """Appointments overlapping a period, with staff, patient, type and room (one query).
    Cancelled and entered-in-error ones only when asked. No access-log row: a page reads
    with ``read_agenda``."""
    query = (
        select(Appointment)
        .options(*_WITH_RELATED)
        .where(
            Appointment.practice_id == practice_id,
            *overlapping(start_at, end_at),
        )
        .order_by(Appointment.start_at, Appointment.id)
    )
    if staff_ids is not None:
        query = query.where(Appointment.staff_id.in_(staff_ids))
    if not include_cancelled:
        query = query.where(Appointment.status.not_in((CANCELLED, ENTERED_IN_ERROR)))
    return list(session.scalars(query).unique())


def history(session: Session, *, appointment: Appointment) -> list[AppointmentEvent]:
    return list(
        session.scalars(
            select(AppointmentEvent)
            .options(joinedload(AppointmentEvent.actor))
            .where(AppointmentEvent.appointment_id == appointment.id)
            .order_by(AppointmentEvent.at, AppointmentEvent.id)
        )
    )
