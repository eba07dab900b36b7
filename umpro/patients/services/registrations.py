"""Requests to a GP to become a patient's médecin traitant: intake, queue, decision.

A GP may decline, but only for a lawful reason from ``DECLINE_REASONS`` (never a
discriminatory one, art. L1110-3 CSP), and says where the patient was oriented. The
database refuses a decline without both too (check constraint ``lawful_decline``).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, select, update
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.auth.audit import record_access_to, record_patients_shown
from umpro.errors import Conflict, Invalid, NotFound
from umpro.patients.models import (
    CHANNELS,
    DECLINE_REASONS,
    Patient,
    RegistrationRequest,
    TreatingDeclaration,
)
from umpro.patients.services import declarations
from umpro.patients.services._common import (
    authorize,
    flush_or_conflict,
    gp_of_practice,
    newest_of_patient,
    not_in_future,
    today_for,
)

DECISIONS = {"accept": "Accepter", "decline": "Refuser", "withdraw": "Retirée par le patient"}
PENDING_TWICE = "Une demande est déjà en attente auprès de ce médecin pour ce patient."


def create_request(
    session: Session,
    *,
    acting: Acting,
    patient: Patient,
    gp_id: int | None,
    channel: str,
    received_on: date | None,
    has_chronic_condition: bool = False,
    note: str = "",
) -> RegistrationRequest:
    """Take a patient's request to ``gp_id``. Callers hold ``registration_request.create``
    (secretaries, mediators, medical assistants, GPs). Refuses a non-GP, an unknown
    channel, a future date, a GP who already is the patient's médecin traitant, and a
    second pending request to the same GP."""
    authorize(
        acting.actor,
        "registration_request.create",
        patient,
        "Vous ne pouvez pas enregistrer de demande.",
    )
    gp = gp_of_practice(session, patient.practice_id, gp_id)
    if channel not in CHANNELS:
        raise Invalid("Choisissez le canal de la demande.", field="channel")
    received_on = not_in_future(
        session, patient, received_on, acting.now, field="received_on", what="La date de la demande"
    )
    current = patient.current_declaration
    if current is not None and current.gp_id == gp.id:
        raise Conflict("Ce médecin est déjà le médecin traitant de ce patient.", field="gp_id")
    if session.scalar(
        select(RegistrationRequest.id).where(
            RegistrationRequest.patient_id == patient.id,
            RegistrationRequest.gp_id == gp.id,
            RegistrationRequest.status == "pending",
        )
    ):
        raise Conflict(PENDING_TWICE, field="gp_id")
    request = RegistrationRequest(
        practice_id=patient.practice_id,
        patient=patient,
        gp=gp,
        received_on=received_on,
        channel=channel,
        has_chronic_condition=bool(has_chronic_condition),
        note=" ".join((note or "").split())[:500],
        recorded_by_id=acting.actor.id if acting.actor else None,
        created_at=acting.now,
    )
    session.add(request)
    flush_or_conflict(session, PENDING_TWICE, field="gp_id")
    record_access_to(session, acting, "registration_request.create", request)
    return request


def get_request(session: Session, *, actor, request_id: int) -> RegistrationRequest:
    request = session.get(RegistrationRequest, request_id)
    if request is None or request.practice_id != actor.practice_id:
        raise NotFound("Demande introuvable.")
    authorize(actor, "patient.view_admin", request, "Vous n'avez pas accès à cette demande.")
    return request


@dataclass
class QueueItem:
    request: RegistrationRequest
    has_treating_gp: bool

    @property
    def is_priority(self) -> bool:
        """ALD without a médecin traitant: the national priority comes first."""
        return self.request.has_chronic_condition and not self.has_treating_gp


def queue(
    session: Session, *, acting: Acting, gp_id: int, status: str = "pending"
) -> list[QueueItem]:
    """A GP's requests of ``status``: ALD patients without a médecin traitant first, then
    by date received. One query. Callers hold ``registration_request.list``; the patients
    listed are logged (``registration_request.list``)."""
    authorize(
        acting.actor, "registration_request.list", None, "Vous n'avez pas accès aux demandes."
    )
    has_gp = exists().where(
        TreatingDeclaration.patient_id == RegistrationRequest.patient_id,
        TreatingDeclaration.end_on.is_(None),
    )
    priority = case(
        (and_(RegistrationRequest.has_chronic_condition.is_(True), ~has_gp), 0), else_=1
    )
    rows = session.execute(
        select(RegistrationRequest, has_gp.label("has_gp"))
        .where(
            RegistrationRequest.practice_id == acting.actor.practice_id,
            RegistrationRequest.gp_id == gp_id,
            RegistrationRequest.status == status,
        )
        .options(joinedload(RegistrationRequest.patient))
        .order_by(priority, RegistrationRequest.received_on, RegistrationRequest.id)
    ).all()
    items = [QueueItem(request, bool(flag)) for request, flag in rows]
    record_patients_shown(
        session,
        acting,
        "registration_request.list",
        [i.request.patient_id for i in items],
        f"registration_queue:gp:{gp_id}",
    )
    return items


def _claim(session: Session, request: RegistrationRequest, **values) -> None:
    """Decide a pending request once: a conditional update, so two decisions cannot race."""
    done = session.execute(
        update(RegistrationRequest)
        .where(RegistrationRequest.id == request.id, RegistrationRequest.status == "pending")
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict("Cette demande a déjà été traitée.")
    session.expire(request)


def decide(
    session: Session,
    *,
    acting: Acting,
    request: RegistrationRequest,
    decision: str,
    reason: str = "",
    note: str = "",
    oriented_to: str = "",
) -> RegistrationRequest:
    """Decide a pending request.

    * ``accept`` (the GP asked, ``registration_request.decide``): the declaration starts
      today; a current one with another GP is transferred.
    * ``decline`` (same GP): needs a reason from ``DECLINE_REASONS`` and the colleague or
      structure the patient was oriented to; anything else is refused, nothing saved.
    * ``withdraw`` (the GP or the team's intake, ``registration_request.withdraw``).
    """
    if decision not in DECISIONS:
        raise Invalid("Choisissez une décision.", field="decision")
    action = (
        "registration_request.withdraw" if decision == "withdraw" else "registration_request.decide"
    )
    authorize(
        acting.actor,
        action,
        request,
        "Seul le médecin sollicité peut accepter ou refuser cette demande.",
    )
    if request.status != "pending":
        raise Conflict("Cette demande a déjà été traitée.")
    note = (note or "").strip()[:1000]
    values = {"decided_at": acting.now, "decided_by_id": acting.actor.id if acting.actor else None}
    if decision == "decline":
        if not reason:
            raise Invalid("Un refus doit être motivé : choisissez un motif.", field="reason")
        if reason not in DECLINE_REASONS:
            raise Invalid(
                "Ce motif de refus n'est pas autorisé : seuls les motifs légitimes de la liste "
                "le sont, jamais un motif discriminatoire.",
                field="reason",
            )
        oriented_to = " ".join((oriented_to or "").split())
        if not oriented_to:
            raise Invalid(
                "Indiquez vers quel confrère ou quelle structure le patient a été orienté.",
                field="oriented_to",
            )
        values |= {
            "status": "declined",
            "decline_reason": reason,
            "oriented_to": oriented_to[:200],
            "decision_note": note,
        }
    elif decision == "withdraw":
        values |= {"status": "withdrawn", "decision_note": note}
    else:
        values |= {"status": "accepted", "decision_note": note}
    patient = request.patient
    gp_id = request.gp_id
    _claim(session, request, **values)
    if decision == "accept":
        today = today_for(session, patient.practice_id, acting.now)
        current = patient.current_declaration
        change = declarations.transfer if current is not None else declarations.declare
        kwargs = {"on": today} if current is not None else {"start_on": today}
        declaration = change(session, acting=acting, patient=patient, gp_id=gp_id, **kwargs)
        request.declaration_id = declaration.id
        session.flush()
    record_access_to(session, acting, f"registration_request.{decision}", request)
    return request


def declined_requests(
    session: Session, *, acting: Acting, patient: Patient
) -> list[RegistrationRequest]:
    """The patient's declined requests (doctor, date, reason, orientation), for the
    Assurance maladie conciliator; logged as a print (``registration_request.print``)."""
    authorize(acting.actor, "patient.view_admin", patient, "Vous n'avez pas accès à ce patient.")
    rows = list(
        session.scalars(
            select(RegistrationRequest)
            .where(
                RegistrationRequest.patient_id == patient.id,
                RegistrationRequest.status == "declined",
            )
            .order_by(RegistrationRequest.decided_at, RegistrationRequest.id)
        )
    )
    record_access_to(session, acting, "registration_request.print", patient)
    return rows


def requests_of(session: Session, *, patient: Patient) -> list[RegistrationRequest]:
    return newest_of_patient(session, RegistrationRequest, patient, RegistrationRequest.received_on)
