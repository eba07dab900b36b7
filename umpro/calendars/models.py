"""Calendar feeds (docs/domain.md §3 FeedToken) and the cache of serialised events."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from umpro.db import Base, PracticeOwned, Timestamped, UTCDateTime, label_of
from umpro.team.models import Room, Staff

STAFF, ROOM, PRACTICE = "staff", "room", "practice"
SCOPES = {STAFF: "Agenda d'un professionnel", ROOM: "Salle", PRACTICE: "Maison de santé"}

BUSY, INITIALS, FULL = "busy", "initials", "full"
DETAILS = {
    BUSY: "Occupé seulement (type de rendez-vous, sans patient)",
    INITIALS: "Initiales du patient",
    FULL: "Nom complet du patient",
}


class FeedToken(PracticeOwned, Timestamped, Base):
    """A secret URL to the iCal feed of one staff member, one room or the practice.

    Only the SHA-256 of the secret is stored (it has 256 random bits), so a stolen
    database gives no working URL. ``owner`` holds the URL and manages it; ``created_by``
    is who created it (None from the command line). The throttle counts the requests
    of the current window here, in the database, so it holds across workers.
    """

    __tablename__ = "feed_token"
    __table_args__ = (
        CheckConstraint("scope IN ('staff', 'room', 'practice')", name="scope"),
        CheckConstraint("detail IN ('busy', 'initials', 'full')", name="detail"),
        CheckConstraint("(scope = 'practice') = (target_id IS NULL)", name="target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    #: The staff member's or the room's id; None for the whole practice.
    target_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(16), default=BUSY)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_count: Mapped[int] = mapped_column(Integer, default=0)

    owner: Mapped[Staff] = relationship(foreign_keys=[owner_id], lazy="joined", innerjoin=True)
    created_by: Mapped[Staff | None] = relationship(foreign_keys=[created_by_id])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def shows_patients(self) -> bool:
        return self.detail != BUSY

    scope_label = label_of(SCOPES, "scope")
    detail_label = label_of(DETAILS, "detail")


class EventCache(PracticeOwned, Base):
    """One appointment's VEVENT as served in feeds of one ``variant`` (detail level and
    whether the professional is named), with the key it was built from.

    Self-validating: a feed compares the appointment's current ``version``, ``sequence``
    and ``updated_at`` and a digest of everything else the text shows (labels, names,
    zone) with the stored ones, and rebuilds the rows that differ, whoever changed the
    appointment and however.
    """

    __tablename__ = "calendar_event_cache"

    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), primary_key=True
    )
    variant: Mapped[str] = mapped_column(String(24), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    digest: Mapped[str] = mapped_column(String(32))
    vevent: Mapped[str] = mapped_column(Text)


def target_label(feed: FeedToken, target: Staff | Room | None) -> str:
    if feed.scope == PRACTICE:
        return feed.owner.practice.name
    if isinstance(target, Staff):
        return target.display_name
    return target.name if target is not None else ""
