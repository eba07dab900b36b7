"""A patient's refusal of reminders, per channel (e-mail, SMS).

Kept in its own table (the patient record belongs to the patients domain): a refusal in
force is a row not withdrawn; withdrawing keeps the row, so the history says who recorded
what and when. The reminder job reads it when creating a reminder and again at send time.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.permissions import can
from umpro.errors import Conflict, Forbidden, Invalid, NotFound
from umpro.patients.models import Patient
from umpro.reminders.models import CHANNELS, Reminder, ReminderOptOut
from umpro.scheduling.models import Appointment


def open_patient_reminders(session: Session, *, acting: Acting, patient_id: int):
    """The patient whose reminders ``acting.actor`` opens, with one access-log row. Another
    practice's patient is NotFound; without ``reminders.view`` Forbidden."""
    patient = session.get(Patient, patient_id)
    if patient is None or patient.practice_id != acting.actor.practice_id:
        raise NotFound("Patient introuvable.")
    if not can(acting.actor, "reminders.view", patient):
        raise Forbidden("Vous n'avez pas accès aux rappels de ce patient.")
    record_access_to(session, acting, "reminders.view", patient)
    return patient


def current_opt_outs(session: Session, *, patient_id: int) -> dict[str, ReminderOptOut]:
    rows = session.scalars(
        select(ReminderOptOut).where(
            ReminderOptOut.patient_id == patient_id, ReminderOptOut.withdrawn_at.is_(None)
        )
    )
    return {row.channel: row for row in rows}


def opt_out_history(session: Session, *, patient_id: int) -> list[ReminderOptOut]:
    return list(
        session.scalars(
            select(ReminderOptOut)
            .where(ReminderOptOut.patient_id == patient_id)
            .order_by(ReminderOptOut.at.desc(), ReminderOptOut.id.desc())
        )
    )


def patient_reminders(session: Session, *, patient_id: int, limit: int = 20) -> list[Reminder]:
    """The patient's latest reminders (any channel), newest appointment first."""
    return list(
        session.scalars(
            select(Reminder)
            .join(Appointment, Appointment.id == Reminder.appointment_id)
            .where(Appointment.patient_id == patient_id)
            .order_by(Reminder.start_at.desc(), Reminder.id.desc())
            .limit(limit)
        )
    )


def set_opt_outs(
    session: Session, *, acting: Acting, patient, channels: set[str], note: str = ""
) -> bool:
    """Record the channels on which the patient refuses reminders; withdraw the refusals
    of the other channels. Whoever may edit the patient's contacts may
    (``reminders.opt_out``). Refuses an unknown channel, a note over 200 characters, and
    a concurrent change (Conflict). Returns True when something changed (then logged)."""
    if not can(acting.actor, "reminders.opt_out", patient):
        raise Forbidden("Vous ne pouvez pas modifier les rappels de ce patient.")
    if set(channels) - CHANNELS.keys():
        raise Invalid("Canal de rappel inconnu : courriel ou SMS.", field="channels")
    note = " ".join((note or "").split())
    if len(note) > 200:
        raise Invalid("La note tient en 200 caractères au plus.", field="note")
    current = current_opt_outs(session, patient_id=patient.id)
    added = set(channels) - current.keys()
    withdrawn = current.keys() - set(channels)
    for channel in sorted(added):
        session.add(
            ReminderOptOut(
                practice_id=patient.practice_id,
                patient_id=patient.id,
                channel=channel,
                at=acting.now,
                recorded_by_id=acting.actor.id,
                note=note,
            )
        )
    for channel in withdrawn:
        current[channel].withdrawn_at = acting.now
        current[channel].withdrawn_by_id = acting.actor.id
    if not (added or withdrawn):
        return False
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(
            "Les rappels de ce patient viennent d'être modifiés par quelqu'un d'autre : "
            "rechargez la page.",
            field="channels",
        ) from error
    record_access_to(session, acting, "reminders.opt_out", patient)
    return True
