"""Agenda (docs/domain.md §3): appointment types, weekly availability rules, absences, appointments.

No two live appointments overlap for the same staff member, room or patient. PostgreSQL
enforces it with exclusion constraints (btree_gist, ``tstzrange``) attached below and
created by the baseline migration; on SQLite every transaction opens with ``BEGIN IMMEDIATE``
(umpro/db.py), the booking service checks overlaps inside it, and triggers refuse an
overlapping row as a last line.
"""

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from umpro.db import Base, PracticeOwned, Timestamped, UTCDateTime, utcnow
from umpro.patients.models import Patient
from umpro.team.models import Room, Staff

#: Palette of type colours: a fixed set of CSS classes (the CSP forbids style attributes).
COLOURS = {
    "blue": "Bleu",
    "green": "Vert",
    "orange": "Orange",
    "purple": "Violet",
    "red": "Rouge",
    "teal": "Turquoise",
    "yellow": "Jaune",
    "pink": "Rose",
    "brown": "Marron",
    "grey": "Gris",
}

WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]

#: Appointment statuses, after FHIR Appointment.status.
BOOKED, ARRIVED, FULFILLED = "booked", "arrived", "fulfilled"
CANCELLED, NOSHOW, ENTERED_IN_ERROR = "cancelled", "noshow", "entered-in-error"
STATUSES = {
    BOOKED: "Réservé",
    ARRIVED: "Arrivé",
    FULFILLED: "Vu",
    CANCELLED: "Annulé",
    NOSHOW: "Non venu",
    ENTERED_IN_ERROR: "Saisi par erreur",
}
#: Statuses that hold the time: these may not overlap.
LIVE_STATUSES = (BOOKED, ARRIVED, FULFILLED)

#: The longest an appointment may last (the database refuses longer ones). It bounds every
#: overlap query from below, ``start_at > :start - MAX_DURATION``, so that an index on
#: ``(x, start_at)`` answers with a short range instead of reading all earlier history.
MAX_DURATION = timedelta(hours=12)

SOURCES = {
    "desk": "Accueil",
    "phone": "Téléphone",
    "walk-in": "Sans rendez-vous",
    "regulator": "Régulation (SAS)",
}

ABSENCE_KINDS = {
    "leave": "Congés",
    "training": "Formation",
    "teaching": "Demi-journée de formation (docteur junior)",
    "sick": "Arrêt maladie",
    "other": "Autre absence",
}

availability_rule_type = Table(
    "availability_rule_type",
    Base.metadata,
    Column("rule_id", ForeignKey("availability_rule.id", ondelete="CASCADE"), primary_key=True),
    Column("type_id", ForeignKey("appointment_type.id", ondelete="CASCADE"), primary_key=True),
)


