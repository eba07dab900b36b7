"""Reading dates and times typed by users or sent to the API, in the practice zone.

The readers live in the one input parser (``umpro.api.input``); the agenda's names for
them stay here so its pages and services keep one import.
"""

from datetime import date, timedelta

from umpro.api.input import parse_bound, parse_day, parse_instant, plausible_day

__all__ = ["parse_bound", "parse_day", "parse_instant", "plausible_day", "week_start"]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
