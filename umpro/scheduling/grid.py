"""The agenda grid shown by the day, week and print views: pure functions, no queries.

Time runs down in 5-minute rows; a block (appointment, free time, absence) starts on a row
and spans some. CSS classes ``at-N`` and ``span-N`` place it (static/css/agenda.css): the
CSP forbids style attributes.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from umpro.scheduling.models import LIVE_STATUSES, Appointment
from umpro.scheduling.services.openings import Closure, Opening, subtract
from umpro.timeutil import to_local

ROW_MINUTES = 5
#: Free time is offered in chunks of this length (click or press Enter to book).
FREE_CHUNK = timedelta(minutes=15)
DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR = 8, 19
MAX_ROWS = 24 * 60 // ROW_MINUTES


@dataclass
class Block:
    kind: str  # "appointment", "free", "held", "absence", "closed"
    start_at: datetime
    end_at: datetime
    row: int = 1
    span: int = 1
    appointment: Appointment | None = None
    label: str = ""
    room_id: int | None = None
    #: Local wall-clock start, "2027-01-11T09:00" (prefills the booking form).
    local_start: str = ""
    #: Local wall-clock start and end, "09:00" (what the grid shows: worked out once per
    #: block here rather than by a date filter per mention in the template).
    start_hm: str = ""
    end_hm: str = ""
    #: The block's ``class`` attribute in the grid ("appt c-blue st-booked at-13 span-3
    #: short"), worked out once here rather than from six expressions in the template.
    css: str = ""


@dataclass
class Column:
    staff: object
    day: date
    title: str
    rooms: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    cancelled: list[Appointment] = field(default_factory=list)
    holiday: str | None = None
    can_book: bool = False


@dataclass
class Grid:
    first_minute: int
    last_minute: int
    columns: list[Column]
    now_row: int | None = None

    @property
    def hours(self) -> list[tuple[int, str]]:
        """(row, "08:00") for each full hour shown."""
        first_hour = -(-self.first_minute // 60)
        return [
            (self.row_of_minute(h * 60), f"{h:02d}:00")
            for h in range(first_hour, self.last_minute // 60 + 1)
            if h * 60 < self.last_minute
        ]

    @property
    def rows(self) -> int:
        return (self.last_minute - self.first_minute) // ROW_MINUTES

    def row_of_minute(self, minute: int) -> int:
        minute = min(max(minute, self.first_minute), self.last_minute)
        return (minute - self.first_minute) // ROW_MINUTES + 1


def minute_of(instant: datetime, tz: str, day: date) -> int:
    """Wall-clock minutes since local midnight of ``day`` (clamped to that day)."""
    return _minute_of_local(to_local(instant, tz), day)


def _minute_of_local(local: datetime, day: date) -> int:
    local_day = local.date()
    if local_day < day:
        return 0
    if local_day > day:
        return 24 * 60
    return local.hour * 60 + local.minute


def bounds(
    tz: str, days: Iterable[date], instants: Iterable[tuple[datetime, datetime, date]]
) -> tuple[int, int]:
    """First and last minute shown: 08:00–19:00 at least, widened to whole hours."""
    first, last = DEFAULT_FIRST_HOUR * 60, DEFAULT_LAST_HOUR * 60
    for start_at, end_at, day in instants:
        first = min(first, minute_of(start_at, tz, day))
        last = max(last, minute_of(end_at, tz, day))
    return first // 60 * 60, min(24 * 60, -(-last // 60) * 60)


#: The CSS class of each kind of block (the template draws any other kind as an absence).
KIND_CLASSES = {"appointment": "appt", "free": "free", "held": "held"}


def place(grid: Grid, block: Block, tz: str, day: date) -> Block:
    """Row, span, local times and class of ``block``: each instant converted once."""
    zone = ZoneInfo(tz)
    local_start = block.start_at.astimezone(zone)
    local_end = block.end_at.astimezone(zone)
    start = grid.row_of_minute(_minute_of_local(local_start, day))
    end = grid.row_of_minute(_minute_of_local(local_end, day))
    block.row, block.span = start, max(1, end - start)
    # isoformat is C and cheaper than strftime: "2027-01-11T09:00+01:00" → its first 16.
    block.local_start = local_start.isoformat(timespec="minutes")[:16]
    block.start_hm = block.local_start[11:]
    block.end_hm = local_end.isoformat(timespec="minutes")[11:16]
    css = f"at-{block.row} span-{block.span}"
    appointment = block.appointment
    if block.kind == "appointment" and appointment is not None:
        css = f"appt c-{appointment.type.colour} st-{appointment.status} {css}"
        if block.span <= 4:
            css += " short"
    else:
        css = f"{KIND_CLASSES.get(block.kind, 'absence')} {css}"
    block.css = css
    return block


def column_blocks(
    *,
    appointments: list[Appointment],
    openings: list[Opening],
    closures: list[Closure],
    now: datetime,
) -> tuple[list[Block], list[Appointment]]:
    """Blocks of one column (unplaced), and the appointments that no longer hold their time
    (no-show, cancelled, entered in error) listed apart."""
    live = [a for a in appointments if a.status in LIVE_STATUSES]
    cancelled = [a for a in appointments if a.status not in LIVE_STATUSES]
    blocks = [
        Block("appointment", a.start_at, a.end_at, appointment=a, room_id=a.room_id) for a in live
    ]
    blocks += [Block("absence", c.start_at, c.end_at, label=c.reason) for c in closures]
    taken = [(a.start_at, a.end_at) for a in live]
    for opening in openings:
        for start, end in subtract(opening.start_at, opening.end_at, taken):
            chunk = start
            while chunk < end:
                chunk_end = min(chunk + FREE_CHUNK, end)
                if chunk_end > now and chunk_end - chunk >= timedelta(minutes=ROW_MINUTES):
                    blocks.append(Block("free", chunk, chunk_end, room_id=opening.room_id))
                chunk = chunk_end
    blocks.sort(key=lambda b: (b.start_at, b.kind != "absence"))
    return blocks, cancelled


def mark_held(blocks: list[Block], holds: Iterable, state_labels: dict[str, str]) -> None:
    """Free blocks that overlap a slot still held for same-day care become ``held``
    blocks, labelled with the state (a released one stays free, labelled « libéré »)."""
    for block in blocks:
        if block.kind != "free":
            continue
        for hold in holds:
            if hold.start_at < block.end_at and block.start_at < hold.end_at:
                if hold.state == "held":
                    block.kind = "held"
                block.label = state_labels.get(hold.state, hold.state)
                break
