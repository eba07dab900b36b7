"""Helpers shared by the delegation services."""

from datetime import date, datetime

from umpro.auth.permissions import ensure as authorize  # noqa: F401 - the services' name
from umpro.errors import NotFound
from umpro.timeutil import local_today


def today(practice, now: datetime) -> date:
    """The date in the practice's zone: memberships, ages and due dates count in it."""
    return local_today(practice.timezone, now)


def same_practice(obj, practice_id: int, message: str, field: str | None = None):
    if obj is None or obj.practice_id != practice_id:
        raise NotFound(message, field=field)
    return obj


def clean_text(value: str | None, *, limit: int) -> str:
    return (value or "").strip()[:limit]


def target(kind: str, obj_id: int) -> str:
    return f"{kind}:{obj_id}"