class AppointmentType(PracticeOwned, Timestamped, Base):
    __tablename__ = "appointment_type"
    __table_args__ = (
        UniqueConstraint("practice_id", "label"),
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 480", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    #: Profession codes allowed to perform this type (umpro.team.professions).
    professions: Mapped[list[str]] = mapped_column(JSON, default=list)
    colour: Mapped[str] = mapped_column(String(16), default="blue")
    is_home_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    is_teleconsultation: Mapped[bool] = mapped_column(Boolean, default=False)
    is_unscheduled: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def allows(self, profession: str) -> bool:
        return profession in (self.professions or [])

    @property
    def needs_room(self) -> bool:
        return not (self.is_home_visit or self.is_teleconsultation)


class WeeklyPeriod:
    """One person's wall-clock hours on one weekday, valid from one day until another
    (or for good): what a weekly opening and a weekly absence share."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (
            CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
            CheckConstraint("start_time < end_time", name="hours"),
        )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    #: 0 = Monday … 6 = Sunday.
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


class AvailabilityRule(WeeklyPeriod, PracticeOwned, Timestamped, Base):
    """A weekly opening of one agenda, in wall-clock hours of the practice zone.

    Hours stay the same across DST changes: 08:30 is 08:30 in winter and in summer.
    No allowed types means every type the staff member may perform.
    """

    __tablename__ = "availability_rule"

    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    #: French public holidays are closed unless this says otherwise.
    open_on_holidays: Mapped[bool] = mapped_column(Boolean, default=False)

    staff: Mapped[Staff] = relationship()
    room: Mapped[Room | None] = relationship()
    types: Mapped[list[AppointmentType]] = relationship(
        secondary=availability_rule_type, lazy="selectin", order_by=AppointmentType.label
    )


class Absence(PracticeOwned, Timestamped, Base):
    """A one-off absence (congés, formation…), as UTC instants."""

    __tablename__ = "absence"
    __table_args__ = (
        CheckConstraint("start_at < end_at", name="period"),
        Index("ix_absence_staff_period", "staff_id", "start_at", "end_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(200), default="")

    staff: Mapped[Staff] = relationship()


class WeeklyAbsence(WeeklyPeriod, PracticeOwned, Timestamped, Base):
    """A recurring weekly absence: the docteur junior's teaching half-day."""

    __tablename__ = "weekly_absence"

    kind: Mapped[str] = mapped_column(String(16), default="teaching")

    staff: Mapped[Staff] = relationship()


def _new_uid() -> str:
    return str(uuid.uuid4())


class Appointment(PracticeOwned, Timestamped, Base):
    """One appointment. ``uid`` and ``sequence`` are the iCal identity and revision;
    ``version`` guards against stale edits (optimistic locking)."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint("start_at < end_at", name="period"),
        Index("ix_appointment_staff_start", "staff_id", "start_at"),
        Index("ix_appointment_patient_start", "patient_id", "start_at"),
        Index("ix_appointment_practice_start", "practice_id", "start_at"),
        Index("ix_appointment_room_start", "room_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=_new_uid)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    type_id: Mapped[int] = mapped_column(ForeignKey("appointment_type.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=BOOKED)
    source: Mapped[str] = mapped_column(String(16), default="desk")
    is_unscheduled: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: SAS bookings: who regulated the call and the regulation's reference.
    regulator_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    regulator_reference: Mapped[str] = mapped_column(String(60), default="", server_default="")

    staff: Mapped[Staff] = relationship(foreign_keys=[staff_id])
    patient: Mapped[Patient] = relationship()
    type: Mapped[AppointmentType] = relationship()
    room: Mapped[Room | None] = relationship()

    # UPDATE … WHERE version = :old: two edits from the same version cannot both win.
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def duration_minutes(self) -> int:
        return int((self.end_at - self.start_at).total_seconds() // 60)


class AppointmentEvent(PracticeOwned, Base):
    """History of an appointment: who changed what, when (ids only, no names)."""

    __tablename__ = "appointment_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(32))
    #: {"field": [old, new]} with ISO instants and ids.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[Staff | None] = relationship()


# --- Unscheduled care (soins non programmés): holds -----------------------------------

#: How a policy holds time: a share of each opening, or explicit weekly blocks.
HOLD_SHARE, HOLD_BLOCKS = "share", "blocks"
#: What became of a held slot. ``held`` is the only state that changes.
HELD, USED, RELEASED, LOST = "held", "used", "released", "lost"
HOLD_STATES = {
    HELD: "Réservé SNP",
    USED: "Utilisé",
    RELEASED: "Libéré",
    LOST: "Perdu",
}


class HoldPolicy(PracticeOwned, Timestamped, Base):
    """Time held for same-day demand: one per staff member, and the practice default
    (``staff_id`` null). ``weekdays`` lists the days it applies to (0 = Monday)."""

    __tablename__ = "hold_policy"
    __table_args__ = (
        UniqueConstraint("practice_id", "staff_id"),
        CheckConstraint("share_percent >= 0 AND share_percent <= 100", name="share"),
        CheckConstraint("slot_minutes > 0 AND slot_minutes <= 120", name="slot"),
        CheckConstraint("release_lead_minutes >= 0", name="lead"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(8), default=HOLD_SHARE)
    share_percent: Mapped[int] = mapped_column(SmallInteger, default=0)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4])
    #: Length of one held slot (a same-day consultation).
    slot_minutes: Mapped[int] = mapped_column(SmallInteger, default=15)
    #: A held slot still free this long before it starts becomes an ordinary slot.
    release_lead_minutes: Mapped[int | None] = mapped_column(Integer, default=60)

    staff: Mapped[Staff | None] = relationship()
    blocks: Mapped[list["HoldBlock"]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(HoldBlock.weekday, HoldBlock.start_time)",
    )


class HoldBlock(Base):
    """An explicit weekly block of held time, in wall-clock hours."""

    __tablename__ = "hold_block"
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
        CheckConstraint("start_time < end_time", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("hold_policy.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)


class HeldSlot(PracticeOwned, Base):
    """One held slot, written when its day comes near (the release job) or when it is
    booked, so that its end — used, released or lost — is kept for the figures. The
    state leaves ``held`` by a conditional UPDATE only: a release racing a booking
    ends with one of them."""

    __tablename__ = "held_slot"
    __table_args__ = (
        UniqueConstraint("staff_id", "start_at"),
        CheckConstraint("start_at < end_at", name="period"),
        Index("ix_held_slot_practice_start", "practice_id", "start_at"),
        Index("ix_held_slot_state_release", "state", "release_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    #: When a still-free held slot becomes ordinary (null: never; it ends lost).
    release_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10), default=HELD)
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def state_label(self) -> str:
        return HOLD_STATES.get(self.state, self.state)


# --- PostgreSQL: no two live appointments overlap (exclusion constraints) -----------

_LIVE_SQL = "status IN ('booked', 'arrived', 'fulfilled')"
#: constraint name → column that must not be booked twice at the same time.
EXCLUSIONS = {
    "ex_appointment_staff_overlap": "staff_id",
    "ex_appointment_room_overlap": "room_id",
    "ex_appointment_patient_overlap": "patient_id",
}
EXCLUSION_DDL = [
    f"ALTER TABLE appointment ADD CONSTRAINT {name} EXCLUDE USING gist "
    f"({column} WITH =, tstzrange(start_at, end_at, '[)') WITH &&) WHERE ({_LIVE_SQL})"
    for name, column in EXCLUSIONS.items()
]

# --- SQLite: the same rule as triggers (the booking service checks first, inside a
# transaction opened with BEGIN IMMEDIATE; these refuse whatever would slip past it) ---
# One EXISTS per column, each bounded on both sides, so each is an index range on
# ``(column, start_at)`` whatever the history's length.

_MAX_HOURS = int(MAX_DURATION.total_seconds() // 3600)


def _clash_sql(column: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM appointment AS a WHERE a.{column} = NEW.{column}"  # noqa: S608 - constant column names
        " AND a.start_at < NEW.end_at"
        f" AND a.start_at > datetime(NEW.start_at, '-{_MAX_HOURS} hours')"
        " AND a.end_at > NEW.start_at AND a.status IN ('booked', 'arrived', 'fulfilled')"
        " AND a.id IS NOT NEW.id)"
    )


_CLASH_SQL = "(" + " OR ".join(_clash_sql(c) for c in EXCLUSIONS.values()) + ")"
#: The message a trigger raises (found in the IntegrityError by the booking service).
SQLITE_OVERLAP = "appointment_overlap"
#: The message of the duration cap's trigger (SQLite) / constraint (PostgreSQL).
TOO_LONG = "appointment_too_long"
OVERLAP_TRIGGERS_SQLITE = [
    f"""CREATE TRIGGER appointment_no_overlap_insert BEFORE INSERT ON appointment
WHEN NEW.{_LIVE_SQL} AND {_CLASH_SQL}
BEGIN SELECT RAISE(ABORT, '{SQLITE_OVERLAP}'); END""",
    f"""CREATE TRIGGER appointment_no_overlap_update
BEFORE UPDATE OF staff_id, patient_id, room_id, start_at, end_at, status ON appointment
WHEN NEW.{_LIVE_SQL} AND {_CLASH_SQL}
BEGIN SELECT RAISE(ABORT, '{SQLITE_OVERLAP}'); END""",
    f"""CREATE TRIGGER appointment_max_duration_insert BEFORE INSERT ON appointment
WHEN julianday(NEW.end_at) - julianday(NEW.start_at) > {_MAX_HOURS} / 24.0
BEGIN SELECT RAISE(ABORT, '{TOO_LONG}'); END""",
    f"""CREATE TRIGGER appointment_max_duration_update
BEFORE UPDATE OF start_at, end_at ON appointment
WHEN julianday(NEW.end_at) - julianday(NEW.start_at) > {_MAX_HOURS} / 24.0
BEGIN SELECT RAISE(ABORT, '{TOO_LONG}'); END""",
]
EXCLUSION_DDL.append(
    "ALTER TABLE appointment ADD CONSTRAINT ck_appointment_max_duration"
    f" CHECK (end_at - start_at <= interval '{_MAX_HOURS} hours')"
)


def overlapping(start_at: datetime, end_at: datetime) -> tuple:
    """The predicates "this appointment overlaps [start_at, end_at)", bounded on both
    sides of ``start_at`` so that an index range answers them."""
    return (
        Appointment.start_at < end_at,
        Appointment.start_at > start_at - MAX_DURATION,
        Appointment.end_at > start_at,
    )


for _statement in EXCLUSION_DDL:
    event.listen(
        Appointment.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
for _statement in OVERLAP_TRIGGERS_SQLITE:
    event.listen(
        Appointment.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
