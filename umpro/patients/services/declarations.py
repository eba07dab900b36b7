"""Médecin traitant declarations: declare, transfer to another GP, end; history by date.

Periods are ``[start_on, end_on)``, never in the future, never overlapping for one
patient (checked here inside the write transaction, and by the database: a partial
unique index on the open one, an exclusion constraint on PostgreSQL).
"""

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.permissions import DeclarationChange
from umpro.errors import Conflict, Invalid
from umpro.patients.models import END_REASONS, Patient, TreatingDeclaration
from umpro.patients.services._common import (
    authorize,
    flush_or_conflict,
    gp_of_practice,
    newest_of_patient,
    not_in_future,
)
from umpro.team.models import Staff

OVERLAP = "Ce patient a déjà un médecin traitant déclaré sur cette période."


def treating_gp_of(session: Session, patient: Patient, on: date) -> Staff | None:
    """The patient's médecin traitant on ``on`` (any past date), or None."""
    return session.scalar(
        select(Staff)
        .join(TreatingDeclaration, TreatingDeclaration.gp_id == Staff.id)
        .where(
            TreatingDeclaration.patient_id == patient.id,
            TreatingDeclaration.start_on <= on,
            or_(TreatingDeclaration.end_on.is_(None), TreatingDeclaration.end_on > on),
        )
    )


def history(session: Session, *, patient: Patient) -> list[TreatingDeclaration]:
    """Every declaration of the patient, most recent first (the GP loaded with it)."""
    return newest_of_patient(session, TreatingDeclaration, patient, TreatingDeclaration.start_on)


def _current(session: Session, patient: Patient) -> TreatingDeclaration | None:
    return session.scalar(
        select(TreatingDeclaration).where(
            TreatingDeclaration.patient_id == patient.id, TreatingDeclaration.end_on.is_(None)
        )
    )


def _open(session, *, actor, patient, gp, start_on) -> TreatingDeclaration:
    if start_on < patient.birth_date:
        raise Invalid(
            "La déclaration ne peut pas précéder la naissance du patient.", field="start_on"
        )
    overlapping = session.scalar(
        select(TreatingDeclaration.id).where(
            TreatingDeclaration.patient_id == patient.id,
            or_(TreatingDeclaration.end_on.is_(None), TreatingDeclaration.end_on > start_on),
        )
    )
    if overlapping is not None:
        raise Conflict(OVERLAP, field="start_on")
    declaration = TreatingDeclaration(
        practice_id=patient.practice_id,
        patient_id=patient.id,
        gp=gp,
        start_on=start_on,
        recorded_by_id=actor.id if actor else None,
    )
    session.add(declaration)
    flush_or_conflict(session, OVERLAP, field="start_on")
    session.expire(patient, ["current_declaration"])
    return declaration


def declare(
    session: Session, *, acting: Acting, patient: Patient, gp_id: int | None, start_on: date | None
) -> TreatingDeclaration:
    """Record that ``gp_id`` is the patient's médecin traitant from ``start_on``. Callers
    hold ``declaration.manage``. Refuses a non-GP, a future date, and a period that
    overlaps one already recorded (use ``transfer`` to change GP)."""
    authorize(
        acting.actor,
        "declaration.manage",
        patient,
        "Vous ne pouvez pas déclarer de médecin traitant.",
    )
    gp = gp_of_practice(session, patient.practice_id, gp_id)
    start_on = not_in_future(
        session, patient, start_on, acting.now, field="start_on", what="La date de début"
    )
    declaration = _open(session, actor=acting.actor, patient=patient, gp=gp, start_on=start_on)
    record_access_to(session, acting, "declaration.create", declaration)
    return declaration


def _close(current: TreatingDeclaration, *, actor, on: date, reason: str, field: str) -> None:
    if on <= current.start_on:
        raise Invalid(
            "La date doit être postérieure au début de la déclaration en cours "
            f"({current.start_on:%d/%m/%Y}).",
            field=field,
        )
    current.end_on = on
    current.end_reason = reason
    current.ended_by_id = actor.id if actor else None


def transfer(
    session: Session, *, acting: Acting, patient: Patient, gp_id: int | None, on: date | None
) -> TreatingDeclaration:
    """Change the patient's médecin traitant on ``on``: the current declaration ends
    (reason "transfer") and the new one starts that day. Callers hold
    ``declaration.transfer`` for this patient and new GP (the desk, the current GP, or
    the new GP themself: see the permissions module). Refuses a non-GP, the same GP, no
    current declaration, a future date or one not after the current start."""
    refused = "Vous ne pouvez pas changer le médecin traitant."
    authorize(acting.actor, "declaration.transfer", patient, refused)
    gp = gp_of_practice(session, patient.practice_id, gp_id)
    authorize(
        acting.actor,
        "declaration.transfer",
        DeclarationChange(patient, gp.id),
        "Seuls le médecin traitant actuel, le nouveau médecin (vers lui-même) et le "
        "secrétariat enregistrent un changement de médecin traitant.",
    )
    on = not_in_future(session, patient, on, acting.now, field="on", what="La date du changement")
    current = _current(session, patient)
    if current is None:
        raise Invalid("Ce patient n'a pas de médecin traitant déclaré : déclarez-en un.")
    if current.gp_id == gp.id:
        raise Invalid("Ce médecin est déjà le médecin traitant de ce patient.", field="gp_id")
    _close(current, actor=acting.actor, on=on, reason="transfer", field="on")
    session.flush()
    declaration = _open(session, actor=acting.actor, patient=patient, gp=gp, start_on=on)
    record_access_to(session, acting, "declaration.transfer", declaration)
    return declaration


def end_declaration(
    session: Session, *, acting: Acting, patient: Patient, on: date | None, reason: str
) -> TreatingDeclaration:
    """End the current declaration on ``on`` (exclusive) for a listed reason. Callers hold
    ``declaration.end`` (the GP named in it, or the desk recording the patient's written
    choice: see the permissions module). Refuses an unknown reason, a future date, no
    current one."""
    authorize(
        acting.actor,
        "declaration.end",
        patient,
        "Seuls le médecin traitant déclaré et le secrétariat (à la demande écrite du "
        "patient) mettent fin à la déclaration.",
    )
    if reason not in END_REASONS or reason == "transfer":
        raise Invalid("Choisissez le motif de fin.", field="end_reason")
    on = not_in_future(session, patient, on, acting.now, field="end_on", what="La date de fin")
    current = _current(session, patient)
    if current is None:
        raise Invalid("Ce patient n'a pas de médecin traitant déclaré.")
    _close(current, actor=acting.actor, on=on, reason=reason, field="end_on")
    session.flush()
    session.expire(patient, ["current_declaration"])
    record_access_to(session, acting, "declaration.end", current)
    return current
