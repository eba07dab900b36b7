"""Conversions between stored UTC instants and the practice's wall-clock time.

Only the edges (forms, templates, iCal) convert. A local time that does not exist, or
exists twice, at a DST change is refused, never shifted silently.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from umpro.errors import Invalid


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_local(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


def local_to_utc(day: date, wall: time, tz: str, *, field: str | None = None) -> datetime:
    """The UTC instant of a wall-clock time in ``tz``; refuses DST gaps and overlaps."""
    zone_info = ZoneInfo(tz)
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone_info, fold=0)
    second = naive.replace(tzinfo=zone_info, fold=1)
    if first.utcoffset() != second.utcoffset():
        # fold only matters in a gap or an overlap; tell them apart by round-tripping.
        if first.astimezone(UTC).astimezone(zone_info).replace(tzinfo=None) != naive:
            raise Invalid(
                f"L'heure {wall:%H:%M} n'existe pas le {day:%d/%m/%Y} "
                "(passage à l'heure d'été) : choisissez une autre heure.",
                field=field,
            )
        raise Invalid(
            f"L'heure {wall:%H:%M} existe deux fois le {day:%d/%m/%Y} "
            "(passage à l'heure d'hiver) : choisissez une autre heure.",
            field=field,
        )
    return first.astimezone(UTC)


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """UTC instants of local midnight of ``day`` and of the next day."""
    zone_info = ZoneInfo(tz)
    start = datetime.combine(day, time()).replace(tzinfo=zone_info)
    end = datetime.combine(day + timedelta(days=1), time()).replace(tzinfo=zone_info)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_days_bounds(first_day: date, last_day: date, tz: str) -> tuple[datetime, datetime]:
    """UTC instants of local midnight of ``first_day`` and of the day after ``last_day``:
    the days from ``first_day`` to ``last_day``, both included."""
    return local_day_bounds(first_day, tz)[0], local_day_bounds(last_day, tz)[1]


def local_today(tz: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(tz)).date()
