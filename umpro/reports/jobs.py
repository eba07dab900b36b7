"""The ``patient_list_snapshots`` scheduled job (registered in ``umpro.jobs.registry``)."""

from umpro.jobs.registry import JobContext, JobResult
from umpro.reports.services import snapshots


def run_snapshots(ctx: JobContext) -> JobResult:
    """Snapshot each GP's figures for every finished day since the last run (yesterday
    at least). Idempotent: a day written twice holds the same numbers (one row)."""
    written = snapshots.catch_up(ctx.session, practice=ctx.practice, now=ctx.now)
    ctx.session.commit()
    return JobResult(done=written, summary=f"Photographies de patientèle écrites : {written}.")
