"""Reading the agenda: one appointment, a period's appointments, an appointment's history.

Callers write the access log (they know what they show)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

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
    """The appointment, or 404 (also for another practice's). Callers log the read."""
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
