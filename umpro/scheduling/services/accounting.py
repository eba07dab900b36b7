"""Unscheduled-care figures: what became of the held slots, the share of unscheduled
activity, and the SAS participation indicators, per staff member and for the practice,
per day and per week (Monday-based, practice zone).

SAS indicators (per GP and week): the hours held open to same-day demand, which any
patient — on the GP's list or not — may take (the condition is 2 h a week), and the
regulated acts (source ``regulator``, starting within 48 h of the booking) for patients
outside the GP's list, against the weekly cap of 20 supplements.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from umpro.errors import Invalid
from umpro.patients.models import TreatingDeclaration
from umpro.scheduling.models import (
    HELD,
    LIVE_STATUSES,
    LOST,
    RELEASED,
    USED,
    Appointment,
    HeldSlot,
)
from umpro.scheduling.services.holds import MAX_SLOT
from umpro.scheduling.services.regulation import REGULATOR_WINDOW
from umpro.scheduling.services.slots import MAX_DURATION
from umpro.timeutil import local_days_bounds, to_local

#: Weekly condition on the hours open to patients outside the GP's list.
SAS_HOURS_CONDITION = 2
#: Weekly cap of regulated acts paid the SAS supplement.
SAS_WEEKLY_CAP = 20
#: Longest period one report may cover.
MAX_REPORT_DAYS = 366


@dataclass
class Figures:
    held: int = 0
    used: int = 0
    released: int = 0
    lost: int = 0
    #: Still held (the day is not over): not yet used, released or lost.
    pending: int = 0
    held_minutes: int = 0
    appointments: int = 0
    unscheduled: int = 0
    regulated_outside_list: int = 0

    def add(self, other: "Figures") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def unscheduled_share(self) -> float:
        """Unscheduled appointments ÷ live appointments, in % (one decimal)."""
        return round(100 * self.unscheduled / self.appointments, 1) if self.appointments else 0.0

    @property
    def held_hours(self) -> float:
        return round(self.held_minutes / 60, 2)

    @property
    def meets_hours_condition(self) -> bool:
        return self.held_minutes >= 60 * SAS_HOURS_CONDITION

    def as_dict(self) -> dict:
        return {
            "held": self.held,
            "used": self.used,
            "released": self.released,
            "lost": self.lost,
            "pending": self.pending,
            "held_hours": self.held_hours,
            "appointments": self.appointments,
            "unscheduled": self.unscheduled,
            "unscheduled_share": self.unscheduled_share,
            "regulated_outside_list": self.regulated_outside_list,
            "regulated_cap": SAS_WEEKLY_CAP,
            "meets_hours_condition": self.meets_hours_condition,
        }


@dataclass
class Report:
    first_day: date
    last_day: date
    #: (staff_id, day) → figures
    by_day: dict = field(default_factory=lambda: defaultdict(Figures))
    #: (staff_id, Monday) → figures
    by_week: dict = field(default_factory=lambda: defaultdict(Figures))
    #: Monday → the practice's figures
    practice_week: dict = field(default_factory=lambda: defaultdict(Figures))
    total: Figures = field(default_factory=Figures)
    staff_ids: set = field(default_factory=set)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def unscheduled_report(
    session: Session,
    *,
    practice_id: int,
    tz: str,
    first_day: date,
    last_day: date,
    staff_ids: list[int] | None = None,
) -> Report:
    """Figures between two local days (included). Three queries, each bounded on both
    sides in time: held slots, appointments, the declarations of regulated patients."""
    if last_day < first_day:
        raise Invalid("La fin de la période doit suivre son début.", field="to")
    if (last_day - first_day).days >= MAX_REPORT_DAYS:
        raise Invalid("La période demandée dépasse un an.", field="to")
    start_at, end_at = local_days_bounds(first_day, last_day, tz)
    report = Report(first_day, last_day)
    wanted = [HeldSlot.staff_id.in_(staff_ids)] if staff_ids is not None else []
    for row in session.scalars(
        select(HeldSlot).where(
            HeldSlot.practice_id == practice_id,
            HeldSlot.start_at >= start_at,
            HeldSlot.start_at < end_at,
            HeldSlot.start_at > start_at - MAX_SLOT,
            *wanted,
        )
    ):
        f = Figures(held=1)
        f.held_minutes = int((row.end_at - row.start_at).total_seconds() // 60)
        f.used, f.released = int(row.state == USED), int(row.state == RELEASED)
        f.lost, f.pending = int(row.state == LOST), int(row.state == HELD)
        _add(report, row.staff_id, to_local(row.start_at, tz).date(), f)
    wanted = [Appointment.staff_id.in_(staff_ids)] if staff_ids is not None else []
    appointments = session.execute(
        select(
            Appointment.staff_id,
            Appointment.patient_id,
            Appointment.start_at,
            Appointment.created_at,
            Appointment.source,
            Appointment.is_unscheduled,
        ).where(
            Appointment.practice_id == practice_id,
            Appointment.status.in_(LIVE_STATUSES),
            Appointment.start_at >= start_at,
            Appointment.start_at < end_at,
            Appointment.start_at > start_at - MAX_DURATION,
            *wanted,
        )
    ).all()
    regulated = [
        a
        for a in appointments
        if a.source == "regulator" and a.start_at - a.created_at <= REGULATOR_WINDOW
    ]
    on_list = _on_list(session, regulated, tz)
    for a in appointments:
        day = to_local(a.start_at, tz).date()
        f = Figures(appointments=1, unscheduled=int(a.is_unscheduled))
        if a in regulated and (a.patient_id, a.staff_id, day) not in on_list:
            f.regulated_outside_list = 1
        _add(report, a.staff_id, day, f)
    return report


def _on_list(session: Session, regulated, tz: str) -> set:
    """(patient, gp, day) of regulated appointments whose patient was on the GP's list."""
    if not regulated:
        return set()
    days = [to_local(a.start_at, tz).date() for a in regulated]
    declarations = session.scalars(
        select(TreatingDeclaration).where(
            TreatingDeclaration.patient_id.in_({a.patient_id for a in regulated}),
            TreatingDeclaration.start_on <= max(days),
            or_(TreatingDeclaration.end_on.is_(None), TreatingDeclaration.end_on > min(days)),
            and_(TreatingDeclaration.gp_id.in_({a.staff_id for a in regulated})),
        )
    ).all()
    found = set()
    for a, day in zip(regulated, days, strict=True):
        for d in declarations:
            if (
                d.patient_id == a.patient_id
                and d.gp_id == a.staff_id
                and d.start_on <= day
                and (d.end_on is None or day < d.end_on)
            ):
                found.add((a.patient_id, a.staff_id, day))
    return found


def _add(report: Report, staff_id: int, day: date, figures: Figures) -> None:
    report.staff_ids.add(staff_id)
    report.by_day[(staff_id, day)].add(figures)
    report.by_week[(staff_id, week_of(day))].add(figures)
    report.practice_week[week_of(day)].add(figures)
    report.total.add(figures)
