"""Reading the agenda: one appointment, a period's appointments, an appointment's history.

The access log is written here too: ``open_appointment`` reads one appointment and logs
it; a page that shows a period's appointments passes those it shows to
``log_shown_patients`` (one row per page, listing the patients the user may see)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

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


def get_appointment(session: Session, *, actor: Staff, appointment_id: int) -> Appointment:
    """The appointment, or 404 (also for another practice's); no access-log row: a page
    that shows it logs it (``log_shown_patients``), or use ``open_appointment``."""
    appointment = session.get(
        Appointment,
        appointment_id,
        options=[
            joinedload(Appointment.staff),
            joinedload(Appointment.patient),
            joinedload(Appointment.type),
            joinedload(Appointment.room),
        ],
    )
    if appointment is None or appointment.practice_id != actor.practice_id:
        raise NotFound("Rendez-vous introuvable.")
    return appointment


def open_appointment(
    session: Session,
    *,
    actor: Staff,
    appointment_id: int,
    ip: str = "",
    now: datetime | None = None,
) -> Appointment:
    """The appointment, shown with its patient: 404 for another practice's, 403 for who may
    not see its patient (``appointment.patient``); one access-log row."""
    appointment = get_appointment(session, actor=actor, appointment_id=appointment_id)
    ensure(actor, "appointment.patient", appointment, SEE_APPOINTMENT)
    record_access_to(session, actor, "appointment.read", appointment, ip=ip, now=now)
    return appointment


def log_shown_patients(
    session: Session,
    *,
    actor: Staff,
    appointments: list[Appointment],
    action: str,
    target: str,
    ip: str = "",
    now: datetime | None = None,
) -> set[int]:
    """Write the access log for the patients of ``appointments`` the actor may see (one
    row, none when there is none); answer the ids of those appointments."""
    shown = [a for a in appointments if can(actor, "appointment.patient", a)]
    if shown:
        record_access(
            session,
            actor=actor,
            action=action,
            patient_ids=sorted({a.patient_id for a in shown}),
            target=target,
            ip=ip,
            now=now,
        )
    return {a.id for a in shown}


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
    Cancelled and entered-in-error ones only when asked."""
    query = (
        select(Appointment)
        .options(
            joinedload(Appointment.staff),
            joinedload(Appointment.patient),
            joinedload(Appointment.type),
            joinedload(Appointment.room),
        )
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
