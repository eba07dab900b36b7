"""Carry out the state machine of ``umpro.delegation.states``: the only code that changes
a care task's status.

Each change is one conditional ``UPDATE … WHERE id = :id AND status = :from AND
version = :version``: when two people act on the same task at once (two nurses accepting
it), exactly one row matches for one of them, the other gets a French 409. Each change
writes a TaskEvent (who, when, from, to, note) and an access-log row.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access
from umpro.auth.permissions import can
from umpro.delegation import states
from umpro.delegation.models import CareTask, ProtocolConsent, TaskEvent
from umpro.delegation.protocols import definition
from umpro.delegation.services._common import clean_text, target, today
from umpro.delegation.services.memberships import valid_membership
from umpro.errors import Conflict, Forbidden, Invalid
from umpro.patients.services.sharing import check_sharing_allows

CHANGED_MEANWHILE = (
    "Cette tâche vient d'être modifiée par quelqu'un d'autre : rechargez la page pour voir "
    "son nouvel état."
)
NO_LONGER_AVAILABLE = (
    "Cette tâche n'est plus disponible : quelqu'un d'autre vient de l'accepter ou elle a "
    "changé d'état. Rechargez la file."
)


def record_event(
    session: Session,
    task: CareTask,
    *,
    acting: Acting,
    kind: str,
    from_status: str | None = None,
    note: str = "",
    data: dict | None = None,
) -> TaskEvent:
    event = TaskEvent(
        practice_id=task.practice_id,
        task_id=task.id,
        at=acting.now,
        actor_id=acting.actor.id if acting.actor is not None else None,
        kind=kind,
        from_status=from_status if kind == "transition" else task.status,
        to_status=task.status,
        note=note,
        data=data or {},
    )
    session.add(event)
    session.flush()
    return event


def record_event_and_access(
    session: Session,
    task: CareTask,
    *,
    acting: Acting,
    action: str,
    access_target: str | None = None,
    practice_id: int | None = None,
    **event,
) -> TaskEvent:
    """Write the task's event (``event``: ``record_event``'s kind, from_status, note,
    data) and the access-log row for its patient: ``action`` on ``access_target`` (the
    care task itself unless given). ``practice_id`` names the practice when there is no
    actor (a job)."""
    recorded = record_event(session, task, acting=acting, **event)
    record_access(
        session,
        acting=acting,
        action=action,
        patient_id=task.patient_id,
        target=access_target or target("care_task", task.id),
        practice_id=practice_id,
    )
    return recorded


def _delegate_may_act(session: Session, *, acting: Acting, task: CareTask) -> str | None:
    """Why ``acting.actor`` may not act as a delegate on ``task`` today (French), or None."""
    day = today(acting.actor.practice, acting.now)
    if valid_membership(session, staff=acting.actor, protocol=task.protocol, on=day) is None:
        return (
            f"Vous n'avez pas d'adhésion valide au protocole « {task.protocol.title} » "
            f"au {day:%d/%m/%Y} : seul un délégué formé et déclaré peut prendre cette tâche."
        )
    return None


def allowed_moves(session: Session, *, acting: Acting, task: CareTask) -> list:
    """The moves ``acting.actor`` may make on ``task`` now (buttons on the page, API hints)."""
    moves = []
    problem = None  # the membership check runs once, and only if a delegate move is open
    for move in states.moves_from(task.status):
        if not can(acting.actor, f"care_task.{move.by}", task):
            continue
        if move.by == "delegate":
            if problem is None:
                problem = _delegate_may_act(session, acting=acting, task=task) or ""
            if problem:
                continue
        moves.append(move)
    return moves


def _refuse_move(task: CareTask, to: str) -> Conflict:
    if to == states.ACCEPTED:
        return Conflict(NO_LONGER_AVAILABLE, field="to", code="invalid_transition")
    return Conflict(
        f"Une tâche « {states.label(task.status)} » ne peut pas passer à « {states.label(to)} ».",
        field="to",
        code="invalid_transition",
    )


def _check_actor(session: Session, *, acting: Acting, task: CareTask, move) -> None:
    if not can(acting.actor, f"care_task.{move.by}", task):
        raise Forbidden(
            f"Seul {states.ROLES[move.by]} peut faire cela (« {move.label} »).", field="to"
        )
    if move.by == "delegate":
        problem = _delegate_may_act(session, acting=acting, task=task)
        if problem:
            raise Forbidden(problem, field="to")
        # An objection recorded since the hand-off forbids handing the data on.
        check_sharing_allows(
            session, patient=task.patient, actor=task.requester, recipient=acting.actor
        )


def _conditional_update(session: Session, task: CareTask, move, values: dict) -> None:
    result = session.execute(
        update(CareTask)
        .where(
            CareTask.id == task.id,
            CareTask.status == move.source,
            CareTask.version == task.version,
        )
        .values(**values, version=CareTask.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            NO_LONGER_AVAILABLE if move.target == states.ACCEPTED else CHANGED_MEANWHILE,
            code="stale",
        )
    session.refresh(task)


def _results_values(session, *, task: CareTask, results, now: datetime):
    protocol = task.protocol
    if protocol.consent_required:
        consent = session.scalar(
            select(ProtocolConsent.id).where(
                ProtocolConsent.patient_id == task.patient_id,
                ProtocolConsent.protocol_id == protocol.id,
                ProtocolConsent.withdrawn_at.is_(None),
            )
        )
        if consent is None:
            raise Invalid(
                "Le patient n'a pas (ou plus) consenti à ce protocole : les résultats ne "
                "peuvent pas être enregistrés.",
                field="results",
            )
    clean = definition.validate_results(
        definition.of(protocol), results or {}, today=today(task.requester.practice, now)
    )
    values = {
        "results": clean.values,
        "results_display": clean.display,
        "signs_observed": clean.signs,
        "red_flags_raised": [flag.label for flag in clean.raised],
        "results_recorded_at": now,
        "completed_at": now,
        "inbox_at": now,
        "inbox_reason": "escalation" if clean.raised else "results",
    }
    if clean.raised:
        values |= {"is_taken_back": True, "taken_back_at": now}
    return clean, values


def transition(
    session: Session,
    *,
    acting: Acting,
    task: CareTask,
    to: str,
    reason: str = "",
    results: dict | None = None,
) -> CareTask:
    """Move ``task`` to status ``to`` as the table in ``states`` allows.

    Refuses, with a French message and nothing saved: an unknown status (422), a move the
    table does not allow from the current status (409), someone who does not hold the
    role the move needs (403) — for a delegate, a membership not valid today or a
    sharing objection —, a missing reason where one is needed (422), results missing,
    invalid or given without completing (422, every field at fault named), a concurrent
    change (409). Completing files the results in the patient's shared file and in the
    requester's inbox; a red flag makes it a *reprise* (taken back, top of the inbox)."""
    if to not in states.STATUSES:
        raise Invalid(f"Statut inconnu : « {to} ».", field="to")
    move = states.move_for(task.status, to)
    if move is None:
        raise _refuse_move(task, to)
    _check_actor(session, acting=acting, task=task, move=move)
    reason = clean_text(reason, limit=500)
    if move.needs_reason and not reason:
        raise Invalid("Indiquez le motif : il sera transmis au médecin.", field="reason")
    if results and not move.needs_results:
        raise Invalid("Les résultats s'enregistrent en terminant la tâche.", field="results")
    values: dict = {"status": to, "status_reason": reason, "status_changed_at": acting.now}
    clean = None
    if move.needs_results:
        clean, results_values = _results_values(session, task=task, results=results, now=acting.now)
        values |= results_values
    if move.verb == "accept":
        values["owner_id"] = acting.actor.id
    elif move.verb == "release":
        values["owner_id"] = None
    if move.inbox:
        values |= {"inbox_at": acting.now, "inbox_reason": move.inbox}
    elif to in (states.CANCELLED, states.ENTERED_IN_ERROR):
        values |= {"inbox_at": None, "inbox_reason": None}
    source = task.status
    _conditional_update(session, task, move, values)
    data, note = {}, reason
    if clean is not None:
        entry = _file_results(session, acting=acting, task=task, note=reason)
        task.file_entry_id = entry.id
        data = {"file_entry_id": entry.id, "red_flags": [f.key for f in clean.raised]}
        if clean.raised:
            flags = " ; ".join(f.label for f in clean.raised)
            note = f"{reason}\nSignes d'alerte : {flags} → reprise par le médecin.".strip()
    record_event_and_access(
        session,
        task,
        acting=acting,
        kind="transition",
        action=f"care_task.{move.verb}",
        from_status=source,
        note=note,
        data=data,
    )
    return task


