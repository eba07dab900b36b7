"""What the Patientèle pages show: one GP's page, the team view, the period."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.errors import Forbidden, Invalid
from umpro.reports.services import figures as fig
from umpro.reports.services import snapshots, targets
from umpro.team.models import Staff, assisted_gp
from umpro.timeutil import local_today

DEFAULT_MONTHS = 24
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def parse_month(value: str | None, *, field: str) -> date | None:
    """``YYYY-MM`` (or a ``YYYY-MM-DD`` date) → the first day of that month."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        if _MONTH.match(value):
            return date(int(value[:4]), int(value[5:]), 1)
        return date.fromisoformat(value).replace(day=1)
    except ValueError:
        raise Invalid(
            f"Mois illisible « {value[:20]} » : utilisez le format AAAA-MM, par exemple 2026-01.",
            field=field,
        ) from None


def period(practice, *, first: date | None, last: date | None, now: datetime) -> list[date]:
    """The months shown: by default the last 24 up to this one; at most 36."""
    this_month = local_today(practice.timezone, now).replace(day=1)
    last = last or this_month
    first = first or fig.add_months(last, 1 - DEFAULT_MONTHS)
    months = fig.check_period(first, last)
    if months[0] > this_month:
        raise Invalid("La période est entièrement dans le futur.", field="from")
    return [m for m in months if m <= this_month]


@dataclass
class GPReport:
    gp: Staff
    points: list[snapshots.Point]
    today: fig.DayFigures
    requests: fig.RequestFigures
    target: object | None
    progress: targets.Progress | None
    with_assistant: bool


def assisted_gp_ids(session: Session, *, practice) -> set[int]:
    """GPs of the practice who work with an active medical assistant."""
    rows = session.execute(
        select(assisted_gp.c.gp_id)
        .join(Staff, Staff.id == assisted_gp.c.assistant_id)
        .where(Staff.practice_id == practice.id, Staff.is_active.is_(True))
    )
    return {gp_id for (gp_id,) in rows}


def gp_reports(
    session: Session, *, acting: Acting, gps: list[Staff], months: list[date]
) -> list[GPReport]:
    """The figures of ``gps`` over ``months``, each month end from a snapshot, today live.

    A bounded number of queries whatever the history and the number of GPs."""
    for gp in gps:
        if gp.practice_id != acting.actor.practice_id:
            raise Forbidden("Ce médecin n'appartient pas à votre maison de santé.")
    practice = acting.actor.practice
    ids = [gp.id for gp in gps]
    today = local_today(practice.timezone, acting.now)
    series = snapshots.monthly_series(
        session, practice=practice, gp_ids=ids, first=months[0], last=months[-1], now=acting.now
    )
    live = fig.figures_on(session, practice=practice, gp_ids=ids, day=today)
    requests = fig.requests_between(
        session, practice=practice, gp_ids=ids, first=months[0], last=fig.month_end(months[-1])
    )
    current = targets.current_targets(session, gp_ids=ids)
    assisted = assisted_gp_ids(session, practice=practice)
    reports = []
    for gp in gps:
        target = current.get(gp.id)
        progress = (
            targets.progress(target, current=live[gp.id].patient_list, on=today) if target else None
        )
        reports.append(
            GPReport(
                gp=gp,
                points=series[gp.id],
                today=live[gp.id],
                requests=requests[gp.id],
                target=target,
                progress=progress,
                with_assistant=gp.id in assisted or bool(target and target.with_assistant),
            )
        )
    return reports


def team_groups(reports: list[GPReport]) -> list[tuple[str, int, int, int]]:
    """GPs with a medical assistant against those without: (label, GPs, list, gained)."""
    groups = []
    for label, flag in (("Avec assistant médical", True), ("Sans assistant médical", False)):
        members = [r for r in reports if r.with_assistant == flag]
        gained = sum(p.started - p.ended for r in members for p in r.points)
        groups.append((label, len(members), sum(r.today.patient_list for r in members), gained))
    return groups
