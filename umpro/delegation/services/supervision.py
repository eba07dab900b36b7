"""Docteur junior supervision: the maître de stage's daily queue of the junior's
consultation entries to review, and marking them reviewed.

The entries belong to the shared file (``umpro.patients``, FileEntry); this side only
keeps who reviewed which version, and when (``SupervisionReview``). A corrected entry is a
new version, so it comes back to the queue.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.permissions import can
from umpro.delegation.models import SupervisionReview
from umpro.delegation.services._common import authorize, clean_text, log_patients_shown
from umpro.errors import Conflict, Forbidden, Invalid, NotFound
from umpro.patients.models import FileEntry, Patient
from umpro.team.models import Staff
from umpro.team.professions import Profession
from umpro.timeutil import local_day_bounds

REVIEWED_KINDS = ("consultation",)


@dataclass
class Queue:
    day: date
    #: Entries written on ``day`` and not reviewed yet.
    of_the_day: list[FileEntry]
    #: Entries of earlier days still not reviewed: they stay until reviewed.
    late: list[FileEntry]
    #: Entries the supervisor may not read (the patient objects to sharing).
    hidden: int
    reviewed_today: int


def _reviewable(practice_id: int) -> tuple:
    """The practice's consultation entries in their last version, not struck out: what a
    supervisor reviews."""
    return (
        FileEntry.practice_id == practice_id,
        FileEntry.kind.in_(REVIEWED_KINDS),
        FileEntry.superseded_at.is_(None),
        FileEntry.entered_in_error_at.is_(None),
    )


def _pending(actor):
    return (
        select(FileEntry)
        .join(Staff, Staff.id == FileEntry.author_id)
        .options(
            joinedload(FileEntry.author),
            joinedload(FileEntry.patient).selectinload(Patient.active_objection),
            joinedload(FileEntry.patient).selectinload(Patient.current_declaration),
        )
        .where(
            *_reviewable(actor.practice_id),
            Staff.supervisor_id == actor.id,
            Staff.profession == Profession.JUNIOR_DOCTOR,
            ~exists().where(SupervisionReview.entry_id == FileEntry.id),
        )
    )


def review_queue(session: Session, *, acting: Acting, day: date, limit: int = 300) -> Queue:
    """The entries ``acting.actor`` (a maître de stage) has to review on ``day``, and the late
    ones. Callers hold ``supervision.view``. Logs one row per patient shown."""
    authorize(
        acting.actor, "supervision.view", None, "Cette page est réservée aux maîtres de stage."
    )
    tz = acting.actor.practice.timezone
    start, end = local_day_bounds(day, tz)
    entries = (
        session.scalars(
            _pending(acting.actor)
            .where(FileEntry.created_at < end)
            .order_by(FileEntry.created_at, FileEntry.id)
            .limit(limit)
        )
        .unique()
        .all()
    )
    visible = [e for e in entries if can(acting.actor, "file_entry.view", e)]
    reviewed = session.scalars(
        select(SupervisionReview.id).where(
            SupervisionReview.reviewed_by_id == acting.actor.id,
            SupervisionReview.reviewed_at >= start,
            SupervisionReview.reviewed_at < end,
        )
    ).all()
    log_patients_shown(
        session,
        acting,
        "supervision.queue",
        (e.patient_id for e in visible),
        f"supervision:{day.isoformat()}",
    )
    return Queue(
        day=day,
        of_the_day=[e for e in visible if e.created_at >= start],
        late=[e for e in visible if e.created_at < start],
        hidden=len(entries) - len(visible),
        reviewed_today=len(reviewed),
    )


def mark_reviewed(
    session: Session, *, acting: Acting, entry_ids: list[int], note: str = ""
) -> list[SupervisionReview]:
    """Mark entries reviewed by ``acting.actor``. Refuses (nothing saved) an entry of another
    practice (404), one not written by a junior ``acting.actor`` supervises or not readable by
    them (403), one that is not a consultation's last version (422), one already
    reviewed (409)."""
    authorize(
        acting.actor, "supervision.view", None, "Cette page est réservée aux maîtres de stage."
    )
    if not entry_ids:
        raise Invalid("Cochez au moins une entrée à marquer comme relue.", field="entry_ids")
    entries = session.scalars(
        select(FileEntry)
        .options(joinedload(FileEntry.author), joinedload(FileEntry.patient))
        .where(FileEntry.id.in_(entry_ids))
    ).all()
    if len(entries) != len(set(entry_ids)) or any(
        e.practice_id != acting.actor.practice_id for e in entries
    ):
        raise NotFound("Entrée du dossier introuvable.", field="entry_ids")
    for entry in entries:
        if not can(acting.actor, "supervision.review", entry) or not can(
            acting.actor, "file_entry.view", entry
        ):
            raise Forbidden(
                "Vous ne relisez que les entrées du docteur junior que vous supervisez.",
                field="entry_ids",
            )
        if entry.kind not in REVIEWED_KINDS or not entry.is_current:
            raise Invalid(
                "Seules les synthèses de consultation, dans leur dernière version, se relisent "
                "ici.",
                field="entry_ids",
            )
    done = set(
        session.scalars(
            select(SupervisionReview.entry_id).where(SupervisionReview.entry_id.in_(entry_ids))
        )
    )
    if done:
        raise Conflict(
            "Une de ces entrées a déjà été relue : rechargez la page.", field="entry_ids"
        )
    reviews = [
        SupervisionReview(
            practice_id=acting.actor.practice_id,
            entry_id=entry.id,
            reviewed_by_id=acting.actor.id,
            reviewed_at=acting.now,
            note=clean_text(note, limit=1000),
        )
        for entry in entries
    ]
    session.add_all(reviews)
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict("Une de ces entrées vient d'être relue : rechargez la page.") from error
    for entry in entries:
        record_access_to(session, acting, "supervision.review", entry)
    return reviews


#: Days a docteur junior's list of reviewed consultations covers (bounded both sides).
OWN_DAYS = 30


@dataclass
class OwnReviews:
    """A docteur junior's consultation entries of a period, each with its review."""

    first_day: date
    last_day: date
    #: (entry, review or None), latest first.
    rows: list
    supervisor: Staff | None

    @property
    def reviewed(self) -> int:
        return sum(1 for _, review in self.rows if review is not None)


