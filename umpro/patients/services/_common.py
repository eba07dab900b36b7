"""Helpers shared by the patients services."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from umpro.auth.permissions import ensure as authorize  # noqa: F401 - the services' name
from umpro.errors import Conflict, Invalid
from umpro.team.models import Practice, Staff
from umpro.team.professions import Profession
from umpro.timeutil import local_today


def today_for(session: Session, practice_id: int, now: datetime) -> date:
    """The practice's local date at ``now`` (the practice is usually in the identity map)."""
    return local_today(session.get(Practice, practice_id).timezone, now)


def not_in_future(
    session: Session, row, day: date | None, now: datetime, *, field: str, what: str
) -> date:
    """``day``, given and not after the local date at ``now`` of the practice that owns
    ``row``; else Invalid on ``field``, naming ``what``."""
    if day is None:
        raise Invalid(f"{what} est obligatoire.", field=field)
    if day > today_for(session, row.practice_id, now):
        raise Invalid(f"{what} ne peut pas être dans le futur.", field=field)
    return day


def gp_of_practice(session: Session, practice_id: int, gp_id, *, field: str = "gp_id") -> Staff:
    """The active GP ``gp_id`` of the practice, or Invalid (a junior doctor is no MT)."""
    gp = session.get(Staff, gp_id) if isinstance(gp_id, int) else None
    if (
        gp is None
        or gp.practice_id != practice_id
        or gp.profession != Profession.GP
        or not gp.is_active
    ):
        raise Invalid("Choisissez un médecin généraliste en exercice dans l'équipe.", field=field)
    return gp


def flush_or_conflict(session: Session, message: str, *, field: str | None = None) -> None:
    """Flush; a database constraint that refuses becomes a French Conflict."""
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(message, field=field) from error


def newest_of_patient(session: Session, model, patient, newest, *, load=()) -> list:
    """Every ``model`` row of ``patient``, newest first by ``newest`` then by id, the
    ``load`` relations joined (one query)."""
    return list(
        session.scalars(
            select(model)
            .where(model.patient_id == patient.id)
            .options(*(joinedload(relation) for relation in load))
            .order_by(newest.desc(), model.id.desc())
        )
    )
