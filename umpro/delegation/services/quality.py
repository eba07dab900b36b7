"""Quality of a protocol as the ARS follows it (D4011-4 CSP): adverse events reported on
a task, and participants' satisfaction."""

from datetime import date

from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.delegation import states
from umpro.delegation.models import (
    RESPONDENTS,
    SEVERITIES,
    AdverseEvent,
    CareTask,
    SatisfactionResponse,
)
from umpro.delegation.services._common import (
    authorize,
    clean_text,
    rows_of_task,
    target,
    today,
)
from umpro.delegation.services.transitions import record_event_and_access
from umpro.errors import Invalid
from umpro.timeutil import to_local


def report_adverse_event(
    session: Session,
    *,
    acting: Acting,
    task: CareTask,
    occurred_on: date | None,
    severity: str,
    description: str,
    action_taken: str = "",
) -> AdverseEvent:
    """Report an adverse event that happened in the course of ``task``. Callers hold
    ``adverse_event.report`` (the task's requester or owner). Refuses a missing or future
    date, a date before the hand-off, an unknown severity, an empty description."""
    authorize(
        acting.actor, "adverse_event.report", task, "Vous ne pouvez pas déclarer d'événement ici."
    )
    day = today(acting.actor.practice, acting.now)
    if occurred_on is None:
        raise Invalid("La date de l'événement est obligatoire.", field="occurred_on")
    if occurred_on > day:
        raise Invalid("La date de l'événement ne peut pas être dans le futur.", field="occurred_on")
    if occurred_on < to_local(task.created_at, acting.actor.practice.timezone).date():
        raise Invalid(
            "L'événement précède la demande : déclarez-le sur la tâche concernée.",
            field="occurred_on",
        )
    if severity not in SEVERITIES:
        raise Invalid("Choisissez la gravité (léger, modéré ou grave).", field="severity")
    description = clean_text(description, limit=4000)
    if not description:
        raise Invalid("Décrivez l'événement.", field="description")
    event = AdverseEvent(
        practice_id=task.practice_id,
        task_id=task.id,
        protocol_id=task.protocol_id,
        patient_id=task.patient_id,
        occurred_on=occurred_on,
        severity=severity,
        description=description,
        action_taken=clean_text(action_taken, limit=4000),
        reported_by_id=acting.actor.id,
        reported_at=acting.now,
    )
    return _add_to_task(
        session,
        task,
        event,
        acting=acting,
        kind="adverse_event",
        action="adverse_event.report",
        note=f"Gravité : {event.severity_label.lower()}",
    )


def record_satisfaction(
    session: Session, *, acting: Acting, task: CareTask, respondent: str, score, comment: str = ""
) -> SatisfactionResponse:
    """Record a participant's satisfaction (1 to 5) about a task's protocol. Callers
    hold ``satisfaction.record``. Refuses an unknown respondent, a score outside 1–5,
    a task not yet handled (requested)."""
    authorize(
        acting.actor,
        "satisfaction.record",
        task,
        "Vous ne pouvez pas recueillir la satisfaction ici.",
    )
    if task.status in (states.REQUESTED, states.ENTERED_IN_ERROR):
        raise Invalid(
            "La satisfaction se recueille une fois la prise en charge commencée.",
            field="score",
        )
    if respondent not in RESPONDENTS:
        raise Invalid("Choisissez qui répond.", field="respondent")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise Invalid("La note va de 1 (très insatisfait) à 5 (très satisfait).", field="score")
    response = SatisfactionResponse(
        practice_id=task.practice_id,
        protocol_id=task.protocol_id,
        task_id=task.id,
        respondent=respondent,
        score=score,
        comment=clean_text(comment, limit=1000),
        recorded_on=today(acting.actor.practice, acting.now),
        recorded_by_id=acting.actor.id,
        recorded_at=acting.now,
    )
    return _add_to_task(
        session,
        task,
        response,
        acting=acting,
        kind="satisfaction",
        action="satisfaction.record",
        note=f"{response.respondent_label} : {score}/5",
    )


def _add_to_task(
    session: Session, task: CareTask, row, *, acting: Acting, kind: str, action: str, note: str
):
    """Save ``row`` (an adverse event or a satisfaction response) and write the task's
    ``kind`` event and the access-log row naming it (``kind:id``)."""
    session.add(row)
    session.flush()
    record_event_and_access(
        session,
        task,
        acting=acting,
        kind=kind,
        action=action,
        note=note,
        data={f"{kind}_id": row.id},
        access_target=target(kind, row.id),
    )
    return row


def quality_of(session: Session, *, task: CareTask):
    """The task's adverse events and satisfaction responses (two queries)."""
    events = rows_of_task(
        session,
        AdverseEvent,
        task,
        AdverseEvent.occurred_on,
        AdverseEvent.id,
        load=[AdverseEvent.reported_by],
    )
    answers = rows_of_task(session, SatisfactionResponse, task, SatisfactionResponse.id)
    return events, answers
