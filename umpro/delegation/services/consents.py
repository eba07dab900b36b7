"""The patient's consent to be cared for under a protocol: given, withdrawn, kept.

Recording is for clinicians who inform the patient (``consent.record``). A withdrawal
cancels the open tasks of that protocol for the patient (each cancellation a TaskEvent,
and the requesting GP sees it in the inbox): nobody may go on acting without consent.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.delegation import states
from umpro.delegation.models import CareTask, Protocol, ProtocolConsent
from umpro.delegation.services import transitions
from umpro.delegation.services._common import authorize, clean_text, today
from umpro.errors import Conflict, Invalid
from umpro.patients.models import Patient
from umpro.team.models import Practice


def standing_consent(
    session: Session, *, patient: Patient, protocol: Protocol
) -> ProtocolConsent | None:
    return session.scalar(
        select(ProtocolConsent).where(
            ProtocolConsent.patient_id == patient.id,
            ProtocolConsent.protocol_id == protocol.id,
            ProtocolConsent.withdrawn_at.is_(None),
        )
    )


def consents_of(session: Session, *, patient: Patient) -> list[ProtocolConsent]:
    """Every consent of the patient, standing or withdrawn, latest first."""
    return list(
        session.scalars(
            select(ProtocolConsent)
            .options(
                joinedload(ProtocolConsent.protocol),
                joinedload(ProtocolConsent.recorded_by),
                joinedload(ProtocolConsent.withdrawn_by),
            )
            .where(ProtocolConsent.patient_id == patient.id)
            .order_by(ProtocolConsent.recorded_at.desc(), ProtocolConsent.id.desc())
        )
    )


def give_consent(
    session: Session,
    *,
    acting: Acting,
    patient: Patient,
    protocol: Protocol,
    given_on: date | None = None,
) -> ProtocolConsent:
    """Record that ``patient``, informed of ``protocol``, agrees to it. Callers hold
    ``consent.record``. Refuses a date in the future and a consent already standing."""
    authorize(
        acting.actor, "consent.record", patient, "Vous ne pouvez pas recueillir de consentement."
    )
    day = today(patient_practice(session, patient), acting.now)
    given_on = given_on or day
    if given_on > day:
        raise Invalid("La date du consentement ne peut pas être dans le futur.", field="given_on")
    if standing_consent(session, patient=patient, protocol=protocol) is not None:
        raise Conflict(
            f"Le consentement au protocole « {protocol.title} » est déjà enregistré.",
            field="protocol_code",
        )
    consent = ProtocolConsent(
        practice_id=patient.practice_id,
        patient_id=patient.id,
        protocol=protocol,
        given_on=given_on,
        recorded_at=acting.now,
        recorded_by_id=acting.actor.id if acting.actor else None,
    )
    session.add(consent)
    session.flush()
    record_access_to(
        session,
        acting,
        "protocol_consent.give",
        consent,
        practice_id=patient.practice_id,
    )
    return consent


def withdraw_consent(
    session: Session, *, acting: Acting, patient: Patient, protocol: Protocol, note: str = ""
) -> ProtocolConsent:
    """Record the withdrawal of the patient's consent to ``protocol``; the open tasks of
    that protocol for the patient are cancelled. Callers hold ``consent.record``.
    Refuses when no consent stands."""
    authorize(acting.actor, "consent.record", patient, "Vous ne pouvez pas enregistrer de retrait.")
    consent = standing_consent(session, patient=patient, protocol=protocol)
    if consent is None:
        raise Conflict(
            f"Aucun consentement au protocole « {protocol.title} » n'est en cours.",
            field="protocol_code",
        )
    consent.withdrawn_at = acting.now
    consent.withdrawn_on = today(patient_practice(session, patient), acting.now)
    consent.withdrawn_by_id = acting.actor.id if acting.actor else None
    consent.withdrawal_note = clean_text(note, limit=500)
    session.flush()
    record_access_to(
        session,
        acting,
        "protocol_consent.withdraw",
        consent,
        practice_id=patient.practice_id,
    )
    open_tasks = session.scalars(
        select(CareTask).where(
            CareTask.patient_id == patient.id,
            CareTask.protocol_id == protocol.id,
            CareTask.status.in_(states.OPEN_STATUSES),
        )
    ).all()
    for task in open_tasks:
        transitions.cancel_without_consent(session, acting=acting, task=task)
    return consent


def patient_practice(session: Session, patient: Patient) -> Practice:
    return session.get(Practice, patient.practice_id)
