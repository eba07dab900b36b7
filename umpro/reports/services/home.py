"""The home page of each profession: what the day holds and what waits (issue 13 §7)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.auth.audit import record_access
from umpro.auth.permissions import can
from umpro.reports.services import snapshots, targets, waiting
from umpro.scheduling.models import CANCELLED, ENTERED_IN_ERROR, STATUSES, Appointment
from umpro.team.professions import NURSES, Profession
from umpro.timeutil import local_day_bounds, local_today

SPARK_MONTHS = 12


@dataclass
class Home:
    kind: str
    appointments: list = field(default_factory=list)
    inbox: waiting.Inbox | None = None
    pending_requests: int | None = None
    queue: int | None = None
    patient_list: int | None = None
    progress: targets.Progress | None = None
    spark: list[int | None] = field(default_factory=list)
    day_counts: list[tuple[str, int]] = field(default_factory=list)
    unscheduled: int = 0


def _today_appointments(session, *, acting: Acting, staff_id: int) -> list:
    start, end = local_day_bounds(
        local_today(acting.actor.practice.timezone, acting.now), acting.actor.practice.timezone
    )
    appointments = list(
        session.scalars(
            select(Appointment)
            .options(joinedload(Appointment.patient), joinedload(Appointment.type))
            .where(
                Appointment.staff_id == staff_id,
                Appointment.start_at >= start,
                Appointment.start_at < end,
                Appointment.status.not_in((CANCELLED, ENTERED_IN_ERROR)),
            )
            .order_by(Appointment.start_at, Appointment.id)
        )
    )
    if appointments:
        record_access(
            session,
            acting=acting,
            action="home.today",
            patient_ids=sorted({a.patient_id for a in appointments}),
            target=f"home:staff:{staff_id}",
        )
    return appointments


def _day_counts(session, *, practice, now: datetime) -> tuple[list[tuple[str, int]], int]:
    start, end = local_day_bounds(local_today(practice.timezone, now), practice.timezone)
    rows = session.execute(
        select(
            Appointment.status,
            func.count(),
            func.sum(case((Appointment.is_unscheduled.is_(True), 1), else_=0)),
        )
        .where(
            Appointment.practice_id == practice.id,
            Appointment.start_at >= start,
            Appointment.start_at < end,
        )
        .group_by(Appointment.status)
    ).all()
    counts = {status: n for status, n, _ in rows}
    unscheduled = sum(int(u or 0) for status, _, u in rows if status != ENTERED_IN_ERROR)
    return [(label, counts.get(status, 0)) for status, label in STATUSES.items()], unscheduled


def home_for(session: Session, *, acting: Acting) -> Home:
    """The home page of ``acting.actor``: a GP's day, inbox, requests and patient list against
    the target; a nurse's queue and sessions; the desk's day counts. A bounded number
    of queries; the patients listed are access-logged."""
    practice = acting.actor.practice
    if acting.actor.profession == Profession.GP:
        home = Home("gp")
        home.appointments = _today_appointments(session, acting=acting, staff_id=acting.actor.id)
        home.inbox = waiting.inbox(session, staff=acting.actor)
        home.pending_requests = waiting.pending_requests(session, staff=acting.actor)
        today = local_today(practice.timezone, acting.now)
        home.spark = snapshots.patient_list_spark(
            session, practice=practice, gp_id=acting.actor.id, months=SPARK_MONTHS, now=acting.now
        )
        home.patient_list = home.spark[-1]
        target = targets.current_targets(session, gp_ids=[acting.actor.id]).get(acting.actor.id)
        if target is not None:
            home.progress = targets.progress(target, current=home.patient_list, on=today)
        return home
    if acting.actor.profession in NURSES:
        home = Home("nurse")
        home.appointments = _today_appointments(session, acting=acting, staff_id=acting.actor.id)
        home.queue = waiting.queue(session, staff=acting.actor, now=acting.now)
        return home
    if (
        acting.actor.profession in (Profession.SECRETARY, Profession.HEALTH_MEDIATOR)
        or acting.actor.is_admin
    ):
        home = Home("desk")
        home.day_counts, home.unscheduled = _day_counts(session, practice=practice, now=acting.now)
        if can(acting.actor, "reports.worklists_admin"):
            home.pending_requests = waiting.pending_requests(session, staff=acting.actor)
        return home
    return Home("other")
