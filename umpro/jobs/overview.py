"""What the admin page "Tâches planifiées" shows, in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from umpro.jobs.models import ERROR, OK, REQUESTED, RUNNING, JobRun, SchedulerInstance
from umpro.jobs.registry import JOBS, Job
from umpro.jobs.runner import alive_instances
from umpro.jobs.scheduler import stale_after
from umpro.notify.email import describe_email
from umpro.notify.sms import describe_sms
from umpro.reminders.models import Reminder
from umpro.reminders.services import ReminderSettings, failing_reminders, reminder_counts

RECENT_RUNS = 15


@dataclass
class JobLine:
    job: Job
    trigger: str
    last: JobRun | None
    next_run_at: datetime | None
    #: Runs in error over the last 7 days.
    failures: int
    waiting: JobRun | None


@dataclass
class Overview:
    jobs: list[JobLine]
    schedulers: list[SchedulerInstance]
    recent_runs: list[JobRun]
    failing_reminders: list[Reminder]
    reminder_counts: dict[str, int]
    email: tuple[bool, str]
    sms: tuple[bool, str]
    report_after: int


def jobs_overview(session: Session, *, practice_id: int, now: datetime, config) -> Overview:
    """Each job of the practice with its last run, next run and recent failures; the
    schedulers alive; the reminders that keep failing; the sending channels' state."""
    mine = JobRun.practice_id == practice_id
    last_ids = (
        select(func.max(JobRun.id))
        .where(mine, JobRun.status.in_((RUNNING, OK, ERROR)))
        .group_by(JobRun.job)
    )
    last = {run.job: run for run in session.scalars(select(JobRun).where(JobRun.id.in_(last_ids)))}
    failures = dict(
        session.execute(
            select(JobRun.job, func.count())
            .where(mine, JobRun.status == ERROR, JobRun.started_at >= now - timedelta(days=7))
            .group_by(JobRun.job)
        ).all()
    )
    waiting = {
        run.job: run
        for run in session.scalars(select(JobRun).where(mine, JobRun.status == REQUESTED))
    }
    schedulers = alive_instances(session, now=now, stale=stale_after(config))
    lines = []
    for job in JOBS.values():
        upcoming = [
            datetime.fromisoformat(s.next_runs[job.name])
            for s in schedulers
            if job.name in (s.next_runs or {})
        ]
        lines.append(
            JobLine(
                job=job,
                trigger=job.trigger.describe(config),
                last=last.get(job.name),
                next_run_at=min(upcoming) if upcoming else None,
                failures=failures.get(job.name, 0),
                waiting=waiting.get(job.name),
            )
        )
    settings = ReminderSettings.from_config(config)
    recent = session.scalars(
        select(JobRun)
        .where(mine, JobRun.status != REQUESTED)
        .order_by(JobRun.id.desc())
        .limit(RECENT_RUNS)
    )
    return Overview(
        jobs=lines,
        schedulers=schedulers,
        recent_runs=list(recent),
        failing_reminders=failing_reminders(
            session, practice_id=practice_id, now=now, report_after=settings.report_after
        ),
        reminder_counts=reminder_counts(
            session, practice_id=practice_id, since=now - timedelta(days=1)
        ),
        email=describe_email(config),
        sms=describe_sms(config),
        report_after=settings.report_after,
    )
