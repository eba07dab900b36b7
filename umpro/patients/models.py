"""Patients, the shared file, sharing objections, médecin traitant declarations and
registration requests, referral letters (docs/domain.md §3)."""

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    event,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from umpro.db import Base, PracticeOwned, Timestamped, UTCDateTime, label_of, one_of, unique_where
from umpro.team.models import Staff

SEXES = {"F": "Féminin", "M": "Masculin", "I": "Indéterminé"}


def _standing(model, open_column: str):
    """The patient's one row of ``model()`` (a class defined further down) whose
    ``open_column`` is NULL, read-only: a partial unique index keeps it to one."""
    return relationship(
        primaryjoin=lambda: and_(
            foreign(model().patient_id) == Patient.id,
            getattr(model(), open_column).is_(None),
        ),
        viewonly=True,
        uselist=False,
    )


class Patient(PracticeOwned, Timestamped, Base):
    __tablename__ = "patient"
    __table_args__ = (
        UniqueConstraint("practice_id", "ins"),
        Index("ix_patient_practice_sort", "practice_id", "sort_key"),
        Index("ix_patient_practice_birth_date", "practice_id", "birth_date"),
        CheckConstraint(one_of("sex", SEXES), name="sex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(100))
    birth_name: Mapped[str] = mapped_column(String(100), default="")
    given_names: Mapped[str] = mapped_column(String(150))
    birth_date: Mapped[date] = mapped_column(Date)
    #: "F", "M" or "I" (indéterminé)
    sex: Mapped[str] = mapped_column(String(1))
    #: Identifiant national de santé (NIR or NIA, 13 characters and a 2-digit key).
    ins: Mapped[str | None] = mapped_column(String(15))
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    has_chronic_condition: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Folded "family given" (names.sort_key): the order of lists and search results.
    sort_key: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    name_tokens: Mapped[list["PatientNameToken"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    #: The declaration in force: at most one is open (a partial unique index says so),
    #: and neither starts nor ends in the future, so the open one is today's.
    current_declaration: Mapped["TreatingDeclaration | None"] = _standing(
        lambda: TreatingDeclaration, "end_on"
    )
    #: The objection to team sharing that stands, if any (one at most, by index).
    active_objection: Mapped["SharingObjection | None"] = _standing(
        lambda: SharingObjection, "lifted_at"
    )

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()} {self.given_names}"

    @property
    def initials(self) -> str:
        """``M. D.`` — given name then family name initials, for calendar feeds."""
        return f"{self.given_names[:1].upper()}. {self.family_name[:1].upper()}."

    sex_label = label_of(SEXES, "sex")

    @property
    def treating_gp(self) -> Staff | None:
        declaration = self.current_declaration
        return declaration.gp if declaration else None

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    def __repr__(self) -> str:
        return f"<Patient {self.id}>"


class PatientNameToken(Base):
    """One folded word of a patient's names (names.name_tokens), for prefix search."""

    __tablename__ = "patient_name_token"
    __table_args__ = (Index("ix_patient_name_token_lookup", "practice_id", "token", "patient_id"),)

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(60), primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))


class SharingObjection(PracticeOwned, Base):
    """The patient objects to their data being shared in the team (L1110-4 CSP).

    Recorded and lifted with the date and who did it; rows are never deleted, so the
    history stays. The rule it enforces is in ``services.sharing``.
    """

    __tablename__ = "sharing_objection"
    __table_args__ = (
        unique_where("uq_sharing_objection_standing", "patient_id", where="lifted_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    recorded_by: Mapped[Staff | None] = relationship(foreign_keys=[recorded_by_id])
    lifted_by: Mapped[Staff | None] = relationship(foreign_keys=[lifted_by_id])


ENTRY_KINDS = {
    "note": "Note",
    "consultation": "Synthèse de consultation",
    "protocol_session": "Séance de protocole",
    "result": "Résultat",
    "letter": "Courrier",
    "administrative": "Administratif",
}
#: Every kind but these is clinical, hence invisible to administrative professions.
ADMINISTRATIVE_KINDS = frozenset({"administrative"})


class FileEntry(PracticeOwned, Base):
    """An entry of the shared file. Never deleted: corrected by a new version (the old
    one is ``superseded_at``) or marked entered-in-error.

    Versions of one entry share ``original_id`` (the first version's id; NULL on the
    first version itself) and keep its ``dated_at``, so the timeline does not reorder
    when an entry is corrected. ``(original_id, version)`` is unique: two concurrent
    corrections of the same version cannot both land.
    """

    __tablename__ = "file_entry"
    __table_args__ = (
        UniqueConstraint("original_id", "version"),
        Index("ix_file_entry_timeline", "patient_id", "dated_at"),
        CheckConstraint(one_of("kind", ENTRY_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    #: When this version was written.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the entry was first written: its place on the timeline.
    dated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    original_id: Mapped[int | None] = mapped_column(ForeignKey("file_entry.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_in_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_in_error_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    error_reason: Mapped[str] = mapped_column(String(300), default="")

    patient: Mapped[Patient] = relationship()
    author: Mapped[Staff] = relationship(foreign_keys=[author_id])
    entered_in_error_by: Mapped[Staff | None] = relationship(foreign_keys=[entered_in_error_by_id])

    @property
    def is_clinical(self) -> bool:
        return self.kind not in ADMINISTRATIVE_KINDS

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None

    kind_label = label_of(ENTRY_KINDS, "kind")

    @property
    def lineage_id(self) -> int:
        return self.original_id or self.id


END_REASONS = {
    "transfer": "Changement de médecin traitant",
    "patient_request": "À la demande du patient",
    "gp_left": "Départ ou cessation d'activité du médecin",
    "moved": "Déménagement du patient",
    "deceased": "Décès du patient",
    "other": "Autre motif",
}


class TreatingDeclaration(PracticeOwned, Timestamped, Base):
    """A patient's registration with a GP as médecin traitant, from ``start_on`` until
    ``end_on`` (exclusive; open when NULL). The source of truth for patient lists at any
    date. Periods of one patient never overlap: at most one is open (partial unique
    index) and, on PostgreSQL, an exclusion constraint refuses any overlap.
    """

    __tablename__ = "treating_declaration"
    __table_args__ = (
        CheckConstraint("end_on IS NULL OR end_on > start_on", name="period"),
        unique_where("uq_treating_declaration_open", "patient_id", where="end_on IS NULL"),
        Index("ix_treating_declaration_gp_period", "gp_id", "start_on", "end_on"),
        Index("ix_treating_declaration_patient_period", "patient_id", "start_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    gp_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    patient: Mapped[Patient] = relationship()
    gp: Mapped[Staff] = relationship(foreign_keys=[gp_id], lazy="joined", innerjoin="unnested")

    end_reason_label = label_of(END_REASONS, "end_reason")


#: Overlapping periods of one patient are refused by the database itself. PostgreSQL: an
#: exclusion constraint (btree_gist for the integer equality). SQLite: triggers.
#: Autogenerate sees none of this: the baseline migration runs these very statements, so
#: change them only with a new migration that replaces them in existing databases, and
#: leave the baseline a copy of them as they are now.
DECLARATION_OVERLAP_POSTGRESQL = (
    "ALTER TABLE treating_declaration ADD CONSTRAINT ex_treating_declaration_overlap "
    "EXCLUDE USING gist (patient_id WITH =, daterange(start_on, end_on, '[)') WITH &&)"
)
_OVERLAP_SQLITE = (
    " ON treating_declaration WHEN EXISTS (SELECT 1 FROM treating_declaration AS d"
    " WHERE d.patient_id = NEW.patient_id AND d.id IS NOT NEW.id"
    " AND (d.end_on IS NULL OR d.end_on > NEW.start_on)"
    " AND (NEW.end_on IS NULL OR NEW.end_on > d.start_on))"
    " BEGIN SELECT RAISE(ABORT, 'treating_declaration periods overlap'); END"
)
DECLARATION_OVERLAP_SQLITE = [
    f"CREATE TRIGGER treating_declaration_no_overlap_insert BEFORE INSERT{_OVERLAP_SQLITE}",
    "CREATE TRIGGER treating_declaration_no_overlap_update"
    f" BEFORE UPDATE OF patient_id, start_on, end_on{_OVERLAP_SQLITE}",
]
for _statement in ("CREATE EXTENSION IF NOT EXISTS btree_gist", DECLARATION_OVERLAP_POSTGRESQL):
    event.listen(
        TreatingDeclaration.__table__,
        "after_create",
        DDL(_statement).execute_if(dialect="postgresql"),
    )
for _statement in DECLARATION_OVERLAP_SQLITE:
    event.listen(
        TreatingDeclaration.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )


CHANNELS = {
    "phone": "Téléphone",
    "desk": "Accueil",
    "conciliator": "Conciliateur de l'Assurance maladie",
    "mediator": "Médiateur en santé",
}
REQUEST_STATUSES = {
    "pending": "En attente",
    "accepted": "Acceptée",
    "declined": "Refusée",
    "withdrawn": "Retirée",
}
#: The only lawful grounds for a GP to decline (art. R4127-47 CSP: personal or
#: professional reasons, never a discriminatory one, art. L1110-3 CSP).
DECLINE_REASONS = {
    "capacity": "Patientèle complète : capacité de suivi atteinte",
    "out_of_area": "Domicile hors du secteur d'intervention (visites impossibles)",
    "continuity": "Continuité des soins non assurée (départ ou cessation d'activité prévu)",
    "specific_needs": "Besoins relevant d'une autre compétence ou structure",
    "trust": "Rupture de la relation de confiance",
}


class RegistrationRequest(PracticeOwned, Timestamped, Base):
    """A patient asks a GP to become their médecin traitant."""

    __tablename__ = "registration_request"
    __table_args__ = (
        CheckConstraint(one_of("status", REQUEST_STATUSES), name="status"),
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        # A decline is lawful and says where the patient was oriented, in the database too.
        CheckConstraint(
            f"status <> 'declined' OR ({one_of('decline_reason', DECLINE_REASONS)}"
            " AND oriented_to <> '')",
            name="lawful_decline",
        ),
        unique_where(
            "uq_registration_request_pending", "patient_id", "gp_id", where="status = 'pending'"
        ),
        Index("ix_registration_request_queue", "gp_id", "status", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    gp_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    #: ALD declared at intake: ALD patients without a GP come first in the queue.
    has_chronic_condition: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decline_reason: Mapped[str] = mapped_column(String(32), default="")
    decision_note: Mapped[str] = mapped_column(String(1000), default="")
    oriented_to: Mapped[str] = mapped_column(String(200), default="")
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("treating_declaration.id"))

    patient: Mapped[Patient] = relationship()
    gp: Mapped[Staff] = relationship(foreign_keys=[gp_id], lazy="joined", innerjoin="unnested")
    decided_by: Mapped[Staff | None] = relationship(foreign_keys=[decided_by_id])

    channel_label = label_of(CHANNELS, "channel")
    status_label = label_of(REQUEST_STATUSES, "status")
    decline_reason_label = label_of(DECLINE_REASONS, "decline_reason")


referral_letter_entry = Table(
    "referral_letter_entry",
    Base.metadata,
    Column("letter_id", ForeignKey("referral_letter.id", ondelete="CASCADE"), primary_key=True),
    Column("entry_id", ForeignKey("file_entry.id"), primary_key=True),
)


class ReferralLetter(PracticeOwned, Base):
    """A lettre d'adressage (or a request for a second opinion), stored as a letter entry
    of the file; the specialist's reply, when it comes back, is another entry."""

    __tablename__ = "referral_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("file_entry.id"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recipient: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    is_second_opinion: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_entry_id: Mapped[int | None] = mapped_column(ForeignKey("file_entry.id"))
    reply_received_on: Mapped[date | None] = mapped_column(Date)

    patient: Mapped[Patient] = relationship()
    author: Mapped[Staff] = relationship()
    entry: Mapped[FileEntry] = relationship(foreign_keys=[entry_id])
    reply_entry: Mapped[FileEntry | None] = relationship(foreign_keys=[reply_entry_id])
    items: Mapped[list[FileEntry]] = relationship(
        secondary=referral_letter_entry, order_by=lambda: FileEntry.dated_at
    )

    @property
    def kind_label(self) -> str:
        return "Demande de second avis" if self.is_second_opinion else "Lettre d'adressage"
