"""RFC 5545 text, written by hand: pure functions returning ``str`` (parts) or ``bytes``.

The iCalendar library builds a tree of objects per event and serialises it on every
download; for a 10,000-event feed that is the slow part. Here an event is a few
formatted lines, built once and cached (umpro/calendars/feeds.py), and a feed is the
concatenation of those parts. Rules kept: CRLF line ends; lines folded at 75 octets
without splitting a UTF-8 character; TEXT values escaped (backslash, semicolon,
comma, newline); DTSTAMP in UTC; DTSTART/DTEND as wall-clock time with ``TZID`` and a
VTIMEZONE describing that zone.

Privacy (docs/architecture.md): nothing here reads a patient. Callers pass the words to show; the
feed decides from the token's detail level, and :func:`appointment_ics` (sent to the
patient) shows the appointment type, the professional and the practice only.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from umpro.db import utcnow

CRLF = "\r\n"
PRODID = "-//UMPro//Calendriers UMPro 1.0//FR"
#: Bump when the text of an event changes shape: every cached VEVENT is then rebuilt.
FORMAT_VERSION = "1"

#: Organiser address of the per-appointment .ics when the caller gives none.
DEFAULT_ORGANIZER = "ne-pas-repondre@umpro.invalid"

_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.translate(_TEXT_ESCAPES)


def param_value(value: str) -> str:
    """A parameter value: quoted when needed; DQUOTE and line breaks cannot appear in one."""
    value = " ".join(value.replace('"', "'").split())
    if any(c in value for c in ":;,"):
        return f'"{value}"'
    return value


def fold(line: str) -> str:
    """One content line with its CRLF, folded at 75 octets on character boundaries."""
    if len(line) <= 75 and line.isascii():  # the common case: nothing to do
        return line + CRLF
    if len(line.encode()) <= 75:
        return line + CRLF
    chunks = []
    current: list[str] = []
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            chunks.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with a space
        current.append(char)
        size += width
    chunks.append("".join(current))
    return (CRLF + " ").join(chunks) + CRLF


def _stamp(moment: datetime) -> str:
    # An f-string is about twice as fast as strftime, which counts for 10,000 events.
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


def utc_stamp(instant: datetime) -> str:
    """``20260329T070000Z``: an instant in UTC (DTSTAMP, CREATED, LAST-MODIFIED)."""
    if instant.utcoffset():
        instant = instant.astimezone(UTC)
    return _stamp(instant) + "Z"


def local_stamp(instant: datetime, zone: ZoneInfo) -> str:
    """``20260329T090000``: the wall-clock time in ``zone`` (used with ``TZID=``)."""
    return _stamp(instant.astimezone(zone))


# --- VTIMEZONE ------------------------------------------------------------------------


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{minutes:02d}"


@dataclass(frozen=True)
class _Transition:
    at: datetime  # UTC instant of the change
    before: timedelta
    after: timedelta
    name: str
    is_dst: bool


def _transitions(zone: ZoneInfo, year: int) -> list[_Transition]:
    """Offset changes of ``zone`` during ``year``: days compared, then bisection to the second."""

    def offset(seconds: int) -> timedelta:
        return datetime.fromtimestamp(seconds, UTC).astimezone(zone).utcoffset()

    found = []
    day = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    while day < end:
        nxt = day + 86_400
        if offset(day) != offset(nxt):
            low, high = day, nxt  # offset(low) is the old one, offset(high) the new one
            while high - low > 1:
                middle = (low + high) // 2
                if offset(middle) == offset(low):
                    low = middle
                else:
                    high = middle
            at = datetime.fromtimestamp(high, UTC)
            after = at.astimezone(zone)
            found.append(
                _Transition(
                    at=at,
                    before=offset(low),
                    after=after.utcoffset(),
                    name=after.tzname() or "",
                    is_dst=bool(after.dst()),
                )
            )
        day = nxt
    return found


def _byday(local: datetime) -> str:
    """``-1SU`` (last Sunday) or ``2SU`` (second Sunday) for a transition's local date."""
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[local.weekday()]
    if (local + timedelta(days=7)).month != local.month:
        return f"-1{weekday}"
    return f"{(local.day - 1) // 7 + 1}{weekday}"


