"""Daily snapshots of each GP's figures, and the monthly series the pages read.

The daily job and ``flask umpro snapshots rebuild`` both call ``snapshot_day``: the
same function, hence the same numbers. A snapshot is written again when its day is
recomputed (an update of the row, never a second row: ``(gp_id, day)`` is unique).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from umpro.patients.models import TreatingDeclaration
from umpro.reports.models import PatientListSnapshot
from umpro.reports.services import figures as fig
from umpro.team.models import Staff
from umpro.team.professions import Profession
from umpro.timeutil import local_today


def practice_gps(session: Session, *, practice) -> list[Staff]:
    """The practice's GPs (former ones too: their history stays), by name."""
    return list(
        session.scalars(
            select(Staff)
            .where(Staff.practice_id == practice.id, Staff.profession == Profession.GP)
            .order_by(Staff.family_name, Staff.given_name, Staff.id)
        )
    )


def snapshot_day(session: Session, *, practice, day: date, now: datetime, gp_ids=None) -> int:
    """Write (or rewrite) each GP's snapshot of ``day``; returns the number written."""
    if gp_ids is None:
        gp_ids = [gp.id for gp in practice_gps(session, practice=practice)]
    if not gp_ids:
        return 0
    stocks = fig.figures_on(session, practice=practice, gp_ids=gp_ids, day=day)
    flows = fig.flows_between(session, practice=practice, gp_ids=gp_ids, first=day, last=day)
    # Flows of one day sit in the month bucket of that day.
    existing = {
        s.gp_id: s
        for s in session.scalars(
            select(PatientListSnapshot).where(
                PatientListSnapshot.gp_id.in_(gp_ids), PatientListSnapshot.day == day
            )
        )
    }
    for gp_id in gp_ids:
        row = existing.get(gp_id)
        if row is None:
            row = PatientListSnapshot(practice_id=practice.id, gp_id=gp_id, day=day)
            session.add(row)
        stock, flow = stocks[gp_id], flows[gp_id][day.replace(day=1)]
        for name, value in fig.stocks_of(stock).items():
            setattr(row, name, value)
        row.started, row.ended = flow.started, flow.ended
        row.computed_at = now
    session.flush()
    return len(gp_ids)


def rebuild(
    session: Session,
    *,
    practice,
    first: date,
    last: date,
    now: datetime,
    progress: Callable[[date], None] | None = None,
) -> int:
    """Recompute every day from ``first`` to ``last`` from history; returns rows written.

    Flushes day by day; the caller commits (the CLI commits every month of days)."""
    gp_ids = [gp.id for gp in practice_gps(session, practice=practice)]
    written, day = 0, first
    while day <= last:
        written += snapshot_day(session, practice=practice, day=day, now=now, gp_ids=gp_ids)
        if progress is not None:
            progress(day)
        day += timedelta(days=1)
    return written


def catch_up(session: Session, *, practice, now: datetime, max_days: int = 31) -> int:
    """The daily job: snapshot every finished local day since the last snapshot (at most
    ``max_days`` back; yesterday at least). Idempotent: a day written again is the same."""
    yesterday = local_today(practice.timezone, now) - timedelta(days=1)
    last_done = session.scalar(
        select(PatientListSnapshot.day)
        .where(
            PatientListSnapshot.practice_id == practice.id,
            PatientListSnapshot.day <= yesterday,
            PatientListSnapshot.day > yesterday - timedelta(days=max_days),
        )
        .order_by(PatientListSnapshot.day.desc())
        .limit(1)
    )
    first = last_done + timedelta(days=1) if last_done else yesterday
    first = min(first, yesterday)
    return rebuild(session, practice=practice, first=first, last=yesterday, now=now)


@dataclass(kw_only=True)
class Point(fig.DayFigures):
    """One month of a series: the stocks at the month's end (today for the current month)
    and the month's flows."""

    month: date
    day: date
    started: int
    ended: int
    end_reasons: dict

    def as_json(self) -> dict:
        return {
            "month": f"{self.month:%Y-%m}",
            "patient_list": self.patient_list,
            "adults": self.adults,
            "children": self.children,
            "file_active": self.file_active,
            "started": self.started,
            "ended": self.ended,
            "ald_share": self.ald_share,
            "end_reasons": self.end_reasons,
        }


