"""Helpers shared by the delegation services."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.auth.audit import record_patients_shown
from umpro.auth.permissions import ensure as authorize  # noqa: F401 - the services' name
from umpro.errors import NotFound
from umpro.timeutil import local_today


def today(practice, now: datetime) -> date:
    """The date in the practice's zone: memberships, ages and due dates count in it."""
    return local_today(practice.timezone, now)


def same_practice(obj, practice_id: int, message: str, field: str | None = None):
    if obj is None or obj.practice_id != practice_id:
        raise NotFound(message, field=field)
    return obj


def clean_text(value: str | None, *, limit: int) -> str:
    return (value or "").strip()[:limit]


def target(kind: str, obj_id: int) -> str:
    return f"{kind}:{obj_id}"


def rows_of_task(session: Session, model, task, *order_by, load=()) -> list:
    """Every ``model`` row of ``task`` in ``order_by``, the ``load`` relations joined (one
    query)."""
    return list(
        session.scalars(
            select(model)
            .options(*(joinedload(relation) for relation in load))
            .where(model.task_id == task.id)
            .order_by(*order_by)
        )
    )


def log_patients_shown(
    session: Session, acting: Acting, action: str, patient_ids, target: str
) -> None:
    """One access-log row naming the patients a list shows (``record_patients_shown``);
    none when it shows nobody."""
    ids = set(patient_ids)
    if ids:
        record_patients_shown(session, acting, action, ids, target)
