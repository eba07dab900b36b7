"""Job runs, the scheduler processes' heartbeats, reminders and reminder opt-outs."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from umpro.db import Base, PracticeOwned, Timestamped, UTCDateTime, utcnow
from umpro.scheduling.models import Appointment

#: JobRun.status
REQUESTED, RUNNING, OK, ERROR = "requested", "running", "ok", "error"
RUN_STATUSES = {
    REQUESTED: "Demandée",
    RUNNING: "En cours",
    OK: "Réussie",
    ERROR: "En échec",
}
#: JobRun.trigger
TRIGGERS = {"schedule": "Planifiée", "manual": "Lancée depuis la page", "cli": "Ligne de commande"}

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


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class JobRun(PracticeOwned, Base):
    """One run of one job for one practice: requested from the page, or started by the
    scheduler or the command line. A run still ``running`` whose scheduler stopped
    beating was interrupted (killed) and is shown so."""

    __tablename__ = "job_run"
    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="status"),
        Index("ix_job_run_practice_job", "practice_id", "job", "id"),
        Index("ix_job_run_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(16), default="schedule")
    status: Mapped[str] = mapped_column(String(16), default=RUNNING)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who ran it: a scheduler instance id, or ``cli:<host>:<pid>``.
    worker: Mapped[str] = mapped_column(String(120), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(String(300), default="")
    #: A French sentence for the admin page; never a patient's name.
    error: Mapped[str] = mapped_column(Text, default="")

    @property
    def status_label(self) -> str:
        return RUN_STATUSES.get(self.status, self.status)

    @property
    def trigger_label(self) -> str:
        return TRIGGERS.get(self.trigger, self.trigger)


class SchedulerInstance(Base):
    """A ``flask umpro scheduler`` process, seen alive by its heartbeat. Not practice
    data: one scheduler serves every practice of the deployment."""

    __tablename__ = "scheduler_instance"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Job name → ISO instant of its next run in this process.
    next_runs: Mapped[dict] = mapped_column(JSON, default=dict)


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
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("status", REMINDER_STATUSES), name="status"),
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

    @property
    def status_label(self) -> str:
        return REMINDER_STATUSES.get(self.status, self.status)

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)


class ReminderOptOut(PracticeOwned, Base):
    """A patient refuses reminders on one channel. Withdrawing keeps the row (history):
    the refusal in force is the one not withdrawn, at most one per patient and channel."""

    __tablename__ = "reminder_opt_out"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        Index(
            "uq_reminder_opt_out_active",
            "patient_id",
            "channel",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
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

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)
