"""The agenda grid works out each block's local times once (``place``) instead of the
template formatting them per mention with the ``time_fr`` filter (flask_babel's
``format_datetime(v, "HH:mm")`` in the practice zone): the times shown must stay the
filter's, DST change days included."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

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
        assert block.local_start == format_datetime(
            start_at, "yyyy-MM-dd'T'HH:mm", tzinfo=zone, locale="fr"
        )


@pytest.mark.parametrize(
    ("kind", "minutes", "css"),
    [
        ("appointment", 20, "appt c-teal st-arrived at-13 span-4 short"),
        ("appointment", 25, "appt c-teal st-arrived at-13 span-5"),
        ("free", 15, "free at-13 span-3"),
        ("held", 15, "held at-13 span-3"),
        ("absence", 60, "absence at-13 span-12"),
        ("closed", 60, "absence at-13 span-12"),
    ],
)
def test_block_class_is_worked_out_once_by_place(kind, minutes, css):
    """The template writes ``b.css`` as the block's class: kind, colour and status of an
    appointment, row and span, ``short`` for an appointment of 20 minutes or less."""
    grid = Grid(8 * 60, 19 * 60, [])
    start_at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Paris: row 13
    appointment = SimpleNamespace(type=SimpleNamespace(colour="teal"), status="arrived")
    block = Block(
        kind,
        start_at,
        start_at + timedelta(minutes=minutes),
        appointment=appointment if kind == "appointment" else None,
    )
    assert place(grid, block, TZ, date(2026, 11, 30)).css == css