def own_reviews(
    session: Session, *, acting: Acting, day: date, days: int = OWN_DAYS, limit: int = 300
) -> OwnReviews:
    """The consultation entries ``acting.actor`` (a docteur junior) wrote in the ``days`` days up
    to ``day``, last versions only, each with who reviewed it and when (None: not yet).
    Callers hold ``supervision.own``. Three statements; logs one row for the patients
    shown."""
    authorize(
        acting.actor, "supervision.own", None, "Cette page est réservée aux docteurs juniors."
    )
    tz = acting.actor.practice.timezone
    first_day = day - timedelta(days=days - 1)
    start, _ = local_day_bounds(first_day, tz)
    _, end = local_day_bounds(day, tz)
    rows = session.execute(
        select(FileEntry, SupervisionReview)
        .outerjoin(SupervisionReview, SupervisionReview.entry_id == FileEntry.id)
        .options(
            joinedload(FileEntry.patient),
            joinedload(SupervisionReview.reviewed_by),
        )
        .where(
            *_reviewable(acting.actor.practice_id),
            FileEntry.author_id == acting.actor.id,
            FileEntry.created_at >= start,
            FileEntry.created_at < end,
        )
        .order_by(FileEntry.created_at.desc(), FileEntry.id.desc())
        .limit(limit)
    ).all()
    log_patients_shown(
        session,
        acting,
        "supervision.own",
        (entry.patient_id for entry, _ in rows),
        f"supervision:own:{day.isoformat()}",
    )
    supervisor = (
        session.get(Staff, acting.actor.supervisor_id) if acting.actor.supervisor_id else None
    )
    return OwnReviews(
        first_day=first_day,
        last_day=day,
        rows=[(entry, review) for entry, review in rows],
        supervisor=supervisor,
    )
