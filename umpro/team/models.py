"""Practice, staff and rooms."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from umpro.db import Base, PracticeOwned, Timestamped, UTCDateTime
from umpro.team.professions import Profession, label

assisted_gp = Table(
    "assisted_gp",
    Base.metadata,
    Column("assistant_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    Column("gp_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
)


class Practice(Timestamped, Base):
    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")


class Staff(PracticeOwned, Timestamped, Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Always stored lower-case (see team.services.normalise_email).
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    profession: Mapped[str] = mapped_column(String(32))
    rpps: Mapped[str | None] = mapped_column(String(11))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The appointment type booking pre-selects for this professional (issue 15). Named,
    #: not imported: scheduling's models import this module. Types are deactivated, never
    #: deleted, so the reference needs no ON DELETE.
    default_type_id: Mapped[int | None] = mapped_column(ForeignKey("appointment_type.id"))

    # "unnested": under an outer join (a declaration's GP) this stays a flat LEFT JOIN; a
    # nested inner join there makes SQLite materialise every open declaration.
    practice: Mapped[Practice] = relationship(lazy="joined", innerjoin="unnested")
    supervisor: Mapped["Staff | None"] = relationship(remote_side=[id])
    assisted_gps: Mapped[list["Staff"]] = relationship(
        secondary=assisted_gp,
        primaryjoin=lambda: Staff.id == assisted_gp.c.assistant_id,
        secondaryjoin=lambda: Staff.id == assisted_gp.c.gp_id,
        order_by=lambda: (Staff.family_name, Staff.given_name),
    )

    @property
    def display_name(self) -> str:
        prefix = "Dr " if self.profession in (Profession.GP, Profession.JUNIOR_DOCTOR) else ""
        return f"{prefix}{self.given_name} {self.family_name}"

    @property
    def profession_label(self) -> str:
        return label(self.profession)

    # Flask-Login: the identifier is the sign-in session's, set by auth.services.
    session_token = None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    def __repr__(self) -> str:
        return f"<Staff {self.id} {self.profession}>"


class Room(PracticeOwned, Timestamped, Base):
    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("practice_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class StaffChange(PracticeOwned, Base):
    """An edit of an account that grants clinical access (issue 14, fix 1).

    With a second admin in the practice it waits (``pending``) until another admin
    confirms it; with a single admin it is applied at once and stays shown to the
    account and to every admin until acknowledged.
    """

    __tablename__ = "staff_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The edit asked for (``team.services.StaffInput`` fields), applied on confirmation.
    data: Mapped[dict] = mapped_column(JSON)
    before_profession: Mapped[str] = mapped_column(String(32))
    after_profession: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # pending, applied, refused
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(foreign_keys=[staff_id])
    requested_by: Mapped[Staff] = relationship(foreign_keys=[requested_by_id])


ROOM_KINDS = {
    "gp_office": "Cabinet médical",
    "secretariat": "Secrétariat",
    "medical_assistant": "Bureau de l'assistant médical",
    "nurse": "Bureau infirmier",
    "student": "Bureau étudiant",
    "junior_doctor": "Cabinet du docteur junior",
    "meeting": "Salle de réunion",
    "other": "Autre",
}
