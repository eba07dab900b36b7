"""Patient-list figures per GP, computed from history (docs/domain.md §2-3, issue 13).

Definitions:

- patient list on a day: declarations with ``start_on <= day < end_on`` (open: no end);
- adults: patients of the list aged 16 or more on that day (their age on the day, so a
  patient moves from children to adults on their 16th birthday); children: the others;
- file active on a day: distinct patients with a *fulfilled* appointment with the GP that
  started in the 12 months up to the end of the day (local days of the practice zone);
- started / ended: declarations with ``start_on`` / ``end_on`` in the period.

Every query takes all the GPs at once (grouped by GP) and is bounded: appointments and
flows by a range on both sides; the stocks by ``start_on <= day`` on the
``(gp_id, start_on, end_on)`` index.
"""

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from statistics import median

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from umpro.errors import Invalid
from umpro.patients.models import Patient, RegistrationRequest, TreatingDeclaration
from umpro.scheduling.models import FULFILLED, Appointment
from umpro.timeutil import local_day_bounds, local_today

ADULT_AGE = 16
MAX_MONTHS = 36


@dataclass
class DayFigures:
    patient_list: int = 0
    adults: int = 0
    children: int = 0
    file_active: int = 0
    ald: int = 0

    @property
    def ald_share(self) -> float:
        return round(self.ald / self.patient_list, 3) if self.patient_list else 0.0


#: The stocks of a day, named alike on DayFigures, snapshot rows and series points.
STOCKS = tuple(f.name for f in fields(DayFigures))


def stocks_of(figures) -> dict[str, int]:
    """The stocks of ``figures`` (DayFigures or a snapshot row), by name."""
    return {name: getattr(figures, name) for name in STOCKS}


@dataclass
class Flows:
    started: int = 0
    ended: int = 0
    end_reasons: dict[str, int] = field(default_factory=dict)


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def add_months(day: date, months: int) -> date:
    """First day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from ``first``'s to ``last``'s, both included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def check_period(first: date, last: date) -> list[date]:
    """The months of a report period; refuses a reversed period or one over 36 months."""
    if last < first:
        raise Invalid("La période est à l'envers : la fin précède le début.", field="to")
    months = months_between(first, last)
    if len(months) > MAX_MONTHS:
        raise Invalid(
            f"La période dépasse {MAX_MONTHS} mois : choisissez une période plus courte.",
            field="from",
        )
    return months


def _active_on(day: date):
    return and_(
        TreatingDeclaration.start_on <= day,
        or_(TreatingDeclaration.end_on.is_(None), TreatingDeclaration.end_on > day),
    )


def figures_on(
    session: Session, *, practice, gp_ids: list[int], day: date
) -> dict[int, DayFigures]:
    """Each GP's stocks at the end of ``day`` (two queries whatever the number of GPs)."""
    result = {gp_id: DayFigures() for gp_id in gp_ids}
    if not gp_ids:
        return result
    adult_born_by = years_before(day, ADULT_AGE)
    rows = session.execute(
        select(
            TreatingDeclaration.gp_id,
            func.count(),
            func.sum(case((Patient.birth_date <= adult_born_by, 1), else_=0)),
            func.sum(case((Patient.has_chronic_condition.is_(True), 1), else_=0)),
        )
        .join(Patient, Patient.id == TreatingDeclaration.patient_id)
        .where(
            TreatingDeclaration.practice_id == practice.id,
            TreatingDeclaration.gp_id.in_(gp_ids),
            _active_on(day),
        )
        .group_by(TreatingDeclaration.gp_id)
    )
    for gp_id, total, adults, ald in rows:
        figures = result[gp_id]
        figures.patient_list, figures.adults = total, int(adults or 0)
        figures.children, figures.ald = total - figures.adults, int(ald or 0)
    for gp_id, count in file_active_on(session, practice=practice, gp_ids=gp_ids, day=day).items():
        result[gp_id].file_active = count
    return result


def file_active_window(practice, day: date):
    """UTC bounds of the 12 months of local days ending with ``day``."""
    start, _ = local_day_bounds(years_before(day, 1) + timedelta(days=1), practice.timezone)
    _, end = local_day_bounds(day, practice.timezone)
    return start, end


def file_active_on(session: Session, *, practice, gp_ids: list[int], day: date) -> dict[int, int]:
    start, end = file_active_window(practice, day)
    rows = session.execute(
        select(Appointment.staff_id, func.count(Appointment.patient_id.distinct()))
        .where(
            Appointment.staff_id.in_(gp_ids),
            Appointment.status == FULFILLED,
            Appointment.start_at >= start,
            Appointment.start_at < end,
        )
        .group_by(Appointment.staff_id)
    )
    return dict(rows.all())


def flows_between(
    session: Session, *, practice, gp_ids: list[int], first: date, last: date
) -> dict[int, dict[date, Flows]]:
    """Declarations started and ended each month (with end reasons), per GP, for the
    months from ``first`` to ``last`` (both days included)."""
    result: dict[int, dict[date, Flows]] = {gp_id: defaultdict(Flows) for gp_id in gp_ids}
    if not gp_ids:
        return result
    base = [TreatingDeclaration.practice_id == practice.id, TreatingDeclaration.gp_id.in_(gp_ids)]
    started = session.execute(
        select(TreatingDeclaration.gp_id, TreatingDeclaration.start_on).where(
            *base, TreatingDeclaration.start_on >= first, TreatingDeclaration.start_on <= last
        )
    )
    for gp_id, day in started:
        result[gp_id][day.replace(day=1)].started += 1
    ended = session.execute(
        select(
            TreatingDeclaration.gp_id, TreatingDeclaration.end_on, TreatingDeclaration.end_reason
        ).where(*base, TreatingDeclaration.end_on >= first, TreatingDeclaration.end_on <= last)
    )
    for gp_id, day, reason in ended:
        flows = result[gp_id][day.replace(day=1)]
        flows.ended += 1
        flows.end_reasons[reason or "other"] = flows.end_reasons.get(reason or "other", 0) + 1
    return result


@dataclass
class RequestFigures:
    received: int = 0
    accepted: int = 0
    declined: int = 0
    withdrawn: int = 0
    pending: int = 0
    declined_by_reason: dict[str, int] = field(default_factory=dict)
    #: Median days from reception to decision (accepted or declined), None without any.
    median_wait_days: float | None = None


def requests_between(
    session: Session, *, practice, gp_ids: list[int], first: date, last: date
) -> dict[int, RequestFigures]:
    """Registration requests received from ``first`` to ``last`` and what became of them."""
    result = {gp_id: RequestFigures() for gp_id in gp_ids}
    waits: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(
        select(
            RegistrationRequest.gp_id,
            RegistrationRequest.status,
            RegistrationRequest.decline_reason,
            RegistrationRequest.received_on,
            RegistrationRequest.decided_at,
        ).where(
            RegistrationRequest.practice_id == practice.id,
            RegistrationRequest.gp_id.in_(gp_ids),
            RegistrationRequest.received_on >= first,
            RegistrationRequest.received_on <= last,
        )
    )
    for gp_id, status, reason, received_on, decided_at in rows:
        figures = result[gp_id]
        figures.received += 1
        setattr(figures, status, getattr(figures, status) + 1)
        if status == "declined":
            figures.declined_by_reason[reason] = figures.declined_by_reason.get(reason, 0) + 1
        if status in ("accepted", "declined") and decided_at is not None:
            decided_on = local_today(practice.timezone, decided_at)
            waits[gp_id].append(max(0, (decided_on - received_on).days))
    for gp_id, days in waits.items():
        result[gp_id].median_wait_days = float(median(days))
    return result
