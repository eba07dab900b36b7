"""The ``delegation_overdue`` scheduled job (registered in ``umpro.jobs.registry``).

For one practice: flag the overdue tasks (claimed once, committed BEFORE any e-mail
leaves, so that a second scheduler never flags or mails the same task again), then
e-mail the owner and the requester. The e-mail names no patient: the task's number and
protocol, and the link. A failed e-mail is counted, not retried: the flag stays on the
task, which the queue, the inbox and the task page show (the in-app notice).
"""

import logging
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select

from umpro.delegation.services.overdue import flag_overdue
from umpro.jobs.registry import JobContext, JobResult
from umpro.notify import DeliveryError
from umpro.notify.email import email_backend
from umpro.team.models import Staff

log = logging.getLogger(__name__)


def run_overdue(ctx: JobContext) -> JobResult:
    flagged = flag_overdue(ctx.session, practice=ctx.practice, now=ctx.now)
    notices = [n for item in flagged for n in item.notices]
    ctx.session.commit()
    if not flagged:
        return JobResult(summary="Aucune tâche déléguée en retard.")
    sent = failed = skipped = 0
    try:
        backend = email_backend(ctx.config)
    except DeliveryError as error:
        return JobResult(
            done=len(flagged),
            failed=len(notices),
            summary=f"Tâches en retard signalées : {len(flagged)}.",
            error=error.message,
        )
    emails = dict(
        ctx.session.execute(
            select(Staff.id, Staff.email).where(
                Staff.id.in_({n.staff_id for n in notices}), Staff.is_active.is_(True)
            )
        ).all()
    )
    connection = backend.open() if backend is not None else None
    try:
        for notice in notices:
            address = emails.get(notice.staff_id)
            if connection is None or not address:
                skipped += 1
                continue
            message = EmailMessage()
            message["Subject"] = notice.subject
            message["From"] = connection.sender
            message["To"] = address
            message["Message-ID"] = make_msgid(domain="umpro")
            base = str(ctx.config.get("UMPRO_BASE_URL") or "").rstrip("/")
            message.set_content(f"{notice.body}\n\n{base}{notice.link}\n")
            try:
                connection.send(message, ref=f"tâche en retard, destinataire {notice.staff_id}")
                sent += 1
            except DeliveryError as error:
                failed += 1
                log.warning("overdue e-mail to staff %s failed: %s", notice.staff_id, error)
    finally:
        if connection is not None:
            connection.close()
    return JobResult(
        done=len(flagged),
        skipped=skipped,
        failed=failed,
        summary=(
            f"Tâches déléguées en retard signalées : {len(flagged)} ; courriels envoyés : {sent}."
        ),
    )