def _observance(t: _Transition, rrule: str | None) -> list[str]:
    kind = "DAYLIGHT" if t.is_dst else "STANDARD"
    local_before = (t.at + t.before).replace(tzinfo=None)  # the wall time that is skipped
    lines = [
        f"BEGIN:{kind}",
        f"TZOFFSETFROM:{_offset(t.before)}",
        f"TZOFFSETTO:{_offset(t.after)}",
        f"TZNAME:{escape_text(t.name)}",
        f"DTSTART:{local_before:%Y%m%dT%H%M%S}",
    ]
    if rrule:
        lines.append(rrule)
    lines.append(f"END:{kind}")
    return lines


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE of ``tzid`` valid for every instant of ``first_year``…``last_year``.

    When each year has the same changes on the same rule (Europe: last Sunday of March
    and of October), they are written once with a yearly RRULE, as calendar apps
    expect; otherwise each change of the range is listed.
    """
    zone = ZoneInfo(tzid)
    years = {y: _transitions(zone, y) for y in range(first_year, last_year + 1)}
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    first = years[first_year]
    if not any(years.values()):
        start = datetime(first_year, 1, 1, tzinfo=UTC).astimezone(zone)
        offset = start.utcoffset()
        lines += [
            "BEGIN:STANDARD",
            f"TZOFFSETFROM:{_offset(offset)}",
            f"TZOFFSETTO:{_offset(offset)}",
            f"TZNAME:{escape_text(start.tzname() or tzid)}",
            "DTSTART:19700101T000000",
            "END:STANDARD",
        ]
    elif all(len(ts) == len(first) for ts in years.values()) and all(
        (t.before, t.after, (t.at + t.before).strftime("%m %H%M"), _byday(t.at + t.before))
        == (f.before, f.after, (f.at + f.before).strftime("%m %H%M"), _byday(f.at + f.before))
        for ts in years.values()
        for t, f in zip(ts, first, strict=True)
    ):
        for t in first:
            local = t.at + t.before
            lines += _observance(
                t, f"RRULE:FREQ=YEARLY;BYMONTH={local.month};BYDAY={_byday(local)}"
            )
    else:
        for ts in years.values():
            for t in ts:
                lines += _observance(t, None)
    lines.append("END:VTIMEZONE")
    return "".join(fold(line) for line in lines)


# --- Events ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventText:
    """What one VEVENT says. Every string here is shown as is: choose it with care."""

    uid: str
    start_at: datetime
    end_at: datetime
    stamp_at: datetime
    sequence: int
    status: str  # CONFIRMED, TENTATIVE or CANCELLED
    summary: str
    location: str = ""
    description: str = ""
    created_at: datetime | None = None
    last_modified_at: datetime | None = None
    is_transparent: bool = False
    is_private: bool = False


def vevent(event: EventText, zone: ZoneInfo, tzid: str) -> str:
    """One VEVENT, folded, each line ending with CRLF."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{utc_stamp(event.stamp_at)}",
        f"DTSTART;TZID={tzid}:{local_stamp(event.start_at, zone)}",
        f"DTEND;TZID={tzid}:{local_stamp(event.end_at, zone)}",
        f"SEQUENCE:{event.sequence}",
        f"STATUS:{event.status}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    lines.append("TRANSP:TRANSPARENT" if event.is_transparent else "TRANSP:OPAQUE")
    if event.is_private:
        lines.append("CLASS:PRIVATE")
    if event.created_at is not None:
        lines.append(f"CREATED:{utc_stamp(event.created_at)}")
    if event.last_modified_at is not None:
        lines.append(f"LAST-MODIFIED:{utc_stamp(event.last_modified_at)}")
    lines.append("END:VEVENT")
    return "".join(fold(line) for line in lines)


