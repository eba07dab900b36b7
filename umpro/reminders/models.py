"""Appointment reminders (one row per appointment, channel and start) and patients'
refusals of reminders, per channel."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from umpro.db import Base, PracticeOwned, Timestamped, UTCDateTime, label_of, one_of, unique_where
from umpro.scheduling.models import Appointment

#: Reminder.channel
EMAIL, SMS = "email", "sms"
CHANNELS = {EMAIL: "Courriel", SMS: "SMS"}

#: Reminder.status. ``logged`` is what a development backend does: written to the log,
#: NOT sent; no backend pretends to have sent what it did not.
PENDING, SENT, LOGGED = "pending", "sent", "logged"
SKIPPED, CANCELLED, EXPIRED = "skipped", "cancelled", "expired"
REMINDER_STATUSES = {
    PENDING: "À envoyer",
    SENT: "Envoyé",
    LOGGED: "Écrit dans le journal (non envoyé)",
    SKIPPED: "Ignoré",
    CANCELLED: "Sans objet",
    EXPIRED: "Non envoyé avant le rendez-vous",
}


class Reminder(PracticeOwned, Timestamped, Base):
    """One reminder of one appointment on one channel, for one start time.

    Unique per (appointment, channel, start_at): a moved appointment gets a fresh row, a
    retry or a second scheduler never a second one. A row is *claimed* by a conditional
    UPDATE setting a lease (``claimed_until``); a crashed sender's lease expires and the
    row is taken back. It is marked sent only once the server accepted the message.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("appointment_id", "channel", "start_at"),
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(one_of("status", REMINDER_STATUSES), name="status"),
        Index("ix_reminder_practice_status_start", "practice_id", "status", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"))
    channel: Mapped[str] = mapped_column(String(8))
    #: The appointment's start when the reminder was due: the time the message announces.
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    #: Claims taken (a crash after a claim counts one without a failure).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Sends the server refused or that could not reach it.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: Why it was skipped or dropped (French, no names): no e-mail, opt-out, cancelled…
    reason: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str] = mapped_column(String(255), default="")

    appointment: Mapped[Appointment] = relationship()

    status_label = label_of(REMINDER_STATUSES, "status")
    channel_label = label_of(CHANNELS, "channel")


class ReminderOptOut(PracticeOwned, Base):
    """A patient refuses reminders on one channel. Withdrawing keeps the row (history):
    the refusal in force is the one not withdrawn, at most one per patient and channel."""

    __tablename__ = "reminder_opt_out"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        unique_where(
            "uq_reminder_opt_out_active", "patient_id", "channel", where="withdrawn_at IS NULL"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    channel_label = label_of(CHANNELS, "channel")