def accept_and_start(session: Session, *, acting: Acting, task: CareTask) -> CareTask:
    """« Accepter et commencer »: the delegate takes a requested task and starts the
    session at once (the patient is there). Two moves of the table, each with its event
    and access row, under the same rules as one by one; the caller's savepoint keeps
    both or neither."""
    transition(session, acting=acting, task=task, to=states.ACCEPTED)
    return transition(session, acting=acting, task=task, to=states.IN_PROGRESS)


def cancel_without_consent(session: Session, *, acting: Acting, task: CareTask) -> CareTask:
    """Cancel an open task because the patient withdrew consent (called by
    ``consents.withdraw_consent``): whoever recorded the withdrawal, the task stops; the
    requester finds the cancellation in the inbox unless they recorded it themself."""
    move = states.move_for(task.status, states.CANCELLED)
    if move is None:
        raise _refuse_move(task, states.CANCELLED)
    note = "Consentement au protocole retiré par le patient."
    values: dict = {
        "status": states.CANCELLED,
        "status_reason": note,
        "status_changed_at": acting.now,
    }
    if acting.actor is None or acting.actor.id != task.requester_id:
        values |= {"inbox_at": acting.now, "inbox_reason": "cancellation"}
    source = task.status
    _conditional_update(session, task, move, values)
    record_event_and_access(
        session,
        task,
        acting=acting,
        kind="transition",
        action="care_task.cancel",
        from_status=source,
        note=note,
        practice_id=task.practice_id,
    )
    return task


def results_body(task: CareTask, note: str) -> str:
    """The text of the protocol-session entry written into the shared file."""
    lines = [f"Protocole : {task.protocol.title}"]
    if task.owner is not None:
        lines.append(f"Réalisé par : {task.owner.display_name} ({task.owner.profession_label})")
    lines.append("")
    lines += [f"{label} : {value}" for label, value in task.results_display or []]
    if task.red_flags_raised:
        lines += [
            "",
            "SIGNES D'ALERTE : " + " ; ".join(task.red_flags_raised),
            "→ Reprise par le médecin demandeur.",
        ]
    if note:
        lines += ["", f"Commentaire : {note}"]
    return "\n".join(lines)


def _file_results(session: Session, *, acting: Acting, task: CareTask, note: str):
    """Write the results as a protocol-session entry of the patient's shared file."""
    from umpro.patients import services as patients

    return patients.add_entry(
        session,
        acting=acting,
        patient=task.patient,
        kind="protocol_session",
        title=f"Séance de protocole — {task.protocol.title}"[:200],
        body=results_body(task, note),
    )
