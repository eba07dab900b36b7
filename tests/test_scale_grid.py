"""The agenda grid works out each block's local times once (``place``) instead of the
template formatting them per mention with the ``time_fr`` filter (flask_babel's
``format_datetime(v, "HH:mm")`` in the practice zone): the times shown must stay the
filter's, DST change days included."""

from datetime import UTC, date, datetime, timedelta

import pytest
from babel.dates import format_datetime, get_timezone

from umpro.scheduling.grid import Block, Grid, place

TZ = "Europe/Paris"


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 30)])
def test_block_times_are_the_date_filter_s(day):
    grid = Grid(0, 24 * 60, [])
    zone = get_timezone(TZ)
    start = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    for step in range(0, 26 * 60, 5):
        start_at = start + timedelta(hours=22, minutes=step)
        end_at = start_at + timedelta(minutes=25)
        block = place(grid, Block("free", start_at, end_at), TZ, day)
        assert block.start_hm == format_datetime(start_at, "HH:mm", tzinfo=zone, locale="fr")
        assert block.end_hm == format_datetime(end_at, "HH:mm", tzinfo=zone, locale="fr")
