"""HTTP caching of a feed: what it covers (its window of days) and its validators (ETag,
Last-Modified), computed without building it: one aggregate over the appointments and the
small tables of names and labels shown. A conditional GET answered 304 stops there: the
patients' names are hashed as stored, and worked out for display only when the feed is
built.

The ETag has two parts, ``quick.content``. ``quick`` changes with the practice's data
version (``umpro.versioning``, one row) and the feed's day: while neither changed, a
client's tag is answered 304 from that one row (``revalidate``). Otherwise ``content``,
the aggregate above, decides: a change elsewhere in the practice (a file entry, another
person's day) still ends in a 304, with the tag's new quick part.

The window is computed in whole days of the practice zone, so the set of events —
hence the ETag — changes within a day only when an appointment or a name shown
changes. Cancelled appointments stay (as CANCELLED) while they were cancelled less
than ``cancelled_days`` ago, so that subscribed clients learn of the cancellation.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from umpro.calendars import ics
from umpro.calendars.models import FULL, ROOM, STAFF, FeedToken
from umpro.patients.models import Patient
from umpro.scheduling.models import CANCELLED, ENTERED_IN_ERROR, Appointment, AppointmentType
from umpro.team.models import Room, Staff
from umpro.versioning import practice_version

#: Statuses that withdraw an appointment: shown as CANCELLED for a while, then dropped.
WITHDRAWN = (CANCELLED, ENTERED_IN_ERROR)


@dataclass(frozen=True)
class FeedSettings:
    past_days: int = 30
    future_days: int = 365
    cancelled_days: int = 30

    @classmethod
    def from_config(cls, config) -> "FeedSettings":
        return cls(
            past_days=config.get("UMPRO_FEED_PAST_DAYS", cls.past_days),
            future_days=config.get("UMPRO_FEED_FUTURE_DAYS", cls.future_days),
            cancelled_days=config.get("UMPRO_FEED_CANCELLED_DAYS", cls.cancelled_days),
        )


@dataclass(frozen=True)
class Window:
    today: date
    start_at: datetime
    end_at: datetime
    withdrawn_since: datetime
    first_year: int
    last_year: int


def window(tz: str, now: datetime, settings: FeedSettings) -> Window:
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=settings.past_days)
    last = today + timedelta(days=settings.future_days)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone)

    return Window(
        today=today,
        start_at=midnight(first),
        end_at=midnight(last + timedelta(days=1)),
        withdrawn_since=midnight(today - timedelta(days=settings.cancelled_days)),
        first_year=first.year,
        last_year=last.year,
    )


def in_feed(feed: FeedToken, win: Window) -> list:
    where = [
        Appointment.practice_id == feed.practice_id,
        Appointment.start_at >= win.start_at,
        Appointment.start_at < win.end_at,
        or_(Appointment.status.not_in(WITHDRAWN), Appointment.updated_at >= win.withdrawn_since),
    ]
    if feed.scope == STAFF:
        where.append(Appointment.staff_id == feed.target_id)
    elif feed.scope == ROOM:
        where.append(Appointment.room_id == feed.target_id)
    return where


# --- Validators -------------------------------------------------------------------------


@dataclass
class Context:
    """The names and labels a feed shows, loaded once per download (small tables)."""

    types: dict[int, tuple[str, bool, bool]]
    rooms: dict[int, str]
    staff: dict[int, str]
    #: Patient id → the words shown (initials or full name), only when shown at all;
    #: filled by ``show_patients`` when the feed is built (not for a 304).
    patients: dict[int, str] = field(default_factory=dict)
    #: The shown patients' (id, family name, given names) as stored, by id.
    patient_rows: tuple[tuple[int, str, str], ...] = ()


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime | None
    count: int
    window: Window
    context: Context


def _display_name(model, **attrs) -> str:
    """The model's own display property applied to bare column values."""
    return model.display_name.fget(SimpleNamespace(**attrs))


