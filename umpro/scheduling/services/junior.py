"""The docteur junior: no consultation without a reachable supervisor; ~200 acts a month."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from umpro.scheduling.models import FULFILLED, Appointment
from umpro.scheduling.services.openings import (
    AgendaTemplate,
    closures_for,
    load_template,
    openings_for,
)
from umpro.team.models import Staff
from umpro.team.professions import Profession
from umpro.timeutil import local_day_bounds, to_local

#: Acts a month expected of a docteur junior (docs/domain.md §1).
MONTHLY_TARGET = 200


def needs_supervisor(staff: Staff) -> bool:
    return staff.profession == Profession.JUNIOR_DOCTOR


def supervisor_absence(
    session: Session,
    *,
    junior: Staff,
    day: date,
    tz: str,
    template: AgendaTemplate | None = None,
) -> str | None:
    """A French sentence when the junior may not consult on ``day`` for lack of a
    supervisor (none named, inactive, or absent any part of that day); else None."""
    if not needs_supervisor(junior):
        return None
    supervisor = junior.supervisor
    if supervisor is None or not supervisor.is_active:
        return (
            f"{junior.display_name} n'a pas de maître de stage en activité : "
            "pas de consultation sans supervision."
        )
    if template is None or supervisor.id not in template.staff_ids:
        template = load_template(
            session,
            practice_id=junior.practice_id,
            staff_ids=[supervisor.id],
            first_day=day,
            last_day=day,
            tz=tz,
        )
    closures = closures_for(template, staff_id=supervisor.id, day=day)
    if closures:
        return (
            f"Le maître de stage de {junior.display_name}, {supervisor.display_name}, "
            f"est absent ce jour-là ({closures[0].reason.lower()}) : "
            "pas de consultation du docteur junior sans supervision."
        )
    return None


def supervisor_off_duty(
    template: AgendaTemplate, *, junior: Staff, start_at: datetime, end_at: datetime
) -> str | None:
    """A French sentence when no opening of the junior's supervisor covers
    [start_at, end_at) (openings already leave out absences and holidays); else None.
    ``template`` holds the supervisor's rules for that day."""
    if not needs_supervisor(junior) or junior.supervisor_id is None:
        return None
    day = to_local(start_at, template.tz).date()
    if any(
        o.contains(start_at, end_at)
        for o in openings_for(template, staff_id=junior.supervisor_id, day=day)
    ):
        return None
    return (
        f"Le maître de stage de {junior.display_name} ne consulte pas à cette heure-là : "
        "pas de consultation du docteur junior sans supervision."
    )


def supervised_periods(
    template: AgendaTemplate, *, junior: Staff, day: date
) -> list[tuple[datetime, datetime]] | None:
    """The periods of ``day`` when the junior's supervisor is on duty (None: the staff
    member needs no supervisor)."""
    if not needs_supervisor(junior) or junior.supervisor_id is None:
        return None
    return [
        (o.start_at, o.end_at)
        for o in openings_for(template, staff_id=junior.supervisor_id, day=day)
    ]


@dataclass(frozen=True)
class ActsCounter:
    month: date
    count: int
    target: int = MONTHLY_TARGET

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.target)) if self.target else 0


def monthly_acts(session: Session, *, junior: Staff, month: date, tz: str) -> ActsCounter:
    """Fulfilled appointments of ``junior`` in the local calendar month of ``month``."""
    first = month.replace(day=1)
    if first.month == 12:
        following = first.replace(year=first.year + 1, month=1)
    else:
        following = first.replace(month=first.month + 1)
    start_at, _ = local_day_bounds(first, tz)
    end_at, _ = local_day_bounds(following, tz)
    count = session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.staff_id == junior.id,
            Appointment.status == FULFILLED,
            Appointment.start_at >= start_at,
            Appointment.start_at < end_at,
        )
    )
    return ActsCounter(first, count or 0)
