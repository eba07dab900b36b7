"""The scheduler process: ``flask umpro scheduler`` (never a web worker).

APScheduler 3's BlockingScheduler with its job store in memory: a job store is never
shared between schedulers (APScheduler's FAQ), so nothing here relies on there being only
one scheduler. Each job is ``coalesce`` (a backlog of missed runs runs once),
``max_instances=1`` (a run never overlaps itself in this process) and has a misfire grace
time. Exactly-once comes from the jobs themselves: every unit of work is claimed in the
database. Internal jobs: a heartbeat (the admin page sees the scheduler alive, its next
runs, and closes runs a killed scheduler left open) and the runs requested from the page.
"""

import logging
import os
import signal
import socket
import threading
import uuid
from datetime import UTC, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from umpro.db import utcnow
from umpro.extensions import db
from umpro.jobs import runner
from umpro.jobs.registry import JOBS
from umpro.notify.email import describe_email
from umpro.notify.sms import describe_sms

log = logging.getLogger(__name__)

REQUEST_POLL_SECONDS = 3


def stale_after(config) -> timedelta:
    """A scheduler not seen for this long is gone (killed or frozen)."""
    return timedelta(seconds=max(10, 4 * int(config.get("UMPRO_SCHEDULER_HEARTBEAT_SECONDS", 15))))


class SchedulerProcess:
    def __init__(self, app, *, stop_after: float | None = None, exit_with_parent: bool = False):
        self.app = app
        self.config = app.config
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping = threading.Event()
        self.stop_after = stop_after
        self.parent_pid = os.getppid() if exit_with_parent else None
        self.started_at = utcnow()
        self.executor = ThreadPoolExecutor(max_workers=4)
        self.scheduler = BlockingScheduler(
            timezone=UTC,
            jobstores={"default": MemoryJobStore()},
            executors={"default": self.executor},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(self.config.get("UMPRO_JOB_MISFIRE_GRACE_SECONDS", 600)),
            },
        )

    # --- wiring ---------------------------------------------------------------------

    def add_jobs(self) -> None:
        tz = self.config.get("UMPRO_TIMEZONE", "Europe/Paris")
        now = utcnow()
        for job in JOBS.values():
            extra = {"next_run_time": now} if job.trigger.runs_at_start else {}
            self.scheduler.add_job(
                self._run,
                job.trigger.build(self.config, tz),
                args=[job.name],
                id=job.name,
                name=job.title,
                **extra,
            )
        heartbeat = int(self.config.get("UMPRO_SCHEDULER_HEARTBEAT_SECONDS", 15))
        self.scheduler.add_job(self._heartbeat, IntervalTrigger(seconds=heartbeat), id="_heartbeat")
        self.scheduler.add_job(
            self._requests, IntervalTrigger(seconds=REQUEST_POLL_SECONDS), id="_requests"
        )
        if self.stop_after or self.parent_pid:
            self.scheduler.add_job(self._watch, IntervalTrigger(seconds=1), id="_watch")

    def next_runs(self) -> dict[str, str]:
        # A job added before the scheduler starts has no next_run_time yet.
        times = {job.id: getattr(job, "next_run_time", None) for job in self.scheduler.get_jobs()}
        return {
            name: moment.astimezone(UTC).isoformat()
            for name, moment in times.items()
            if not name.startswith("_") and moment is not None
        }

    # --- the jobs the scheduler runs ------------------------------------------------

    def _run(self, name: str) -> None:
        with self.app.app_context():
            try:
                runner.run_for_practices(
                    db.session,
                    JOBS[name],
                    config=self.config,
                    worker=self.id,
                    stopping=self.stopping,
                )
            finally:
                db.session.remove()

    def _requests(self) -> None:
        with self.app.app_context():
            try:
                runner.process_requests(
                    db.session, config=self.config, worker=self.id, stopping=self.stopping
                )
            finally:
                db.session.remove()

    def _heartbeat(self) -> None:
        with self.app.app_context():
            try:
                now = utcnow()
                runner.beat(db.session, instance_id=self.id, next_runs=self.next_runs(), now=now)
                db.session.commit()
                closed = runner.close_interrupted_runs(
                    db.session, now=now, stale=stale_after(self.config)
                )
                runner.prune(db.session, now=now)
                db.session.commit()
                if closed:
                    log.warning("%s exécution(s) interrompue(s) refermée(s).", closed)
            finally:
                db.session.remove()

    def _watch(self) -> None:
        if self.parent_pid is not None and os.getppid() != self.parent_pid:
            log.info("Planificateur : le processus parent s'est arrêté, arrêt.")
            self.stop()
        elif self.stop_after and (utcnow() - self.started_at).total_seconds() >= self.stop_after:
            log.info("Planificateur : durée demandée écoulée (%s s), arrêt.", self.stop_after)
            self.stop()

    # --- start and stop ---------------------------------------------------------------

    def stop(self, *_signal) -> None:
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def run(self) -> None:
        """Block until SIGTERM/SIGINT (or --stop-after, or the parent's exit)."""
        self.started_at = utcnow()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.stop)
        email_ok, email = describe_email(self.config)
        (log.info if email_ok else log.error)("Rappels par courriel : %s", email)
        sms_ok, sms = describe_sms(self.config)
        (log.info if sms_ok else log.error)("Rappels par SMS : %s", sms)
        self.add_jobs()
        # Known to the others before any job runs: a scheduler killed during its first
        # run leaves an instance row whose silence lets the others close that run.
        self._heartbeat()
        log.info(
            "Planificateur %s démarré : %s",
            self.id,
            ", ".join(f"{j.name} ({j.trigger.describe(self.config)})" for j in JOBS.values()),
        )
        try:
            self.scheduler.start()
        finally:
            self.stopping.set()
            # Let the running jobs finish their current item (they stop claiming), then
            # say goodbye so that the admin page does not wait for the heartbeat to age.
            self.executor.shutdown(wait=True)
            with self.app.app_context():
                try:
                    runner.stop_instance(db.session, instance_id=self.id, now=utcnow())
                    db.session.commit()
                finally:
                    db.session.remove()
            log.info("Planificateur %s arrêté.", self.id)
