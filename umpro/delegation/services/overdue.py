"""The overdue job's service: open tasks past their due date are flagged once, and their
owner (if any) and requester are told (``umpro.delegation.jobs`` sends the e-mails).

Idempotent and safe with several workers: a task is claimed by a conditional
``UPDATE … WHERE overdue_flagged_at IS NULL``; only the run that claims it records the
event and notifies. Moving the due date clears the flag (``tasks.change_due``).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.delegation import states
from umpro.delegation.models import CareTask
from umpro.delegation.services._common import today
from umpro.delegation.services.transitions import record_event_and_access


@dataclass(frozen=True)
class Notice:
    """One message to one staff member (ids only in logs; the text names no patient)."""

    staff_id: int
    subject: str
    body: str
    link: str


def _notices(task: CareTask) -> list[Notice]:
    link = f"/delegation/taches/{task.id}"
    due = f"{task.due_on:%d/%m/%Y}"
    subject = f"Tâche déléguée en retard (échéance du {due})"
    body = (
        f"La tâche n° {task.id} ({task.protocol.title}) a dépassé son échéance du {due} "
        f"et reste « {task.status_label} ». Ouvrez-la dans UMPro pour la reprendre, "
        "la replanifier ou en changer l'échéance."
    )
    people = [task.requester_id] + ([task.owner_id] if task.owner_id else [])
    return [Notice(staff_id, subject, body, link) for staff_id in dict.fromkeys(people)]


@dataclass
class Flagged:
    task: CareTask
    notices: list[Notice]


def flag_overdue(session: Session, *, practice, now: datetime) -> list[Flagged]:
    """Flag every open task of ``practice`` whose due date (in the practice's zone) has
    passed and that is not flagged yet; return those this run claimed, with the notices
    to send to their owner and requester (``umpro.delegation.jobs`` sends them). The flag
    itself is the in-app notice: the queue, the inbox and the task page show it."""
    claimed: list[Flagged] = []
    day = today(practice, now)
    candidates = session.scalars(
        select(CareTask)
        .options(joinedload(CareTask.protocol))
        .where(
            CareTask.practice_id == practice.id,
            CareTask.status.in_(states.OPEN_STATUSES),
            CareTask.due_on < day,
            CareTask.overdue_flagged_at.is_(None),
        )
        .order_by(CareTask.id)
    ).all()
    for task in candidates:
        result = session.execute(
            update(CareTask)
            .where(CareTask.id == task.id, CareTask.overdue_flagged_at.is_(None))
            .values(overdue_flagged_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            continue  # another worker claimed it
        session.refresh(task)
        record_event_and_access(
            session,
            task,
            acting=Acting(None, now),
            kind="overdue",
            action="care_task.overdue",
            note=f"Échéance du {task.due_on:%d/%m/%Y} dépassée.",
            practice_id=task.practice_id,
        )
        claimed.append(Flagged(task, _notices(task)))
    return claimed
