"""Job runs and the scheduler processes' heartbeats."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from umpro.db import Base, PracticeOwned, UTCDateTime, label_of, one_of, utcnow

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


class JobRun(PracticeOwned, Base):
    """One run of one job for one practice: requested from the page, or started by the
    scheduler or the command line. A run still ``running`` whose scheduler stopped
    beating was interrupted (killed) and is shown so."""

    __tablename__ = "job_run"
    __table_args__ = (
        CheckConstraint(one_of("status", RUN_STATUSES), name="status"),
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

    status_label = label_of(RUN_STATUSES, "status")
    trigger_label = label_of(TRIGGERS, "trigger")


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
