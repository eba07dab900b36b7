"""Run a job for one practice and record the run; requests from the admin page; the
scheduler processes' heartbeats and housekeeping.

``run_job`` commits: a run spans several transactions (its JobRun row is committed first
so that a crash leaves a trace, then the job's own work, then the outcome).
"""

import logging
import os
import socket
import traceback
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.permissions import can
from umpro.db import utcnow
from umpro.errors import Forbidden, NotFound
from umpro.jobs.models import ERROR, OK, REQUESTED, RUNNING, JobRun, SchedulerInstance
from umpro.jobs.registry import JOBS, Job, JobContext, JobResult, get_job
from umpro.team.models import Practice

log = logging.getLogger(__name__)

INTERRUPTED = (
    "Exécution interrompue : le processus s'est arrêté pendant la tâche. Le travail non "
    "terminé est repris au passage suivant."
)


def cli_worker() -> str:
    return f"cli:{socket.gethostname()}:{os.getpid()}"


def describe_error(error: Exception) -> str:
    """A short sentence for the admin page and the log: the exception's type and first
    line, never SQL parameters (they may hold a patient's data)."""
    source = getattr(error, "orig", None) if isinstance(error, SQLAlchemyError) else error
    if source is None:  # an SQLAlchemy error of its own: its text shows the parameters
        return type(error).__name__
    first = (str(source).strip().splitlines() or [""])[0][:300]
    return f"{type(source).__name__} : {first}" if first else type(source).__name__