def _context(session: Session, feed: FeedToken, win: Window) -> Context:
    pid = feed.practice_id
    types = {
        row.id: (row.label, row.is_home_visit, row.is_teleconsultation)
        for row in session.execute(
            select(
                AppointmentType.id,
                AppointmentType.label,
                AppointmentType.is_home_visit,
                AppointmentType.is_teleconsultation,
            ).where(AppointmentType.practice_id == pid)
        )
    }
    rooms = dict(session.execute(select(Room.id, Room.name).where(Room.practice_id == pid)).all())
    staff = {
        row.id: _display_name(
            Staff,
            profession=row.profession,
            given_name=row.given_name,
            family_name=row.family_name,
        )
        for row in session.execute(
            select(Staff.id, Staff.given_name, Staff.family_name, Staff.profession).where(
                Staff.practice_id == pid
            )
        )
    }
    context = Context(types=types, rooms=rooms, staff=staff)
    if feed.shows_patients:
        shown = select(Appointment.patient_id).where(*in_feed(feed, win))
        context.patient_rows = tuple(
            map(
                tuple,
                session.execute(
                    select(Patient.id, Patient.family_name, Patient.given_names)
                    .where(Patient.id.in_(shown))
                    .order_by(Patient.id)
                ),
            )
        )
    return context


def show_patients(feed: FeedToken, context: Context) -> Context:
    """The words shown for each patient (initials or full name), from the rows read by
    ``validators``: only a feed being built needs them, not a 304."""
    if feed.shows_patients and context.patient_rows and not context.patients:
        shown_as = Patient.display_name if feed.detail == FULL else Patient.initials
        for ident, family_name, given_names in context.patient_rows:
            names = SimpleNamespace(family_name=family_name, given_names=given_names)
            context.patients[ident] = shown_as.fget(names)
    return context


def _identity(feed: FeedToken) -> tuple:
    """What both ETag parts start with: the format, the feed, what it shows, its zone."""
    return (
        ics.FORMAT_VERSION,
        feed.id,
        feed.scope,
        feed.target_id,
        feed.detail,
        feed.owner.practice.timezone,
    )


def digest(*parts) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).hexdigest()


def validators(
    session: Session, *, feed: FeedToken, now: datetime, settings: FeedSettings
) -> Validators:
    """The feed's ETag and Last-Modified, computed without building it.

    Any change to an appointment raises its ``version`` (optimistic locking) and its
    ``updated_at``, so the count, sums and maximum below change; labels and names shown
    are hashed whole (they are small tables, and patients only when shown).
    """
    practice = feed.owner.practice
    win = window(practice.timezone, now, settings)
    count, max_id, versions, sequences, last = session.execute(
        select(
            func.count(Appointment.id),
            func.max(Appointment.id),
            func.sum(Appointment.version),
            func.sum(Appointment.sequence),
            func.max(Appointment.updated_at),
        ).where(*in_feed(feed, win))
    ).one()
    context = _context(session, feed, win)
    etag = digest(
        *_identity(feed),
        practice.name,
        win.today,
        settings,
        count,
        max_id,
        versions,
        sequences,
        last.isoformat() if last else "",
        sorted(context.types.items()),
        sorted(context.rooms.items()),
        sorted(context.staff.items()),
        context.patient_rows,
    )
    return Validators(
        etag=etag,
        last_modified=last or feed.created_at,
        count=count,
        window=win,
        context=context,
    )


# --- Revalidation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Revalidation:
    #: The ETag to send (``quick.content``).
    etag: str
    #: True when the client's copy is current: answer 304.
    not_modified: bool
    #: The full validators, when they had to be computed (None on the quick path).
    validators: Validators | None


def quick_part(session: Session, *, feed: FeedToken, now: datetime, settings: FeedSettings) -> str:
    """What changes at any change of the practice's data, of the feed or of its day."""
    practice = feed.owner.practice
    return digest(
        *_identity(feed),
        window(practice.timezone, now, settings).today,
        settings,
        practice_version(session, feed.practice_id),
    )


def revalidate(
    session: Session,
    *,
    feed: FeedToken,
    now: datetime,
    settings: FeedSettings,
    sent: frozenset[str] = frozenset(),
) -> Revalidation:
    """Whether the tags a client sent (``If-None-Match``) name the feed as it is now.

    The version is read before anything of the feed: a feed built after it is at least
    as new as the tag says, never older.
    """
    quick = quick_part(session, feed=feed, now=now, settings=settings)
    parts = [tag.split(".", 1) for tag in sent if "." in tag]
    for sent_quick, content in parts:
        if sent_quick == quick:
            return Revalidation(f"{quick}.{content}", True, None)
    checked = validators(session, feed=feed, now=now, settings=settings)
    fresh = any(content == checked.etag for _, content in parts)
    return Revalidation(f"{quick}.{checked.etag}", fresh, checked)
