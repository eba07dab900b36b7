"""Feed tokens: create, rotate, revoke, list, find by secret, throttle.

The secret is 256 random bits, shown once; only its SHA-256 is kept. An unknown,
revoked or malformed secret, or one whose owner left, finds nothing: the view answers
404 as for a URL that never existed.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, literal, select, update
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.permissions import can
from umpro.auth.services import token_hash
from umpro.calendars.ics import appointment_ics
from umpro.calendars.models import (
    BUSY,
    DETAILS,
    FULL,
    PRACTICE,
    ROOM,
    SCOPES,
    STAFF,
    FeedToken,
)
from umpro.db import UTCDateTime
from umpro.errors import Forbidden, Invalid, NotFound
from umpro.scheduling.models import CANCELLED, ENTERED_IN_ERROR, Appointment
from umpro.team.models import Room, Staff

#: ``secrets.token_urlsafe(32)``: 43 characters of the URL-safe base64 alphabet.
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")

FULL_DETAIL_WARNING = (
    "Attention : avec le niveau « nom complet », le nom de vos patients part chez "
    "l'hébergeur de votre application d'agenda (Google, Apple, Microsoft…), qui n'est "
    "généralement pas certifié hébergeur de données de santé (HDS). Ne le choisissez "
    "que si cet agenda reste sur un service certifié HDS ou sur un appareil non "
    "synchronisé, et révoquez l'adresse dès qu'elle n'est plus utile."
)


@dataclass(frozen=True)
class FeedInput:
    scope: str = STAFF
    #: The staff member's or room's id; None means "my own agenda" (staff) or the practice.
    target_id: int | None = None
    detail: str = BUSY
    label: str = ""


def _check_target(session: Session, *, owner: Staff, data: FeedInput) -> int | None:
    if data.scope not in SCOPES:
        raise Invalid("Choisissez l'agenda, la salle ou la maison de santé.", field="scope")
    if data.scope == PRACTICE:
        return None
    if data.scope == STAFF:
        target_id = data.target_id or owner.id
        staff = session.get(Staff, target_id)
        if staff is None or staff.practice_id != owner.practice_id:
            raise NotFound("Membre de l'équipe introuvable.", field="target_id")
        return staff.id
    room = session.get(Room, data.target_id) if data.target_id else None
    if room is None or room.practice_id != owner.practice_id:
        raise NotFound("Salle introuvable.", field="target_id")
    return room.id


def _check_detail(owner: Staff, detail: str) -> None:
    if detail not in DETAILS:
        raise Invalid("Niveau de détail inconnu.", field="detail")
    if detail == FULL and not can(owner, "calendars.full_detail"):
        raise Forbidden(
            "Votre profession ne permet pas d'afficher le nom des patients dans un "
            "calendrier : choisissez « occupé seulement » ou « initiales ».",
            field="detail",
        )


def create_feed(
    session: Session, *, acting: Acting, owner: Staff, data: FeedInput
) -> tuple[FeedToken, str]:
    """Create a feed held by ``owner``; returns it and its secret, to show once.

    ``acting.actor`` is who asks: the owner themself, or None from the command line (the
    operator acts for the owner). Anyone may subscribe to their own agenda; the feed
    of a colleague, a room or the whole practice needs ``calendars.manage_all``.
    Refuses: an inactive owner, an unknown scope or level (Invalid), a target of
    another practice (NotFound), a level showing names to a profession that may not
    see them (``calendars.full_detail``, Forbidden).
    """
    if not owner.is_active:
        raise Invalid("Ce compte est désactivé.", field="owner")
    if acting.actor is not None and acting.actor.id != owner.id:
        raise Forbidden("Vous ne pouvez créer un calendrier que pour vous-même.")
    target_id = _check_target(session, owner=owner, data=data)
    own_agenda = data.scope == STAFF and target_id == owner.id
    if (
        acting.actor is not None
        and not own_agenda
        and not can(acting.actor, "calendars.manage_all")
    ):
        raise Forbidden(
            "Seul un administrateur peut s'abonner à l'agenda d'un collègue, d'une salle "
            "ou de toute la maison de santé.",
            field="scope",
        )
    _check_detail(owner, data.detail)
    label = data.label.strip()
    if len(label) > 100:
        raise Invalid("Le libellé fait au plus 100 caractères.", field="label")
    return _issue(
        session,
        acting=acting,
        practice_id=owner.practice_id,
        owner=owner,
        scope=data.scope,
        target_id=target_id,
        detail=data.detail,
        label=label,
    )


#: What a feed shows and to whom: what a rotated feed keeps.
_SETTINGS = ("practice_id", "owner", "scope", "target_id", "detail", "label")


def _issue(session: Session, *, acting: Acting, **settings):
    """A new feed with ``settings`` and a new secret (returned, to show once)."""
    secret = secrets.token_urlsafe(32)
    feed = FeedToken(
        token_hash=token_hash(secret),
        created_by_id=acting.actor.id if acting.actor is not None else None,
        created_at=acting.now,
        window_count=0,
        **settings,
    )
    session.add(feed)
    session.flush()
    return feed, secret


def get_feed(session: Session, *, actor: Staff | None, feed_id: int) -> FeedToken:
    """The feed ``feed_id`` for its owner or an admin (``actor`` None: the operator).

    Refuses a feed of another practice or an unknown one (NotFound), another member's
    feed to a non-admin (Forbidden).
    """
    feed = session.get(FeedToken, feed_id)
    if feed is None or (actor is not None and feed.practice_id != actor.practice_id):
        raise NotFound("Calendrier introuvable.")
    if actor is not None and not can(actor, "calendars.feed.manage", feed):
        raise Forbidden("Seuls son titulaire et les administrateurs gèrent ce calendrier.")
    return feed


def revoke_feed(session: Session, *, acting: Acting, feed_id: int) -> FeedToken:
    """Revoke a feed: its URL answers 404 from now on. Same refusals as :func:`get_feed`;
    revoking twice is harmless."""
    feed = get_feed(session, actor=acting.actor, feed_id=feed_id)
    if feed.revoked_at is None:
        feed.revoked_at = acting.now
        session.flush()
    return feed


def rotate_feed(session: Session, *, acting: Acting, feed_id: int) -> tuple[FeedToken, str]:
    """Replace a feed's URL: the old one is revoked, a new feed with the same settings
    is created (its secret returned, to show once). Same refusals as :func:`get_feed`,
    and a revoked feed cannot be rotated (Invalid); the level is checked again."""
    old = get_feed(session, actor=acting.actor, feed_id=feed_id)
    if old.revoked_at is not None:
        raise Invalid("Ce calendrier est révoqué : créez-en un nouveau.")
    _check_detail(old.owner, old.detail)
    old.revoked_at = acting.now
    return _issue(session, acting=acting, **{name: getattr(old, name) for name in _SETTINGS})


def list_feeds(
    session: Session, *, owner: Staff | None = None, practice_id: int | None = None
) -> list[FeedToken]:
    """Active feeds of one owner, or of a whole practice (for admins)."""
    query = select(FeedToken).where(FeedToken.revoked_at.is_(None))
    if owner is not None:
        query = query.where(FeedToken.owner_id == owner.id)
    if practice_id is not None:
        query = query.where(FeedToken.practice_id == practice_id)
    return list(session.scalars(query.order_by(FeedToken.created_at, FeedToken.id)))


def target_names(session: Session, feeds: list[FeedToken]) -> dict[int, str]:
    """Feed id → what it shows ("Dr Claire Martin", "Salle 2", the practice), two queries."""
    staff_ids = {f.target_id for f in feeds if f.scope == STAFF}
    room_ids = {f.target_id for f in feeds if f.scope == ROOM}
    staff, rooms = {}, {}
    if staff_ids:
        staff = {
            s.id: s.display_name
            for s in session.scalars(select(Staff).where(Staff.id.in_(staff_ids)))
        }
    if room_ids:
        rooms = dict(session.execute(select(Room.id, Room.name).where(Room.id.in_(room_ids))).all())
    names = {}
    for f in feeds:
        if f.scope == PRACTICE:
            names[f.id] = f.owner.practice.name
        elif f.scope == STAFF:
            names[f.id] = staff.get(f.target_id, "")
        else:
            names[f.id] = rooms.get(f.target_id, "")
    return names


def find_active(session: Session, *, secret: str) -> FeedToken | None:
    """The live feed behind ``secret``, or None (malformed, unknown, revoked, owner gone)."""
    if not SECRET_RE.match(secret or ""):
        return None
    feed = session.scalar(select(FeedToken).where(FeedToken.token_hash == token_hash(secret)))
    if feed is None or feed.revoked_at is not None or not feed.owner.is_active:
        return None
    return feed


def claim_download(
    session: Session, *, feed: FeedToken, now: datetime, limit: int, window: timedelta
) -> int | None:
    """Count one request against the feed's throttle (``limit`` per ``window``).

    One conditional UPDATE in the database, so the count holds across workers; it
    also records ``last_used_at``. Returns None when allowed, else the seconds to wait.
    """
    since = literal(now - window, UTCDateTime())
    fresh = FeedToken.window_started_at > since
    row = session.execute(
        update(FeedToken)
        .where(FeedToken.id == feed.id)
        .values(
            window_count=case((fresh, FeedToken.window_count + 1), else_=1),
            window_started_at=case(
                (fresh, FeedToken.window_started_at), else_=literal(now, UTCDateTime())
            ),
            last_used_at=literal(now, UTCDateTime()),
        )
        .returning(FeedToken.window_count, FeedToken.window_started_at)
        .execution_options(synchronize_session=False)
    ).one()
    if row.window_count <= limit:
        return None
    return max(1, int((row.window_started_at + window - now).total_seconds()) + 1)


def appointment_file(
    session: Session, *, acting: Acting, appointment_id: int, cancel: bool
) -> tuple[Appointment, str, bytes]:
    """The .ics of one appointment, as its patient receives it: (appointment, method,
    body), the method REQUEST, or CANCEL for a cancelled appointment (or when ``cancel``
    prepares the cancellation of a live one). 404 for who may not have it
    (``calendars.appointment_ics``), as for a missing one; one access-log row."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or not can(acting.actor, "calendars.appointment_ics", appointment):
        raise NotFound("Rendez-vous introuvable.")
    withdrawn = appointment.status in (CANCELLED, ENTERED_IN_ERROR)
    method = "CANCEL" if withdrawn or cancel else "REQUEST"
    body = appointment_ics(appointment, method=method, now=acting.now)
    record_access_to(session, acting, "calendars.appointment_ics", appointment)
    return appointment, method, body