def run_job(
    session: Session,
    job: Job,
    *,
    practice_id: int,
    config,
    worker: str,
    trigger: str = "schedule",
    clock=utcnow,
    stopping=None,
    run_id: int | None = None,
) -> JobRun:
    """Run ``job`` for one practice and record it (a requested run passes its id). The
    job's own errors never escape: they are recorded on the run in French and logged."""
    session.commit()
    now = clock()
    if run_id is None:
        run = JobRun(
            practice_id=practice_id,
            job=job.name,
            trigger=trigger,
            status=RUNNING,
            started_at=now,
            worker=worker,
        )
        session.add(run)
        session.commit()
        run_id = run.id
    ctx = JobContext(
        session=session,
        practice=session.get(Practice, practice_id),
        now=now,
        config=config,
        worker=f"{worker}/run-{run_id}",
        clock=clock,
        stopping=stopping,
    )
    try:
        result = job.function(ctx) or JobResult()
        session.commit()
    except Exception as error:  # recorded on the run: one job's bug never stops the others
        session.rollback()
        message = describe_error(error)
        log.error(
            "Tâche %s (maison de santé %s, exécution %s) en échec : %s\n%s",
            job.name,
            practice_id,
            run_id,
            message,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        result = JobResult(error=f"Erreur inattendue : {message}")
    run = session.get(JobRun, run_id, populate_existing=True)
    run.ended_at = clock()
    run.status = ERROR if result.error else OK
    run.done, run.skipped, run.failed = result.done, result.skipped, result.failed
    run.summary = result.summary[:300]
    run.error = result.error
    session.commit()
    level = logging.ERROR if result.error else logging.INFO
    log.log(
        level,
        "Tâche %s (maison de santé %s, exécution %s) : %s %s",
        job.name,
        practice_id,
        run_id,
        result.summary or "terminée.",
        result.error,
    )
    return run


def run_for_practices(session: Session, job: Job, *, practice_ids=None, **kwargs) -> list[JobRun]:
    """Run ``job`` once per practice of the deployment (or the ones given)."""
    if practice_ids is None:
        practice_ids = list(session.scalars(select(Practice.id).order_by(Practice.id)))
        session.commit()
    runs = []
    for practice_id in practice_ids:
        stopping = kwargs.get("stopping")
        if stopping is not None and stopping.is_set():
            break
        runs.append(run_job(session, job, practice_id=practice_id, **kwargs))
    return runs


def request_run(session: Session, *, acting: Acting, job_name: str) -> JobRun:
    """Ask the scheduler to run a job now for the actor's practice (the "Lancer
    maintenant" button). Admins only (``jobs.manage``); an unknown job is NotFound. A
    request already waiting for the same job is returned instead of a second one."""
    if not can(acting.actor, "jobs.manage"):
        raise Forbidden("Seul un administrateur lance une tâche planifiée.")
    job = get_job(job_name)
    if job is None:
        raise NotFound("Tâche planifiée inconnue.")
    waiting = session.scalar(
        select(JobRun).where(
            JobRun.practice_id == acting.actor.practice_id,
            JobRun.job == job.name,
            JobRun.status == REQUESTED,
        )
    )
    if waiting is not None:
        return waiting
    run = JobRun(
        practice_id=acting.actor.practice_id,
        job=job.name,
        trigger="manual",
        status=REQUESTED,
        requested_at=acting.now,
        requested_by_id=acting.actor.id,
    )
    session.add(run)
    session.flush()
    return run


def process_requests(session: Session, *, config, worker: str, clock=utcnow, stopping=None):
    """Run the requested runs. Each is taken by a conditional UPDATE (requested →
    running): with two schedulers, one runs it. Returns the runs done here."""
    ids = list(
        session.scalars(
            select(JobRun.id).where(JobRun.status == REQUESTED).order_by(JobRun.id).limit(20)
        )
    )
    session.commit()
    runs = []
    for run_id in ids:
        if stopping is not None and stopping.is_set():
            break
        taken = session.execute(
            update(JobRun)
            .where(JobRun.id == run_id, JobRun.status == REQUESTED)
            .values(status=RUNNING, started_at=clock(), worker=worker)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.commit()
        if not taken:
            continue
        run = session.get(JobRun, run_id, populate_existing=True)
        job = JOBS.get(run.job)
        if job is None:
            run.status, run.ended_at = ERROR, clock()
            run.error = f"Tâche inconnue de ce planificateur : {run.job}."
            session.commit()
            continue
        runs.append(
            run_job(
                session,
                job,
                practice_id=run.practice_id,
                config=config,
                worker=worker,
                clock=clock,
                stopping=stopping,
                run_id=run_id,
            )
        )
    return runs


# --- Scheduler processes: heartbeat and housekeeping --------------------------------


def beat(
    session: Session, *, instance_id: str, next_runs: dict[str, str], now: datetime
) -> SchedulerInstance:
    instance = session.get(SchedulerInstance, instance_id)
    if instance is None:
        instance = SchedulerInstance(
            id=instance_id, hostname=socket.gethostname(), pid=os.getpid(), started_at=now
        )
        session.add(instance)
    instance.seen_at = now
    instance.next_runs = next_runs
    session.flush()
    return instance


def stop_instance(session: Session, *, instance_id: str, now: datetime) -> None:
    instance = session.get(SchedulerInstance, instance_id)
    if instance is not None:
        instance.stopped_at = now
        session.flush()


def alive_instances(session: Session, *, now: datetime, stale: timedelta):
    return list(
        session.scalars(
            select(SchedulerInstance)
            .where(SchedulerInstance.stopped_at.is_(None), SchedulerInstance.seen_at >= now - stale)
            .order_by(SchedulerInstance.started_at)
        )
    )


def close_interrupted_runs(session: Session, *, now: datetime, stale: timedelta) -> int:
    """Runs left ``running`` by a scheduler that stopped beating (killed), or by a
    command-line run older than a day, are closed as interrupted."""
    gone = select(SchedulerInstance.id).where(
        or_(SchedulerInstance.seen_at < now - stale, SchedulerInstance.stopped_at.is_not(None))
    )
    return session.execute(
        update(JobRun)
        .where(
            JobRun.status == RUNNING,
            or_(
                JobRun.worker.in_(gone),
                JobRun.worker.like("cli:%") & (JobRun.started_at < now - timedelta(days=1)),
            ),
        )
        .values(status=ERROR, ended_at=now, error=INTERRUPTED)
        .execution_options(synchronize_session=False)
    ).rowcount


def prune(session: Session, *, now: datetime) -> None:
    """Forget schedulers gone for a week and runs that did nothing, a week on."""
    week_ago = now - timedelta(days=7)
    session.execute(delete(SchedulerInstance).where(SchedulerInstance.seen_at < week_ago))
    session.execute(
        delete(JobRun).where(
            JobRun.status == OK,
            JobRun.started_at < week_ago,
            JobRun.done == 0,
            JobRun.skipped == 0,
            JobRun.failed == 0,
        )
    )
