"""Protocols, memberships, consents, care tasks and their history (docs/domain.md §3).

A protocol's structured definition (criteria, result fields, red flags) is stored as JSON
and read through ``umpro.delegation.protocols.definition``, which validates it on every save.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from umpro.db import Base, PracticeOwned, Timestamped, UTCDateTime, label_of, one_of, unique_where
from umpro.delegation import states
from umpro.patients.models import SEXES, FileEntry, Patient
from umpro.scheduling.models import Appointment
from umpro.team.models import Staff

PROTOCOL_KINDS = {
    "asalee": "Asalée",
    "national": "Protocole national",
    "local": "Protocole local",
}


_OPEN_SQL = one_of("status", states.OPEN_STATUSES)
_NEEDS_OWNER = (*states.OWNED_STATUSES, states.COMPLETED, states.FAILED)


class Protocol(PracticeOwned, Timestamped, Base):
    """A cooperation protocol (L4011-1 CSP) as the practice applies it."""

    __tablename__ = "protocol"
    __table_args__ = (
        UniqueConstraint("practice_id", "code"),
        CheckConstraint(one_of("kind", PROTOCOL_KINDS), name="kind"),
        CheckConstraint("default_due_days >= 0 AND default_due_days <= 365", name="due_days"),
        CheckConstraint(
            "min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="age_window"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Profession codes (umpro.team.professions) who hand off / who perform.
    delegating_professions: Mapped[list[str]] = mapped_column(JSON, default=list)
    delegate_professions: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The derogatory acts the delegate performs, as sentences.
    acts: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Age window in whole years on the hand-off day, bounds included.
    min_age: Mapped[int | None] = mapped_column(SmallInteger)
    max_age: Mapped[int | None] = mapped_column(SmallInteger)
    #: Sexes the protocol applies to ("F", "M", "I"); empty: everyone.
    sexes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: [{"key", "label"}]: the GP confirms each inclusion, and that no exclusion applies.
    inclusion_criteria: Mapped[list[dict]] = mapped_column(JSON, default=list)
    exclusion_criteria: Mapped[list[dict]] = mapped_column(JSON, default=list)
    consent_required: Mapped[bool] = mapped_column(Boolean, default=True)
    #: [{"key", "label", "type", "unit", "min", "max", "choices", "required"}]
    result_fields: Mapped[list[dict]] = mapped_column(JSON, default=list)
    #: [{"key", "label", "field", "op", "value"}]; no field: a sign the delegate ticks.
    red_flags: Mapped[list[dict]] = mapped_column(JSON, default=list)
    default_due_days: Mapped[int] = mapped_column(Integer, default=30)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    kind_label = label_of(PROTOCOL_KINDS, "kind")

    @property
    def due_label(self) -> str:
        if self.default_due_days == 0:
            return "le jour même"
        return f"{self.default_due_days} jour{'s' if self.default_due_days > 1 else ''}"

    @property
    def sexes_label(self) -> str:
        return " ou ".join(SEXES.get(s, s) for s in self.sexes or [])

    @property
    def age_label(self) -> str:
        if self.min_age is not None and self.max_age is not None:
            return f"de {self.min_age} à {self.max_age} ans"
        if self.min_age is not None:
            return f"{self.min_age} ans et plus"
        if self.max_age is not None:
            return f"jusqu'à {self.max_age} ans"
        return "tout âge"


class ProtocolMembership(PracticeOwned, Timestamped, Base):
    """A delegate trained and declared for a protocol, from ``trained_on`` until
    ``valid_until`` (included; open when NULL)."""

    __tablename__ = "protocol_membership"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= trained_on", name="period"),
        Index("ix_protocol_membership_staff_protocol", "staff_id", "protocol_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    trained_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    protocol: Mapped[Protocol] = relationship()
    staff: Mapped[Staff] = relationship(foreign_keys=[staff_id])

    def valid_on(self, day: date) -> bool:
        return self.trained_on <= day and (self.valid_until is None or day <= self.valid_until)


class ProtocolConsent(PracticeOwned, Base):
    """The patient, informed of the protocol, agrees to be cared for under it; withdrawn
    with the date and who recorded it. Rows are never deleted."""

    __tablename__ = "protocol_consent"
    __table_args__ = (
        unique_where(
            "uq_protocol_consent_standing",
            "patient_id",
            "protocol_id",
            where="withdrawn_at IS NULL",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id"))
    given_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    withdrawal_note: Mapped[str] = mapped_column(String(500), default="")

    protocol: Mapped[Protocol] = relationship()
    recorded_by: Mapped[Staff | None] = relationship(foreign_keys=[recorded_by_id])
    withdrawn_by: Mapped[Staff | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def is_standing(self) -> bool:
        return self.withdrawn_at is None


class CareTask(PracticeOwned, Timestamped, Base):
    """A task handed off under a protocol. Its status changes only through
    ``services.transitions.transition`` (a conditional UPDATE: two concurrent changes
    from the same status cannot both win)."""

    __tablename__ = "care_task"
    __table_args__ = (
        CheckConstraint(one_of("status", states.STATUSES), name="status"),
        CheckConstraint(one_of("priority", states.PRIORITIES), name="priority"),
        CheckConstraint(
            f"inbox_reason IS NULL OR {one_of('inbox_reason', states.INBOX_REASONS)}",
            name="inbox_reason",
        ),
        CheckConstraint(
            f"owner_id IS NOT NULL OR NOT ({one_of('status', _NEEDS_OWNER)})",
            name="owner",
        ),
        CheckConstraint("status <> 'completed' OR results IS NOT NULL", name="results"),
        # One open hand-off per patient and protocol: a second would split the follow-up.
        unique_where("uq_care_task_open", "patient_id", "protocol_id", where=_OPEN_SQL),
        Index("ix_care_task_queue", "practice_id", "status", "due_on"),
        Index("ix_care_task_inbox", "requester_id", "inbox_at"),
        # Issue 11: a requester's open hand-offs (the inbox's "requested" list), in order,
        # without reading every task the GP ever handed off.
        Index("ix_care_task_requested", "requester_id", "status", "due_on"),
        Index("ix_care_task_owner", "owner_id", "status"),
        Index("ix_care_task_patient", "patient_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(20), default=states.REQUESTED)
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    priority: Mapped[str] = mapped_column(String(8), default="routine")
    instructions: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    #: Cleaned values keyed by result field, and a snapshot [[label, shown value], ...]
    #: so that a later edit of the protocol never changes what was recorded.
    results: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    results_display: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    signs_observed: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Labels of the red flags the results raised.
    red_flags_raised: Mapped[list[str]] = mapped_column(JSON, default=list)
    results_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Reprise: the delegator took the act back (a red flag, or their decision).
    is_taken_back: Mapped[bool] = mapped_column(Boolean, default=False)
    taken_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Waiting in the requester's inbox since, and why; NULL once acknowledged.
    inbox_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inbox_reason: Mapped[str | None] = mapped_column(String(16))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    file_entry_id: Mapped[int | None] = mapped_column(ForeignKey("file_entry.id"))
    #: Set once by the overdue job (claim-once), cleared when the due date moves.
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    patient: Mapped[Patient] = relationship()
    protocol: Mapped[Protocol] = relationship()
    requester: Mapped[Staff] = relationship(foreign_keys=[requester_id])
    owner: Mapped[Staff | None] = relationship(foreign_keys=[owner_id])
    acknowledged_by: Mapped[Staff | None] = relationship(foreign_keys=[acknowledged_by_id])
    file_entry: Mapped[FileEntry | None] = relationship()

    @property
    def status_label(self) -> str:
        if self.status == states.COMPLETED and self.is_taken_back:
            return "Terminée — reprise par le médecin"
        return states.label(self.status)

    @property
    def priority_label(self) -> str:
        return states.PRIORITIES.get(self.priority, self.priority)

    @property
    def inbox_label(self) -> str:
        return states.INBOX_REASONS.get(self.inbox_reason or "", "")

    @property
    def is_open(self) -> bool:
        return self.status in states.OPEN_STATUSES

    def is_overdue_on(self, day: date) -> bool:
        return self.is_open and self.due_on < day


EVENT_KINDS = {
    "transition": "Changement de statut",
    "acknowledge": "Pris en compte par le médecin",
    "take_back": "Reprise par le médecin",
    "session_booked": "Séance réservée",
    "follow_up_booked": "Rendez-vous de suivi réservé",
    "due_changed": "Échéance modifiée",
    "overdue": "Échéance dépassée",
    "adverse_event": "Événement indésirable déclaré",
    "satisfaction": "Satisfaction recueillie",
}


class TaskEvent(PracticeOwned, Base):
    """One line of a task's history: who, when, from which status to which, and why."""

    __tablename__ = "task_event"
    __table_args__ = (CheckConstraint(one_of("kind", EVENT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("care_task.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(20), default="transition")
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    #: Ids only (appointment, file entry, red flags raised…), never names.
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[Staff | None] = relationship()

    kind_label = label_of(EVENT_KINDS, "kind")


APPOINTMENT_PURPOSES = {"session": "Séance", "follow_up": "Rendez-vous de suivi"}


class TaskAppointment(PracticeOwned, Base):
    """An appointment booked for a task: the delegate's session or the GP's follow-up."""

    __tablename__ = "task_appointment"
    __table_args__ = (CheckConstraint(one_of("purpose", APPOINTMENT_PURPOSES), name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("care_task.id"), index=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))

    appointment: Mapped[Appointment] = relationship()

    purpose_label = label_of(APPOINTMENT_PURPOSES, "purpose")


SEVERITIES = {"mild": "Léger", "moderate": "Modéré", "severe": "Grave"}


class AdverseEvent(PracticeOwned, Base):
    """An adverse event reported on a task (an indicator the ARS asks for, D4011-4)."""

    __tablename__ = "adverse_event"
    __table_args__ = (CheckConstraint(one_of("severity", SEVERITIES), name="severity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("care_task.id"), index=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str] = mapped_column(Text, default="")
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)

    reported_by: Mapped[Staff] = relationship()

    severity_label = label_of(SEVERITIES, "severity")


RESPONDENTS = {
    "patient": "Patient",
    "delegate": "Professionnel délégué",
    "delegator": "Médecin délégant",
}


class SatisfactionResponse(PracticeOwned, Base):
    """A participant's satisfaction with a protocol, 1 (very poor) to 5 (very good)."""

    __tablename__ = "satisfaction_response"
    __table_args__ = (
        CheckConstraint("score >= 1 AND score <= 5", name="score"),
        CheckConstraint(one_of("respondent", RESPONDENTS), name="respondent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("care_task.id"), index=True)
    respondent: Mapped[str] = mapped_column(String(10))
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    respondent_label = label_of(RESPONDENTS, "respondent")


class SupervisionReview(PracticeOwned, Base):
    """A maître de stage has reviewed one version of a docteur junior's file entry."""

    __tablename__ = "supervision_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("file_entry.id"), unique=True)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(1000), default="")

    reviewed_by: Mapped[Staff] = relationship()
