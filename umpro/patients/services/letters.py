"""Referral letters (lettre d'adressage, second opinion), composed from the file."""

from datetime import date

from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.permissions import can
from umpro.errors import Conflict, Invalid, NotFound
from umpro.patients.models import FileEntry, Patient, ReferralLetter
from umpro.patients.services._common import authorize, not_in_future, today_for
from umpro.patients.services.entries import current_entries, new_entry


def _letter_body(reason: str, items: list[FileEntry]) -> str:
    lines = [f"Motif : {reason}"]
    if items:
        lines += ["", "Éléments du dossier joints :"]
        lines += [f"- {e.dated_at:%d/%m/%Y} · {e.kind_label} · {e.title}" for e in items]
    return "\n".join(lines)


def create_letter(
    session: Session,
    *,
    acting: Acting,
    patient: Patient,
    recipient: str,
    reason: str,
    is_second_opinion: bool = False,
    entry_ids: list[int] = (),
) -> ReferralLetter:
    """Compose a referral letter from the file: the GP, the patient's identity, the reason
    and the entries the doctor picks; stored as a letter entry of the file. Callers hold
    ``referral_letter.write`` (GPs and junior doctors). Refuses a missing recipient or
    reason, and entries that are not current, visible entries of this patient."""
    authorize(
        acting.actor, "referral_letter.write", patient, "Vous ne pouvez pas rédiger de courrier."
    )
    recipient = " ".join((recipient or "").split())
    if not recipient:
        raise Invalid(
            "Indiquez le destinataire (confrère, service ou spécialité).", field="recipient"
        )
    if len(recipient) > 200:
        raise Invalid("Le destinataire dépasse 200 caractères.", field="recipient")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Le motif de l'adressage est obligatoire.", field="reason")
    wanted = set(entry_ids or ())
    items = current_entries(session, actor=acting.actor, patient=patient, ids=wanted)
    if len(items) != len(wanted):
        raise Invalid("Choisissez des entrées valides du dossier de ce patient.", field="entry_ids")
    items.sort(key=lambda e: (e.dated_at, e.id))
    kind = "Demande de second avis" if is_second_opinion else "Lettre d'adressage"
    entry = new_entry(
        session,
        acting=acting,
        patient=patient,
        kind="letter",
        title=f"{kind} — {recipient}"[:200],
        body=_letter_body(reason, items),
    )
    letter = ReferralLetter(
        practice_id=patient.practice_id,
        patient_id=patient.id,
        entry=entry,
        author_id=acting.actor.id,
        created_at=acting.now,
        recipient=recipient,
        reason=reason,
        is_second_opinion=bool(is_second_opinion),
        items=items,
    )
    session.add(letter)
    session.flush()
    record_access_to(session, acting, "referral_letter.create", letter)
    return letter


def get_letter(session: Session, *, actor, patient: Patient, letter_id: int) -> ReferralLetter:
    """A letter of ``patient`` whose entry ``actor`` may see, else NotFound."""
    letter = session.get(ReferralLetter, letter_id)
    if (
        letter is None
        or letter.patient_id != patient.id
        or not can(actor, "file_entry.view", letter.entry)
    ):
        raise NotFound("Courrier introuvable.")
    return letter


def print_letter(session: Session, *, acting: Acting, letter: ReferralLetter) -> ReferralLetter:
    """Log the print of a letter (``referral_letter.print``)."""
    record_access_to(session, acting, "referral_letter.print", letter)
    return letter


def record_reply(
    session: Session, *, acting: Acting, letter: ReferralLetter, received_on: date | None, body: str
) -> FileEntry:
    """Record the specialist's reply as a letter entry of the file. Callers hold
    ``file_entry.create_clinical``. Refuses a second reply, an empty text, a date in the
    future or before the letter."""
    if letter.reply_entry_id is not None:
        raise Conflict("La réponse à ce courrier est déjà enregistrée.")
    received_on = not_in_future(
        session, letter, received_on, acting.now, field="received_on", what="La date de réception"
    )
    if received_on < today_for(session, letter.practice_id, letter.created_at):
        raise Invalid(
            "La réponse ne peut pas être reçue avant l'envoi du courrier.", field="received_on"
        )
    entry = new_entry(
        session,
        acting=acting,
        patient=letter.patient,
        kind="letter",
        title=f"Réponse de {letter.recipient}"[:200],
        body=body,
    )
    letter.reply_entry = entry
    letter.reply_received_on = received_on
    session.flush()
    record_access_to(session, acting, "referral_letter.reply", entry)
    return entry
