"""The patient's objection to team sharing (opposition au partage, L1110-4 CSP).

The rule, enforced here and in ``umpro.auth.permissions`` (``file_entry.view``):

* While an objection stands, a **clinical** entry of the shared file is visible only to
  the professional who wrote it and to the patient's médecin traitant (the GP with the
  open declaration). Administrative data (identity, contacts, declarations, requests,
  administrative entries) stays visible to the team.
* While it stands, the patient's data is handed to **no other professional**:
  ``check_sharing_allows`` refuses any hand-off (a delegated task, …) except back to
  the médecin traitant or to the actor themself.
* The objection is recorded, and lifted, with the date and who did it; its history is
  kept. Once lifted, the team shares again, including what was written meanwhile.
"""

from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.errors import Conflict, Forbidden
from umpro.patients.models import Patient, SharingObjection
from umpro.patients.services._common import authorize, flush_or_conflict, newest_of_patient

SHARING_REFUSED = (
    "Ce patient s'oppose au partage de ses données dans l'équipe : elles ne peuvent être "
    "transmises qu'à son médecin traitant."
)


def record_objection(
    session: Session, *, acting: Acting, patient: Patient, note: str = ""
) -> SharingObjection:
    """Record that the patient objects to team sharing. Callers hold
    ``patient.sharing_objection``; refuses when an objection already stands."""
    authorize(
        acting.actor,
        "patient.sharing_objection",
        patient,
        "Vous ne pouvez pas enregistrer d'opposition.",
    )
    if patient.active_objection is not None:
        raise Conflict("Une opposition au partage est déjà enregistrée pour ce patient.")
    objection = SharingObjection(
        practice_id=patient.practice_id,
        patient_id=patient.id,
        recorded_at=acting.now,
        recorded_by_id=acting.actor.id if acting.actor else None,
        note=" ".join((note or "").split())[:500],
    )
    session.add(objection)
    flush_or_conflict(session, "Une opposition au partage est déjà enregistrée pour ce patient.")
    session.expire(patient, ["active_objection"])
    record_access_to(session, acting, "sharing_objection.record", objection)
    return objection


def lift_objection(session: Session, *, acting: Acting, patient: Patient) -> SharingObjection:
    """Lift the standing objection (the patient agrees to sharing again). Callers hold
    ``patient.sharing_objection``; refuses when none stands."""
    authorize(
        acting.actor, "patient.sharing_objection", patient, "Vous ne pouvez pas lever d'opposition."
    )
    objection = patient.active_objection
    if objection is None:
        raise Conflict("Aucune opposition au partage n'est en cours pour ce patient.")
    objection.lifted_at = acting.now
    objection.lifted_by_id = acting.actor.id if acting.actor else None
    session.flush()
    session.expire(patient, ["active_objection"])
    record_access_to(session, acting, "sharing_objection.lift", objection)
    return objection


def objection_history(session: Session, *, patient: Patient) -> list[SharingObjection]:
    """Every objection of the patient, newest first, with who recorded and lifted it."""
    return newest_of_patient(
        session,
        SharingObjection,
        patient,
        SharingObjection.recorded_at,
        load=[SharingObjection.recorded_by, SharingObjection.lifted_by],
    )


def print_information_sheet(session: Session, *, acting: Acting, patient: Patient) -> None:
    """Log the print of the information sheet on team sharing (``patient.print_sheet``)."""
    record_access_to(session, acting, "patient.print_sheet", patient)


def check_sharing_allows(session: Session, *, patient: Patient, actor, recipient) -> None:
    """Refuse (Forbidden, French message) handing ``patient``'s data to ``recipient``.

    Rule (L1110-4 CSP): while the patient's objection to team sharing stands, their data
    goes to no other professional of the team. Handing back to the patient's médecin
    traitant, or to the actor themself, stays possible: the médecin traitant already
    sees everything. Without a standing objection nothing is refused here (a protocol's
    consent, where required, is checked by the delegation services). A recipient from
    another practice is always refused.
    """
    if recipient.practice_id != patient.practice_id:
        raise Forbidden("Ce destinataire n'appartient pas à l'équipe de ce patient.")
    if patient.active_objection is None:
        return
    if actor is not None and recipient.id == actor.id:
        return
    declaration = patient.current_declaration
    if declaration is not None and declaration.gp_id == recipient.id:
        return
    raise Forbidden(SHARING_REFUSED)
