"""Reading dates and times typed by users or sent to the API, in the practice zone.

A wall-clock time without offset is the practice's local time: one that does not exist
or exists twice at a DST change is refused (umpro.timeutil.local_to_utc), never shifted.
"""

from datetime import UTC, date, datetime, timedelta

from umpro.errors import DomainError
from umpro.timeutil import local_day_bounds, local_to_utc


class BadInput(DomainError):
    """A value that cannot be read at all (answered 400)."""

    status = 400
    code = "bad_request"


def parse_instant(value, *, tz: str, field: str) -> datetime:
    """ISO 8601: with an offset, that instant; without, a wall-clock time in ``tz``."""
    if not isinstance(value, str) or not value.strip():
        raise BadInput(
            "Date et heure attendues au format ISO 8601, par exemple 2026-11-23T09:30+01:00.",
            field=field,
        )
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(
            f"Date et heure illisibles « {value[:40]} » : utilisez le format ISO 8601, "
            "par exemple 2026-11-23T09:30+01:00.",
            field=field,
        ) from None
    plausible_day(parsed.date(), field=field)
    if parsed.tzinfo is None:
        return local_to_utc(parsed.date(), parsed.time(), tz, field=field)
    return parsed.astimezone(UTC)


FIRST_YEAR, LAST_YEAR = 1900, 2200


def parse_day(value: str, *, field: str) -> date:
    try:
        day = date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise BadInput(
            f"Date illisible « {str(value)[:40]} » : utilisez le format AAAA-MM-JJ.", field=field
        ) from None
    return plausible_day(day, field=field)


def plausible_day(day: date, *, field: str) -> date:
    """Refuse dates far outside an agenda's life (typing mistakes; they overflow)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadInput(f"Date hors limites ({FIRST_YEAR}–{LAST_YEAR}).", field=field)
    return day


def parse_bound(value: str, *, tz: str, field: str, end: bool = False) -> datetime:
    """A period bound: a date (local midnight; the day after for an end) or an instant."""
    if len(value.strip()) == 10:
        day = parse_day(value, field=field)
        start, next_midnight = local_day_bounds(day, tz)
        return next_midnight if end else start
    return parse_instant(value, tz=tz, field=field)


def parse_ids(value: str, *, field: str) -> list[int]:
    """``12`` or ``12,13`` → [12, 13]."""
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise BadInput(
            "Identifiants attendus : des nombres séparés par des virgules.", field=field
        ) from None


def parse_int(value, *, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadInput(f"{label} : un identifiant numérique est attendu.", field=field)
    try:
        return int(value)
    except ValueError:
        raise BadInput(f"{label} : un identifiant numérique est attendu.", field=field) from None


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
