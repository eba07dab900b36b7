"""What waits for someone: the counts of the navigation badges and of the home page.

Each count is one COUNT query on indexed predicates (issue 15, item 3): the inbox
(``ix_care_task_inbox``), the delegates' queue (``ix_care_task_queue``), pending
registration requests (``ix_registration_request_queue``).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from umpro.auth.permissions import can
from umpro.delegation import states
from umpro.delegation.models import CareTask, ProtocolMembership
from umpro.patients.models import RegistrationRequest, SharingObjection
from umpro.team.professions import Profession
from umpro.timeutil import local_today


@dataclass
class Inbox:
    escalations: int = 0
    results: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.escalations + self.results + self.other


def inbox(session: Session, *, staff) -> Inbox:
    """Tasks back in ``staff``'s inbox until acknowledged, by reason (one query)."""
    counts = Inbox()
    rows = session.execute(
        select(CareTask.inbox_reason, func.count())
        .where(CareTask.requester_id == staff.id, CareTask.inbox_at.is_not(None))
        .group_by(CareTask.inbox_reason)
    )
    for reason, n in rows:
        if reason == "escalation":
            counts.escalations += n
        elif reason == "results":
            counts.results += n
        else:
            counts.other += n
    return counts


def queue(session: Session, *, staff, now: datetime) -> int:
    """Requested tasks ``staff`` may take today (valid membership, no sharing objection),
    as in the queue page (one query)."""
    today = local_today(staff.practice.timezone, now)
    protocols = select(ProtocolMembership.protocol_id).where(
        ProtocolMembership.staff_id == staff.id,
        ProtocolMembership.trained_on <= today,
        or_(ProtocolMembership.valid_until.is_(None), ProtocolMembership.valid_until >= today),
    )
    objection = exists().where(
        SharingObjection.patient_id == CareTask.patient_id, SharingObjection.lifted_at.is_(None)
    )
    return session.scalar(
        select(func.count()).where(
            CareTask.practice_id == staff.practice_id,
            CareTask.status == states.REQUESTED,
            CareTask.protocol_id.in_(protocols),
            ~objection,
        )
    )


def pending_requests(session: Session, *, staff) -> int:
    """Pending registration requests: addressed to ``staff`` (a GP), or the practice's
    (the desk: secretary, mediator, medical assistant, coordinator)."""
    query = select(func.count()).where(RegistrationRequest.status == "pending")
    if staff.profession == Profession.GP:
        query = query.where(RegistrationRequest.gp_id == staff.id)
    else:
        query = query.where(RegistrationRequest.practice_id == staff.practice_id)
    return session.scalar(query)


def nav_counts(session: Session, *, staff, now: datetime) -> dict[str, int]:
    """Badges by navigation endpoint: at most one query per badge shown."""
    counts = {}
    if can(staff, "nav.inbox"):
        counts["delegation.inbox"] = inbox(session, staff=staff).total
    if can(staff, "nav.task_queue"):
        counts["delegation.queue"] = queue(session, staff=staff, now=now)
    if can(staff, "reports.worklists_admin"):
        counts["reports.overview"] = pending_requests(session, staff=staff)
    return {k: v for k, v in counts.items() if v}
