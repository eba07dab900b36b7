"""The ``unscheduled_holds`` scheduled job (registered in ``umpro.jobs.registry``).

For one practice: write the held slots of today and the next two days (idempotent: one
row per staff member and start), release those still free at their lead time, mark
lost those that passed unused. Every state change is a conditional UPDATE, so a second
scheduler, a retry or a booking at the same moment never counts a slot twice.
"""

from datetime import timedelta

from umpro.jobs.registry import JobContext, JobResult
from umpro.scheduling.services import holds
from umpro.timeutil import local_today


def run_holds(ctx: JobContext) -> JobResult:
    practice = ctx.practice
    tz = practice.timezone
    today = local_today(tz, ctx.now)
    written = holds.materialise(
        ctx.session,
        practice_id=practice.id,
        tz=tz,
        first_day=today,
        last_day=today + timedelta(days=2),
        now=ctx.now,
    )
    released, lost = holds.release_due(ctx.session, practice_id=practice.id, now=ctx.now)
    ctx.session.commit()
    return JobResult(
        done=released + lost,
        summary=(f"Créneaux réservés écrits : {written} ; libérés : {released} ; perdus : {lost}."),
    )