def calendar_head(
    *, tzid: str, first_year: int, last_year: int, name: str = "", method: str = ""
) -> str:
    """BEGIN:VCALENDAR … VTIMEZONE: what comes before the events."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        # RFC 7986 NAME, and the X-WR-CALNAME that Apple and Google read.
        lines += [f"NAME:{escape_text(name)}", f"X-WR-CALNAME:{escape_text(name)}"]
        lines += [
            f"X-WR-TIMEZONE:{tzid}",
            "REFRESH-INTERVAL;VALUE=DURATION:PT15M",
            "X-PUBLISHED-TTL:PT15M",
        ]
    return "".join(fold(line) for line in lines) + vtimezone(tzid, first_year, last_year)


CALENDAR_TAIL = "END:VCALENDAR" + CRLF


# --- The per-appointment .ics sent to the patient ----------------------------------------


def appointment_summary(appointment) -> str:
    """``Consultation — Dr Claire Martin``: the type and the professional, no patient."""
    return f"{appointment.type.label} — {appointment.staff.display_name}"


def appointment_location(appointment) -> str:
    """Where the patient goes: the practice's name and address (or how it happens)."""
    if appointment.type.is_teleconsultation:
        return "Téléconsultation"
    if appointment.type.is_home_visit:
        return "À domicile"
    practice = appointment.staff.practice
    return ", ".join(part for part in (practice.name, practice.address) if part)


def appointment_ics(
    appointment,
    *,
    method: str = "REQUEST",
    organizer_email: str = DEFAULT_ORGANIZER,
    now: datetime | None = None,
) -> bytes:
    """The ``.ics`` of one appointment, as sent to the patient (reminder e-mails).

    ``METHOD:REQUEST`` describes the appointment; ``METHOD:CANCEL`` withdraws it with the
    same UID and a SEQUENCE higher than any REQUEST sent before: the stored sequence when
    the appointment is already cancelled (the cancellation raised it), else one more.
    The patient is the reader: the summary is the appointment type and the professional's
    name, the location the practice's address, and no patient name appears (the patient's
    e-mail address, when known, is the ATTENDEE as iTIP requires).
    """
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    practice = appointment.staff.practice
    zone = ZoneInfo(practice.timezone)
    sequence = appointment.sequence or 0
    is_withdrawn = appointment.status in ("cancelled", "entered-in-error")
    if method == "CANCEL" and not is_withdrawn:
        sequence += 1
    stamp = now or utcnow()
    description = f"Rendez-vous à {practice.name}."
    if practice.phone:
        description += f" Pour annuler ou déplacer ce rendez-vous : {practice.phone}."
    event = EventText(
        uid=appointment.uid,
        start_at=appointment.start_at,
        end_at=appointment.end_at,
        stamp_at=stamp,
        sequence=sequence,
        status="CANCELLED" if method == "CANCEL" else "CONFIRMED",
        summary=appointment_summary(appointment),
        location=appointment_location(appointment),
        description=description,
        created_at=appointment.created_at,
        last_modified_at=appointment.updated_at,
    )
    body = vevent(event, zone, practice.timezone)
    # iTIP (RFC 5546) wants the organiser and the attendee inside the event.
    people = [fold(f"ORGANIZER;CN={param_value(practice.name)}:mailto:{organizer_email}")]
    patient_email = getattr(appointment.patient, "email", "") or ""
    if patient_email:
        people.append(
            fold(f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:{patient_email}")
        )
    body = body.replace("END:VEVENT" + CRLF, "".join(people) + "END:VEVENT" + CRLF)
    local_year = appointment.start_at.astimezone(zone).year
    head = calendar_head(
        tzid=practice.timezone, first_year=local_year, last_year=local_year, method=method
    )
    return (head + body + CALENDAR_TAIL).encode()