def monthly_series(
    session: Session, *, practice, gp_ids: list[int], first: date, last: date, now: datetime
) -> dict[int, list[Point]]:
    """Each GP's months from ``first`` to ``last`` (at most 36; a future month is cut).

    Past month ends come from snapshots (one query); today is computed live; a month
    end without a snapshot (a gap before the first rebuild) is computed from history.
    The number of queries does not depend on the length of the history."""
    today = local_today(practice.timezone, now)
    months = [m for m in fig.check_period(first, last) if m <= today]
    result: dict[int, list[Point]] = {gp_id: [] for gp_id in gp_ids}
    if not months or not gp_ids:
        return result
    ends = {m: min(fig.month_end(m), today) for m in months}
    past_ends = [d for d in ends.values() if d < today]
    snaps = {}
    if past_ends:
        snaps = {
            (s.gp_id, s.day): s
            for s in session.scalars(
                select(PatientListSnapshot).where(
                    PatientListSnapshot.gp_id.in_(gp_ids),
                    PatientListSnapshot.day >= min(past_ends),
                    PatientListSnapshot.day <= max(past_ends),
                    PatientListSnapshot.day.in_(past_ends),
                )
            )
        }
    flows = fig.flows_between(
        session, practice=practice, gp_ids=gp_ids, first=months[0], last=ends[months[-1]]
    )
    live: dict[date, dict] = {}
    for month in months:
        day = ends[month]
        missing = day == today or any((g, day) not in snaps for g in gp_ids)
        if missing and day not in live:
            live[day] = fig.figures_on(session, practice=practice, gp_ids=gp_ids, day=day)
        for gp_id in gp_ids:
            stock = snaps.get((gp_id, day)) if day != today else None
            if stock is None:
                stock = live[day][gp_id]
            flow = flows[gp_id][month]
            result[gp_id].append(
                Point(
                    month=month,
                    day=day,
                    **fig.stocks_of(stock),
                    started=flow.started,
                    ended=flow.ended,
                    end_reasons=dict(flow.end_reasons),
                )
            )
    return result


def patient_list_now(session: Session, *, gp_id: int, day: date) -> int:
    """``gp_id``'s patient list at the end of ``day``: one COUNT answered from the
    covering index ``(gp_id, start_on, end_on)`` (no table row, no appointment read; a
    filter on the practice would read each row: the GP's id already belongs to one).
    Live rather than yesterday's snapshot plus today: a declaration may be backdated."""
    return session.scalar(
        select(func.count()).where(
            TreatingDeclaration.gp_id == gp_id,
            TreatingDeclaration.start_on <= day,
            or_(TreatingDeclaration.end_on.is_(None), TreatingDeclaration.end_on > day),
        )
    )


def patient_list_spark(
    session: Session, *, practice, gp_id: int, months: int, now: datetime
) -> list[int | None]:
    """``gp_id``'s patient list at each of the last ``months`` month ends, the current
    month's point being today (issue 11: the home page's cost stays flat with history).

    Past month ends are read from the daily snapshots only (one query, a range on
    ``(gp_id, day)`` bounded on both sides); a month end without a snapshot is None (a
    gap in the line) rather than recomputed from history (``flask umpro snapshots
    rebuild`` fills gaps).
    Today is one count (``patient_list_now``). Two statements whatever the history."""
    today = local_today(practice.timezone, now)
    this_month = today.replace(day=1)
    past_ends = [
        fig.month_end(fig.add_months(this_month, -back)) for back in range(months - 1, 0, -1)
    ]
    recorded = {}
    if past_ends:
        recorded = dict(
            session.execute(
                select(PatientListSnapshot.day, PatientListSnapshot.patient_list).where(
                    PatientListSnapshot.gp_id == gp_id,
                    PatientListSnapshot.day >= past_ends[0],
                    PatientListSnapshot.day <= past_ends[-1],
                    PatientListSnapshot.day.in_(past_ends),
                )
            ).all()
        )
    points: list[int | None] = [recorded.get(day) for day in past_ends]
    points.append(patient_list_now(session, gp_id=gp_id, day=today))
    return points
