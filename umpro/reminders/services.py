"""Reminder rows: created once per (appointment, channel, start), claimed with a lease,
settled once. Services flush, never commit; ``umpro.reminders.jobs`` orders the transactions.

Called by the reminder job only (no user acts here; the access log names no actor but
carries the practice). Each state change is a conditional UPDATE, so two schedulers, a
retry or a restart never send the same reminder twice.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.auth.audit import record_access
from umpro.notify import Delivery
from umpro.notify.sms import mobile_number
from umpro.reminders.models import (
    CANCELLED,
    EMAIL,
    EXPIRED,
    LOGGED,
    PENDING,
    SENT,
    SKIPPED,
    SMS,
    Reminder,
    ReminderOptOut,
)
from umpro.scheduling.models import BOOKED, STATUSES, Appointment

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ReminderSettings:
    #: Remind appointments starting within this delay ("the day before": 24 h).
    lead: timedelta
    #: ...but not those starting sooner than this (booked at the last minute).
    min_notice: timedelta
    #: How long a claim holds; a crashed sender's claim expires after it.
    lease: timedelta
    #: Failures after which the admin page reports a reminder.
    report_after: int
    #: Reminders handled per channel and run at most.
    batch: int = 500

    @classmethod
    def from_config(cls, config) -> "ReminderSettings":
        return cls(
            lead=timedelta(hours=int(config.get("UMPRO_REMINDER_LEAD_HOURS", 24))),
            min_notice=timedelta(minutes=int(config.get("UMPRO_REMINDER_MIN_NOTICE_MINUTES", 60))),
            lease=timedelta(seconds=int(config.get("UMPRO_REMINDER_LEASE_SECONDS", 300))),
            report_after=max(1, int(config.get("UMPRO_REMINDER_REPORT_AFTER", 3))),
        )


@dataclass(frozen=True)
class SystemActor:
    """The access log's actor for work no user did: the practice, no staff member."""

    practice_id: int
    id: None = None
    profession: str = ""


def _active_opt_out(patient_id, channel: str):
    return exists().where(
        ReminderOptOut.patient_id == patient_id,
        ReminderOptOut.channel == channel,
        ReminderOptOut.withdrawn_at.is_(None),
    )


def enqueue_reminders(
    session: Session, *, practice_id: int, channel: str, now: datetime, settings: ReminderSettings
) -> int:
    """Create the missing rows for booked appointments starting in (now + min_notice,
    now + lead], except walk-ins and patients who opted out. Two callers at once create
    each row once (INSERT … ON CONFLICT DO NOTHING on the unique key). Returns rows made."""
    existing = exists().where(
        Reminder.appointment_id == Appointment.id,
        Reminder.channel == channel,
        Reminder.start_at == Appointment.start_at,
    )
    rows = session.execute(
        select(Appointment.id, Appointment.start_at).where(
            Appointment.practice_id == practice_id,
            Appointment.status == BOOKED,
            Appointment.source != "walk-in",
            Appointment.start_at > now + settings.min_notice,
            Appointment.start_at <= now + settings.lead,
            ~existing,
            ~_active_opt_out(Appointment.patient_id, channel),
        )
    ).all()
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Reminder)
        .values(
            [
                {
                    "practice_id": practice_id,
                    "appointment_id": appointment_id,
                    "channel": channel,
                    "start_at": start_at,
                    "status": PENDING,
                    "attempts": 0,
                    "failures": 0,
                    "claimed_by": "",
                    "last_error": "",
                    "reason": "",
                    "message_id": "",
                    "created_at": now,
                }
                for appointment_id, start_at in rows
            ]
        )
        .on_conflict_do_nothing(index_elements=["appointment_id", "channel", "start_at"])
        .returning(Reminder.id)
    )
    return len(session.execute(statement).all())


def _unclaimed(now: datetime):
    return or_(Reminder.claimed_until.is_(None), Reminder.claimed_until < now)


def expire_overdue(session: Session, *, practice_id: int, now: datetime) -> int:
    """Reminders still pending when their appointment starts will never be useful."""
    return session.execute(
        update(Reminder)
        .where(
            Reminder.practice_id == practice_id,
            Reminder.status == PENDING,
            Reminder.start_at <= now,
            _unclaimed(now),
        )
        .values(status=EXPIRED, reason="Le rendez-vous a commencé avant l'envoi du rappel.")
        .execution_options(synchronize_session=False)
    ).rowcount


def due_reminder_ids(
    session: Session, *, practice_id: int, channel: str, now: datetime, limit: int
) -> list[int]:
    """Pending, unclaimed (or with an expired claim) reminders, soonest appointment first."""
    return list(
        session.scalars(
            select(Reminder.id)
            .where(
                Reminder.practice_id == practice_id,
                Reminder.channel == channel,
                Reminder.status == PENDING,
                Reminder.start_at > now,
                _unclaimed(now),
            )
            .order_by(Reminder.start_at, Reminder.id)
            .limit(limit)
        )
    )


