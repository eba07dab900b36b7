"""The shared file: typed entries, corrections as new versions, entered-in-error marks.

Nothing is deleted. Who sees an entry is decided by ``file_entry.view`` in the
permissions module; the timeline query applies the same rule in SQL so that a page
holds only visible entries, then checks each with ``can`` all the same.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.permissions import can
from umpro.errors import Conflict, Invalid, NotFound
from umpro.patients.models import (
    ADMINISTRATIVE_KINDS,
    ENTRY_KINDS,
    FileEntry,
    Patient,
    ReferralLetter,
)
from umpro.patients.services._common import authorize, flush_or_conflict

TITLE_MAX = 200
BODY_MAX = 20_000
TIMELINE_PAGE = 50


def _text(title: str, body: str, kind: str) -> tuple[str, str]:
    title = " ".join((title or "").split()) or ENTRY_KINDS[kind]
    body = (body or "").strip()
    if not body:
        raise Invalid("Le contenu de l'entrée est obligatoire.", field="body")
    if len(title) > TITLE_MAX:
        raise Invalid(f"Le titre dépasse {TITLE_MAX} caractères.", field="title")
    if len(body) > BODY_MAX:
        raise Invalid(f"Le contenu dépasse {BODY_MAX} caractères.", field="body")
    return title, body


def check_may_write(actor, patient: Patient, kind: str) -> None:
    if kind not in ENTRY_KINDS:
        raise Invalid("Choisissez le type d'entrée.", field="kind")
    action = (
        "file_entry.create_admin" if kind in ADMINISTRATIVE_KINDS else "file_entry.create_clinical"
    )
    authorize(actor, action, patient, "Vous ne pouvez pas écrire ce type d'entrée dans ce dossier.")


def new_entry(session, *, acting: Acting, patient, kind, title, body) -> FileEntry:
    """Write an entry without logging (callers log the access they make)."""
    check_may_write(acting.actor, patient, kind)
    title, body = _text(title, body, kind)
    entry = FileEntry(
        practice_id=patient.practice_id,
        patient=patient,
        kind=kind,
        title=title,
        body=body,
        author_id=acting.actor.id,
        created_at=acting.now,
        dated_at=acting.now,
        version=1,
    )
    session.add(entry)
    session.flush()
    return entry


def add_entry(
    session: Session, *, acting: Acting, patient: Patient, kind: str, title: str, body: str
) -> FileEntry:
    """Write an entry in the patient's file. Clinical kinds need ``file_entry.create_clinical``
    (clinicians), the administrative kind ``file_entry.create_admin``. Refuses an empty body,
    an unknown kind."""
    entry = new_entry(session, acting=acting, patient=patient, kind=kind, title=title, body=body)
    record_access_to(session, acting, "file_entry.create", entry)
    return entry


def get_entry(session: Session, *, actor, patient: Patient, entry_id: int) -> FileEntry:
    """An entry of ``patient`` that ``actor`` may see; else NotFound (never "it exists")."""
    entry = session.get(FileEntry, entry_id)
    if entry is None or entry.patient_id != patient.id or not can(actor, "file_entry.view", entry):
        raise NotFound("Entrée introuvable.")
    return entry


def _change_live_version(session: Session, entry: FileEntry, **values) -> None:
    """Set ``values`` on ``entry`` while it is the live version (neither corrected nor
    marked erroneous): a conditional update, so that of two people only one does it; the
    other gets a Conflict."""
    done = session.execute(
        update(FileEntry)
        .where(
            FileEntry.id == entry.id,
            FileEntry.superseded_at.is_(None),
            FileEntry.entered_in_error_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(
            "Cette entrée a déjà été corrigée ou marquée erronée : rechargez le dossier."
        )


def _supersede(session: Session, entry: FileEntry, now: datetime) -> None:
    """Mark ``entry`` superseded unless someone did first."""
    _change_live_version(session, entry, superseded_at=now)
    session.expire(entry, ["superseded_at"])


def correct_entry(
    session: Session, *, acting: Acting, entry: FileEntry, title: str, body: str
) -> FileEntry:
    """Correct an entry: a new version replaces it on the timeline, the old one stays in
    the history. Only its author, on its last version (``file_entry.correct``); refuses an
    unchanged text and a referral letter (write a new one)."""
    authorize(
        acting.actor, "file_entry.correct", entry, "Seul l'auteur peut corriger cette entrée."
    )
    if session.scalar(select(ReferralLetter.id).where(ReferralLetter.entry_id == entry.lineage_id)):
        raise Invalid("Une lettre d'adressage ne se corrige pas : rédigez-en une nouvelle.")
    title, body = _text(title, body, entry.kind)
    if (title, body) == (entry.title, entry.body):
        raise Invalid("La correction ne change rien au texte.", field="body")
    _supersede(session, entry, acting.now)
    correction = FileEntry(
        practice_id=entry.practice_id,
        patient_id=entry.patient_id,
        kind=entry.kind,
        title=title,
        body=body,
        author_id=acting.actor.id,
        created_at=acting.now,
        dated_at=entry.dated_at,
        original_id=entry.lineage_id,
        version=entry.version + 1,
    )
    session.add(correction)
    flush_or_conflict(session, "Cette entrée vient d'être corrigée par ailleurs : rechargez.")
    record_access_to(session, acting, "file_entry.correct", correction)
    return correction


def mark_entered_in_error(
    session: Session, *, acting: Acting, entry: FileEntry, reason: str
) -> FileEntry:
    """Strike out an entry written by mistake (wrong patient…): it stays, marked, with the
    reason. Only its author, on its last version; refuses an empty reason."""
    authorize(acting.actor, "file_entry.correct", entry, "Seul l'auteur peut marquer cette entrée.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid("Indiquez pourquoi cette entrée est erronée.", field="reason")
    if len(reason) > 300:
        raise Invalid("Le motif dépasse 300 caractères.", field="reason")
    _change_live_version(
        session,
        entry,
        entered_in_error_at=acting.now,
        entered_in_error_by_id=acting.actor.id,
        error_reason=reason,
    )
    session.expire(entry)
    record_access_to(session, acting, "file_entry.mark_error", entry)
    return entry


def visible_condition(actor, patient: Patient):
    """``file_entry.view`` as SQL, for one patient (kept equal to the rule by tests)."""
    administrative = FileEntry.kind.in_(ADMINISTRATIVE_KINDS)
    if not can(actor, "patient.view_clinical", patient):
        return administrative
    declaration = patient.current_declaration
    is_treating_gp = declaration is not None and declaration.gp_id == actor.id
    if patient.active_objection is None or is_treating_gp:
        return None
    return or_(administrative, FileEntry.author_id == actor.id)


@dataclass
class Timeline:
    entries: list[FileEntry]
    #: Earlier versions of the corrected entries shown, by lineage id, newest first.
    history: dict[int, list[FileEntry]] = field(default_factory=dict)
    has_more: bool = False


def timeline(
    session: Session, *, actor, patient: Patient, limit: int = TIMELINE_PAGE, offset: int = 0
) -> Timeline:
    """The entries ``actor`` may see, newest first, in two queries whatever their number.
    Logs nothing: the caller logged opening the patient."""
    conditions = [FileEntry.patient_id == patient.id, FileEntry.superseded_at.is_(None)]
    if (visible := visible_condition(actor, patient)) is not None:
        conditions.append(visible)
    rows = session.scalars(
        select(FileEntry)
        .where(*conditions)
        .options(joinedload(FileEntry.author))
        .order_by(FileEntry.dated_at.desc(), FileEntry.id.desc())
        .offset(offset)
        .limit(limit + 1)
    ).all()
    entries = [e for e in rows[:limit] if can(actor, "file_entry.view", e)]
    result = Timeline(entries=entries, has_more=len(rows) > limit)
    corrected = [e.lineage_id for e in entries if e.version > 1]
    if corrected:
        older = session.scalars(
            select(FileEntry)
            .where(
                FileEntry.patient_id == patient.id,
                FileEntry.superseded_at.is_not(None),
                or_(FileEntry.id.in_(corrected), FileEntry.original_id.in_(corrected)),
            )
            .options(joinedload(FileEntry.author))
            .order_by(FileEntry.version.desc())
        ).all()
        for version in older:
            result.history.setdefault(version.lineage_id, []).append(version)
    return result


def current_entries(session: Session, *, actor, patient: Patient, ids) -> list[FileEntry]:
    """Current, valid entries of ``patient`` among ``ids`` that ``actor`` may see."""
    if not ids:
        return []
    rows = session.scalars(
        select(FileEntry).where(
            FileEntry.id.in_(ids),
            and_(FileEntry.patient_id == patient.id, FileEntry.superseded_at.is_(None)),
            FileEntry.entered_in_error_at.is_(None),
        )
    ).all()
    return [e for e in rows if can(actor, "file_entry.view", e)]
