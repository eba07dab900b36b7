"""Assembling a feed from cached VEVENT parts.

A download runs a bounded number of queries whatever the number of events: the
token, the throttle, the validators (umpro/calendars/http_cache.py), then one query for
the events with their cached text, and — only when some are missing or stale — one
load of those and one bulk upsert.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access
from umpro.calendars import ics
from umpro.calendars.http_cache import (
    WITHDRAWN,
    Context,
    FeedSettings,
    Validators,
    Window,
    digest,
    in_feed,
    revalidate,
    show_patients,
    validators,
)
from umpro.calendars.models import BUSY, PRACTICE, ROOM, STAFF, EventCache, FeedToken
from umpro.scheduling.models import ENTERED_IN_ERROR, NOSHOW, Appointment

__all__ = [
    "FeedSettings",
    "Rendered",
    "event_text",
    "render",
    "revalidate",
    "validators",
    "variant",
]


def event_text(
    *,
    uid: str,
    status: str,
    start_at: datetime,
    end_at: datetime,
    sequence: int,
    created_at: datetime | None,
    updated_at: datetime,
    type_label: str,
    is_home_visit: bool,
    is_teleconsultation: bool,
    room_name: str,
    staff_name: str,
    patient_words: str,
    private: bool,
) -> ics.EventText:
    """What a feed says of one appointment. ``staff_name`` is empty in one's own agenda;
    ``patient_words`` is empty at the busy-only level.

    Statuses: booked, arrived and fulfilled are CONFIRMED. A cancellation is CANCELLED.
    A no-show is kept as CONFIRMED but transparent (its time was freed and may have been
    rebooked) with "(non venu)". An appointment entered in error is CANCELLED, not simply
    dropped: clients that already have it remove it on seeing CANCELLED (some keep
    events that merely vanish), and since it may have been made for the wrong patient
    it never shows patient words.
    """
    summary = type_label
    if patient_words and status != ENTERED_IN_ERROR:
        summary += f" — {patient_words}"
    if staff_name:
        summary += f" ({staff_name})"
    if status == NOSHOW:
        summary += " (non venu)"
    if status in WITHDRAWN:
        summary = f"Annulé : {summary}"
    if is_teleconsultation:
        location = "Téléconsultation"
    elif is_home_visit:
        location = "Visite à domicile"
    else:
        location = room_name
    return ics.EventText(
        uid=uid,
        start_at=start_at,
        end_at=end_at,
        # No METHOD in a feed: DTSTAMP is when the event was last revised (RFC 5545
        # §3.8.7.2), which also keeps the cached text independent of the download time.
        stamp_at=updated_at,
        sequence=sequence,
        status="CANCELLED" if status in WITHDRAWN else "CONFIRMED",
        summary=summary,
        location=location,
        created_at=created_at,
        last_modified_at=updated_at,
        is_transparent=status in (*WITHDRAWN, NOSHOW),
        is_private=private,
    )


@dataclass(frozen=True)
class Rendered:
    body: bytes
    validators: Validators
    #: Patients whose data the body shows (empty at the busy-only level).
    patient_ids: list[int]
    events: int
    rebuilt: int


def variant(feed: FeedToken) -> str:
    """Cache variant: the detail level, and whether summaries name the professional."""
    return f"{feed.detail}-{'own' if feed.scope == STAFF else 'named'}"


def download(
    session: Session,
    *,
    feed: FeedToken,
    now: datetime,
    settings: FeedSettings,
    known: Validators | None = None,
    ip: str = "",
) -> Rendered:
    """A download of the feed by its secret link: ``render``, and one access-log row for
    the patients it shows (no actor: the token's practice sees the row)."""
    rendered = render(session, feed=feed, now=now, settings=settings, known=known)
    record_access(
        session,
        acting=Acting(None, now, ip),
        action="calendars.feed",
        patient_ids=rendered.patient_ids,
        target=f"feed:{feed.id}",
        practice_id=feed.practice_id,
    )
    return rendered


def render(
    session: Session,
    *,
    feed: FeedToken,
    now: datetime,
    settings: FeedSettings,
    known: Validators | None = None,
) -> Rendered:
    """The whole feed as bytes, from cached VEVENTs; stale or missing ones are rebuilt
    and stored in one bulk upsert (the caller commits).

    Queries: one scan of the events with their cached text (freshness of the appointment
    part decided by the database, so no date is decoded for fresh rows), one load of the
    stale rows when there are any, one upsert.
    """
    checked = known or validators(session, feed=feed, now=now, settings=settings)
    win, context = checked.window, show_patients(feed, checked.context)
    tzid = feed.owner.practice.timezone
    kind = variant(feed)
    named = feed.scope != STAFF
    shows_patients = feed.shows_patients
    cache = EventCache.__table__.c
    fresh = and_(
        cache.version == Appointment.version,
        cache.sequence == Appointment.sequence,
        cache.updated_at == Appointment.updated_at,
    )
    scan = (
        select(
            Appointment.id,
            Appointment.type_id,
            Appointment.room_id,
            Appointment.staff_id,
            Appointment.patient_id,
            Appointment.status,
            fresh.label("fresh"),
            cache.digest,
            cache.vevent,
        )
        .outerjoin(
            EventCache.__table__,
            and_(cache.appointment_id == Appointment.id, cache.variant == kind),
        )
        .where(*in_feed(feed, win))
        .order_by(Appointment.start_at, Appointment.id)
    )
    digests: dict[tuple, str] = {}
    parts: list[str] = []
    stale: dict[int, tuple[int, str]] = {}  # appointment id → (position in parts, digest)
    patient_ids: set[int] = set()
    no_words = ("", False, False)
    for (
        ident,
        type_id,
        room_id,
        staff_id,
        patient_id,
        status,
        is_fresh,
        cached_digest,
        text,
    ) in session.execute(scan):
        if not shows_patients:
            patient_id = None
        elif status != ENTERED_IN_ERROR:
            patient_ids.add(patient_id)
        key = (type_id, room_id, staff_id, patient_id)
        wanted = digests.get(key)
        if wanted is None:
            label, is_home, is_tele = context.types.get(type_id, no_words)
            wanted = digests[key] = digest(
                ics.FORMAT_VERSION,
                kind,
                tzid,
                label,
                is_home,
                is_tele,
                context.rooms.get(room_id, ""),
                context.staff.get(staff_id, "") if named else "",
                context.patients.get(patient_id, "") if patient_id else "",
            )
        if not is_fresh or cached_digest != wanted:
            stale[ident] = (len(parts), wanted)
        parts.append(text)
    if stale:
        _rebuild(session, feed=feed, win=win, context=context, stale=stale, parts=parts)
    head = ics.calendar_head(
        tzid=tzid,
        first_year=win.first_year,
        last_year=win.last_year,
        name=feed_name(feed, context),
    )
    body = "".join((head, *parts, ics.CALENDAR_TAIL)).encode()
    return Rendered(
        body=body,
        validators=checked,
        patient_ids=sorted(patient_ids),
        events=len(parts),
        rebuilt=len(stale),
    )


#: Up to this many stale rows are loaded by id; beyond, the whole window is re-read.
_BY_ID_LIMIT = 500


def _rebuild(
    session: Session,
    *,
    feed: FeedToken,
    win: Window,
    context: Context,
    stale: dict[int, tuple[int, str]],
    parts: list[str],
) -> None:
    """Build the stale events' text into ``parts`` and upsert them into the cache."""
    tzid = feed.owner.practice.timezone
    zone = ZoneInfo(tzid)
    kind = variant(feed)
    named = feed.scope != STAFF
    private = feed.detail != BUSY
    where = in_feed(feed, win)
    if len(stale) <= _BY_ID_LIMIT:
        where.append(Appointment.id.in_(list(stale)))
    query = select(
        Appointment.id,
        Appointment.uid,
        Appointment.status,
        Appointment.start_at,
        Appointment.end_at,
        Appointment.sequence,
        Appointment.version,
        Appointment.created_at,
        Appointment.updated_at,
        Appointment.type_id,
        Appointment.room_id,
        Appointment.staff_id,
        Appointment.patient_id,
    ).where(*where)
    rows = []
    for row in session.execute(query):
        if row.id not in stale:
            continue
        position, wanted = stale[row.id]
        label, is_home, is_tele = context.types.get(row.type_id, ("", False, False))
        patient_id = row.patient_id if feed.shows_patients else None
        text = ics.vevent(
            event_text(
                uid=row.uid,
                status=row.status,
                start_at=row.start_at,
                end_at=row.end_at,
                sequence=row.sequence,
                created_at=row.created_at,
                updated_at=row.updated_at,
                type_label=label,
                is_home_visit=is_home,
                is_teleconsultation=is_tele,
                room_name=context.rooms.get(row.room_id, ""),
                staff_name=context.staff.get(row.staff_id, "") if named else "",
                patient_words=context.patients.get(patient_id, "") if patient_id else "",
                private=private,
            ),
            zone,
            tzid,
        )
        parts[position] = text
        rows.append(
            {
                "appointment_id": row.id,
                "variant": kind,
                "practice_id": feed.practice_id,
                "version": row.version,
                "sequence": row.sequence,
                "updated_at": row.updated_at,
                "digest": wanted,
                "vevent": text,
            }
        )
    _store(session, rows)


def _store(session: Session, rows: list[dict]) -> None:
    """Insert or replace cache rows in one statement (sorted: a stable lock order)."""
    rows.sort(key=lambda r: r["appointment_id"])
    table = EventCache.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.appointment_id, table.c.variant],
        set_={
            name: statement.excluded[name]
            for name in ("version", "sequence", "updated_at", "digest", "vevent")
        },
    )
    session.connection().execute(statement, rows)


def feed_name(feed: FeedToken, context: Context) -> str:
    """The calendar's name in the subscriber's app (a professional, a room, the practice)."""
    if feed.scope == PRACTICE:
        return f"UMPro — {feed.owner.practice.name}"
    if feed.scope == ROOM:
        return f"UMPro — {context.rooms.get(feed.target_id, 'Salle')}"
    return f"UMPro — {context.staff.get(feed.target_id, 'Agenda')}"