def claim_reminder(
    session: Session, *, reminder_id: int, worker: str, now: datetime, lease: timedelta
) -> Reminder | None:
    """Take the reminder for ``lease`` if it is still pending and unclaimed (or its claim
    expired). One conditional UPDATE: of two claimers, one gets the row, the other None."""
    claimed = session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status == PENDING, _unclaimed(now))
        .values(claimed_by=worker, claimed_until=now + lease, attempts=Reminder.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    return session.scalar(
        select(Reminder)
        .where(Reminder.id == reminder_id)
        .options(
            joinedload(Reminder.appointment).joinedload(Appointment.patient),
            joinedload(Reminder.appointment).joinedload(Appointment.staff),
            joinedload(Reminder.appointment).joinedload(Appointment.type),
        )
        .execution_options(populate_existing=True)
    )


@dataclass(frozen=True)
class Verdict:
    """Why a claimed reminder is not sent: its final status and a French reason."""

    status: str
    reason: str


def check_reminder(session: Session, *, reminder: Reminder, now: datetime) -> Verdict | str:
    """At send time: the appointment is still booked at the same start, in the future,
    the patient did not opt out and has a contact. Returns the address (or mobile number)
    to send to, or a Verdict saying why not."""
    appointment = reminder.appointment
    if appointment.status != BOOKED:
        label = STATUSES.get(appointment.status, appointment.status).lower()
        return Verdict(CANCELLED, f"Rendez-vous {label} : pas de rappel.")
    if appointment.start_at != reminder.start_at:
        return Verdict(CANCELLED, "Rendez-vous déplacé : le rappel part pour le nouvel horaire.")
    if reminder.start_at <= now:
        return Verdict(EXPIRED, "Le rendez-vous a commencé avant l'envoi du rappel.")
    patient = appointment.patient
    if session.scalar(select(_active_opt_out(patient.id, reminder.channel))):
        what = "par courriel" if reminder.channel == EMAIL else "par SMS"
        return Verdict(SKIPPED, f"Le patient refuse les rappels {what}.")
    if reminder.channel == EMAIL:
        address = (patient.email or "").strip()
        if not _EMAIL.match(address):
            return Verdict(SKIPPED, "Pas d'adresse électronique pour ce patient.")
        return address
    number = mobile_number(patient.phone)
    if number is None:
        return Verdict(SKIPPED, "Pas de numéro de téléphone mobile pour ce patient.")
    return number


def _mine(reminder_id: int, worker: str):
    return and_(
        Reminder.id == reminder_id, Reminder.status == PENDING, Reminder.claimed_by == worker
    )


def settle(
    session: Session,
    *,
    reminder: Reminder,
    worker: str,
    status: str,
    now: datetime,
    reason: str = "",
    delivery: Delivery | None = None,
) -> bool:
    """Final status of a reminder this worker holds: sent or logged (with the delivery),
    skipped, cancelled or expired (with the reason). Logs the patient's data read."""
    values = {"status": status, "reason": reason, "claimed_until": None, "last_attempt_at": now}
    if delivery is not None:
        values |= {"sent_at": now, "message_id": delivery.reference[:255], "last_error": ""}
    done = session.execute(
        update(Reminder)
        .where(_mine(reminder.id, worker))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done and status in (SENT, LOGGED, SKIPPED):  # the patient's data was read
        record_access(
            session,
            acting=Acting(SystemActor(reminder.practice_id), now),
            action=f"reminder.{reminder.channel}.{status}",
            patient_id=reminder.appointment.patient_id,
            target=f"reminder:{reminder.id}",
        )
    return bool(done)


def record_failure(
    session: Session, *, reminder_id: int, worker: str, error: str, now: datetime
) -> bool:
    """The server refused the message or could not be reached: count it, keep the French
    error, release the claim so that the next run retries."""
    return bool(
        session.execute(
            update(Reminder)
            .where(_mine(reminder_id, worker))
            .values(
                failures=Reminder.failures + 1,
                last_error=error,
                last_attempt_at=now,
                claimed_by="",
                claimed_until=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def record_server_failure(
    session: Session, *, practice_id: int, channel: str, error: str, now: datetime, tried: int
) -> int:
    """The server (or the settings) failed for every message: besides the ``tried`` one,
    each due reminder nobody holds gets the failure too, so all are retried and reported
    alike."""
    return session.execute(
        update(Reminder)
        .where(
            Reminder.id != tried,
            Reminder.practice_id == practice_id,
            Reminder.channel == channel,
            Reminder.status == PENDING,
            Reminder.start_at > now,
            _unclaimed(now),
        )
        .values(failures=Reminder.failures + 1, last_error=error, last_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def failing_reminders(
    session: Session, *, practice_id: int, now: datetime, report_after: int, limit: int = 50
) -> list[Reminder]:
    """For the admin page: pending reminders that failed ``report_after`` times or more,
    and those never sent before their appointment in the last 7 days."""
    return list(
        session.scalars(
            select(Reminder)
            .where(
                Reminder.practice_id == practice_id,
                or_(
                    and_(Reminder.status == PENDING, Reminder.failures >= report_after),
                    and_(
                        Reminder.status == EXPIRED,
                        Reminder.start_at > now - timedelta(days=7),
                    ),
                ),
            )
            .options(joinedload(Reminder.appointment))
            .order_by(Reminder.start_at.desc())
            .limit(limit)
        )
    )


def reminder_counts(session: Session, *, practice_id: int, since: datetime) -> dict[str, int]:
    """Reminders by status, for appointments since ``since`` (admin page)."""
    rows = session.execute(
        select(Reminder.status, func.count())
        .where(Reminder.practice_id == practice_id, Reminder.start_at >= since)
        .group_by(Reminder.status)
    )
    return dict(rows.all())


CHANNEL_ORDER = (EMAIL, SMS)
