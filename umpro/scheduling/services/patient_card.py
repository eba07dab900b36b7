"""A patient's appointments as the patient card shows them, and what booking from the card
pre-selects (issue 15: the card as the hub of the working day).

Every query is bounded in time on both sides and answered by the index on
``(patient_id, start_at)``: the card's cost does not grow with years of history.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.auth.permissions import can
from umpro.patients.models import Patient
from umpro.patients.services.identity import open_patient
from umpro.scheduling.models import (
    CANCELLED,
    ENTERED_IN_ERROR,
    NOSHOW,
    Appointment,
    AppointmentType,
)
from umpro.team.models import Staff

#: How far back the card looks (past appointments, no-shows, cancellations) and how far
#: ahead it lists upcoming ones: 24 months each way, said on the page.
WINDOW_MONTHS = 24
WINDOW = timedelta(days=730)
#: Appointments listed on each side (the next ones, the last ones).
SHOWN = 10


@dataclass(frozen=True)
class PatientAppointments:
    upcoming: list[Appointment]
    past: list[Appointment]
    noshows: int
    cancellations: int
    since: datetime
    until: datetime


@dataclass(frozen=True)
class BookingStart:
    """What the booking page pre-selects for a patient."""

    patient: Patient
    staff: Staff | None
    appointment_type: AppointmentType | None


def _listed(patient: Patient):
    return (
        select(Appointment)
        .options(joinedload(Appointment.staff), joinedload(Appointment.type))
        .where(
            Appointment.practice_id == patient.practice_id,
            Appointment.patient_id == patient.id,
            Appointment.status != ENTERED_IN_ERROR,
        )
    )


def patient_appointments(
    session: Session, *, acting: Acting, patient: Patient, shown: int = SHOWN
) -> PatientAppointments:
    """The next ``shown`` live appointments (up to 24 months ahead), the last ``shown``
    ones (24 months back, any status but entered-in-error), and the no-shows and
    cancellations counted over those 24 months back and the upcoming ones. Three
    statements whatever the history. The caller has opened the patient (and logged it);
    appointments the actor may not see the patient of (``appointment.patient``: a student
    sees their own) are left out of lists and counts."""
    since, until = acting.now - WINDOW, acting.now + WINDOW
    upcoming = session.scalars(
        _listed(patient)
        .where(
            Appointment.start_at >= acting.now,
            Appointment.start_at < until,
            Appointment.status != CANCELLED,
        )
        .order_by(Appointment.start_at)
        .limit(shown)
    ).all()
    past = session.scalars(
        _listed(patient)
        .where(Appointment.start_at >= since, Appointment.start_at < acting.now)
        .order_by(Appointment.start_at.desc())
        .limit(shown)
    ).all()
    counted = session.execute(
        select(Appointment.staff_id, Appointment.status, func.count())
        .where(
            Appointment.practice_id == patient.practice_id,
            Appointment.patient_id == patient.id,
            Appointment.start_at >= since,
            Appointment.start_at < until,
            Appointment.status.in_((NOSHOW, CANCELLED)),
        )
        .group_by(Appointment.staff_id, Appointment.status)
    ).all()
    # The rule reads the appointment's staff member only: a row per (staff, status).
    visible = [
        (status, n)
        for staff_id, status, n in counted
        if can(acting.actor, "appointment.patient", SimpleNamespace(staff_id=staff_id))
    ]
    return PatientAppointments(
        upcoming=[a for a in upcoming if can(acting.actor, "appointment.patient", a)],
        past=[a for a in past if can(acting.actor, "appointment.patient", a)],
        noshows=sum(n for status, n in visible if status == NOSHOW),
        cancellations=sum(n for status, n in visible if status == CANCELLED),
        since=since,
        until=until,
    )


def usual_type(session: Session, *, patient: Patient, now: datetime) -> AppointmentType | None:
    """The type of the patient's most recent appointment in the last 24 months (not
    cancelled, not entered in error), or None."""
    return session.scalar(
        select(AppointmentType)
        .join(Appointment, Appointment.type_id == AppointmentType.id)
        .where(
            Appointment.practice_id == patient.practice_id,
            Appointment.patient_id == patient.id,
            Appointment.start_at >= now - WINDOW,
            Appointment.start_at < now,
            Appointment.status.not_in((CANCELLED, ENTERED_IN_ERROR)),
        )
        .order_by(Appointment.start_at.desc())
        .limit(1)
    )


def _performs(appointment_type: AppointmentType | None, staff: Staff | None) -> bool:
    return (
        appointment_type is not None
        and appointment_type.is_active
        and (staff is None or appointment_type.allows(staff.profession))
    )


def booking_start(session: Session, *, acting: Acting, patient_id: int) -> BookingStart:
    """Booking from the patient's card: the patient, their médecin traitant (when active
    and the actor may book in their agenda) and the usual type: the type of the patient's
    most recent appointment when that professional performs it, else the professional's
    default type. Refuses a patient the actor may not see (404/403, as the card). Showing
    the patient's name on the booking page is one access-log row."""
    patient = open_patient(session, acting=acting, patient_id=patient_id, via="booking")
    gp = patient.treating_gp
    staff = gp if gp is not None and gp.is_active and can(acting.actor, "agenda.book", gp) else None
    chosen = usual_type(session, patient=patient, now=acting.now)
    if not _performs(chosen, staff):
        chosen = default_type(session, staff=staff) if staff is not None else None
    return BookingStart(patient=patient, staff=staff, appointment_type=chosen)


def default_type(session: Session, *, staff: Staff) -> AppointmentType | None:
    """The professional's default type, when set, still active and theirs to perform."""
    if staff.default_type_id is None:
        return None
    chosen = session.get(AppointmentType, staff.default_type_id)
    return chosen if _performs(chosen, staff) else None
