"""When an agenda is open: weekly rules in wall-clock hours, minus absences and holidays.

Rules keep their wall-clock hours across DST changes: the UTC instants of an opening are
worked out for each local day, so 08:30 stays 08:30 in winter and in summer.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, lazyload

from umpro.scheduling.holidays import holiday_name
from umpro.scheduling.models import (
    ABSENCE_KINDS,
    Absence,
    AvailabilityRule,
    WeeklyAbsence,
    availability_rule_type,
)
from umpro.timeutil import local_day_bounds, local_days_bounds, local_to_utc


@dataclass(frozen=True)
class Opening:
    """A period when ``staff_id`` receives, in ``room_id``, the types ``type_ids``
    (empty: every type their profession may perform)."""

    staff_id: int
    start_at: datetime
    end_at: datetime
    room_id: int | None
    type_ids: frozenset[int]
    rule_id: int

    def allows(self, type_id: int) -> bool:
        return not self.type_ids or type_id in self.type_ids

    def contains(self, start_at: datetime, end_at: datetime) -> bool:
        return self.start_at <= start_at and end_at <= self.end_at


@dataclass(frozen=True)
class Closure:
    """Why an agenda is closed for a while (shown in the views, given in refusals)."""

    staff_id: int
    start_at: datetime
    end_at: datetime
    reason: str


@dataclass
class AgendaTemplate:
    """Rules (with their types), absences and weekly absences of a set of staff over a
    period, loaded in three queries."""

    tz: str
    staff_ids: frozenset[int] = frozenset()
    rules: dict[int, list[AvailabilityRule]] = field(default_factory=lambda: defaultdict(list))
    absences: dict[int, list[Absence]] = field(default_factory=lambda: defaultdict(list))
    weekly: dict[int, list[WeeklyAbsence]] = field(default_factory=lambda: defaultdict(list))
    #: Openings already worked out, by (staff id, day): a page asks for the same day of
    #: the same person several times (which columns to show, the grid, the supervisor of
    #: a junior), and the rules and absences loaded do not change during a request.
    computed: dict[tuple[int, date], tuple["Opening", ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: The allowed types of each rule (read once per template, not once per day).
    rule_types: dict[int, frozenset[int]] = field(default_factory=dict, repr=False, compare=False)


def wall_clock(day: date, wall: time, tz: str) -> datetime:
    """The UTC instant of a rule's wall-clock time (rules are not in DST gaps in practice;
    if one is, the first offset is taken rather than failing a whole agenda)."""
    return datetime.combine(day, wall).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


#: How far ahead an open-ended rule is checked against DST changes.
DST_HORIZON_YEARS = 10


def check_rule_hours(
    *, weekday: int, start: time, end: time, valid_from: date, valid_until: date | None, tz: str
) -> None:
    """Refuse (French message) a weekly rule whose start or end falls in a DST gap or
    fold on one of its days: it would be shifted silently otherwise. Only the days of a
    DST change are tried (two a year)."""
    last = valid_until or valid_from.replace(year=valid_from.year + DST_HORIZON_YEARS)
    zone = ZoneInfo(tz)
    for year in range(valid_from.year, last.year + 1):
        for month in (3, 10):
            # The change falls on the last Sunday of March and October in Europe; try
            # the whole last week of those months so that other zones are covered too.
            for day_number in range(24, 32):
                day = date(year, month, day_number)
                if day.weekday() != weekday or not valid_from <= day <= last:
                    continue
                before = datetime.combine(day, time()).replace(tzinfo=zone).utcoffset()
                after = datetime.combine(day, time(23, 59)).replace(tzinfo=zone).utcoffset()
                if before == after:
                    continue
                for wall, field_name in ((start, "start_time"), (end, "end_time")):
                    local_to_utc(day, wall, tz, field=field_name)


#: load_template's queries, built once and bound per call (``bounds`` below): building a
#: statement and its cache key took longer than SQLite's answer on these small tables.
_RULES = (
    # With the ids of each rule's types, from the link table (outer join: a rule without
    # types allows every type), in the same statement: one row per (rule, type). The
    # openings need only those ids, not the AppointmentType objects the relationship loads.
    select(AvailabilityRule, availability_rule_type.c.type_id)
    .outerjoin(availability_rule_type, availability_rule_type.c.rule_id == AvailabilityRule.id)
    .options(lazyload(AvailabilityRule.types))
    .where(
        AvailabilityRule.practice_id == bindparam("practice_id"),
        AvailabilityRule.staff_id.in_(bindparam("staff_ids", expanding=True)),
        AvailabilityRule.valid_from <= bindparam("last_day"),
        AvailabilityRule.valid_until.is_(None)
        | (AvailabilityRule.valid_until >= bindparam("first_day")),
    )
    .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time, AvailabilityRule.id)
)
_ABSENCES = (
    select(Absence)
    .where(
        Absence.practice_id == bindparam("practice_id"),
        Absence.staff_id.in_(bindparam("staff_ids", expanding=True)),
        Absence.start_at < bindparam("end_at"),
        Absence.end_at > bindparam("start_at"),
    )
    .order_by(Absence.start_at)
)
_WEEKLY = select(WeeklyAbsence).where(
    WeeklyAbsence.practice_id == bindparam("practice_id"),
    WeeklyAbsence.staff_id.in_(bindparam("staff_ids", expanding=True)),
    WeeklyAbsence.valid_from <= bindparam("last_day"),
    WeeklyAbsence.valid_until.is_(None) | (WeeklyAbsence.valid_until >= bindparam("first_day")),
)


def load_template(
    session: Session,
    *,
    practice_id: int,
    staff_ids: Iterable[int],
    first_day: date,
    last_day: date,
    tz: str,
) -> AgendaTemplate:
    """Rules, absences and weekly absences of ``staff_ids`` between two local days."""
    ids = list(set(staff_ids))
    template = AgendaTemplate(tz=tz, staff_ids=frozenset(ids))
    if not ids:
        return template
    start_at, end_at = local_days_bounds(first_day, last_day, tz)
    bounds = {
        "practice_id": practice_id,
        "staff_ids": ids,
        "first_day": first_day,
        "last_day": last_day,
        "start_at": start_at,
        "end_at": end_at,
    }
    types: dict[int, set[int]] = {}
    for rule, type_id in session.execute(_RULES, bounds):
        known = types.get(rule.id)
        if known is None:
            template.rules[rule.staff_id].append(rule)
            known = types[rule.id] = set()
        if type_id is not None:
            known.add(type_id)
    template.rule_types = {rule_id: frozenset(ids) for rule_id, ids in types.items()}
    for absence in session.scalars(_ABSENCES, bounds):
        template.absences[absence.staff_id].append(absence)
    for item in session.scalars(_WEEKLY, bounds):
        template.weekly[item.staff_id].append(item)
    return template


def closures_for(template: AgendaTemplate, *, staff_id: int, day: date) -> list[Closure]:
    """Absences (one-off and weekly) of ``staff_id`` touching the local ``day``."""
    tz = template.tz
    day_start, day_end = local_day_bounds(day, tz)
    closures = [
        Closure(
            staff_id,
            max(a.start_at, day_start),
            min(a.end_at, day_end),
            ABSENCE_KINDS.get(a.kind, a.kind),
        )
        for a in template.absences.get(staff_id, [])
        if a.start_at < day_end and a.end_at > day_start
    ]
    closures += [
        Closure(
            staff_id,
            wall_clock(day, w.start_time, tz),
            wall_clock(day, w.end_time, tz),
            ABSENCE_KINDS.get(w.kind, w.kind),
        )
        for w in template.weekly.get(staff_id, [])
        if w.applies_on(day)
    ]
    return sorted(closures, key=lambda c: c.start_at)


def subtract(
    start_at: datetime, end_at: datetime, holes: Iterable[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The parts of [start_at, end_at) not covered by ``holes``."""
    pieces = [(start_at, end_at)]
    for hole_start, hole_end in holes:
        kept = []
        for s, e in pieces:
            if hole_end <= s or hole_start >= e:
                kept.append((s, e))
                continue
            if s < hole_start:
                kept.append((s, hole_start))
            if hole_end < e:
                kept.append((hole_end, e))
        pieces = kept
    return pieces


def openings_for(template: AgendaTemplate, *, staff_id: int, day: date) -> list[Opening]:
    """The openings of ``staff_id`` on the local ``day``: rules applying that day, closed on
    public holidays (unless the rule says otherwise), minus absences. Worked out once per
    template, staff member and day."""
    key = (staff_id, day)
    known = template.computed.get(key)
    if known is None:
        known = template.computed[key] = tuple(_openings(template, staff_id, day))
    return list(known)


def _openings(template: AgendaTemplate, staff_id: int, day: date) -> list[Opening]:
    tz = template.tz
    holiday = holiday_name(day)
    holes = [(c.start_at, c.end_at) for c in closures_for(template, staff_id=staff_id, day=day)]
    openings = []
    for rule in template.rules.get(staff_id, []):
        if not rule.applies_on(day) or (holiday and not rule.open_on_holidays):
            continue
        type_ids = template.rule_types.get(rule.id)
        if type_ids is None:
            type_ids = template.rule_types[rule.id] = frozenset(t.id for t in rule.types)
        start_at = wall_clock(day, rule.start_time, tz)
        end_at = wall_clock(day, rule.end_time, tz)
        for s, e in subtract(start_at, end_at, holes):
            openings.append(Opening(staff_id, s, e, rule.room_id, type_ids, rule.id))
    return sorted(openings, key=lambda o: o.start_at)


def days_between(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
