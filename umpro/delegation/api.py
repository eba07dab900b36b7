"""Delegation endpoints of /api/v1/: tasks, their transitions, protocols, consents.

Same services as the pages: a refusal is a 4xx JSON error with a French message, and
nothing is saved (the error handler rolls the transaction back).
"""

from flask import jsonify, request
from flask_login import current_user

from umpro.acting import Acting
from umpro.api import bp, openapi
from umpro.api import input as read
from umpro.auth.permissions import require
from umpro.delegation import api_docs
from umpro.delegation.models import CareTask, Protocol, ProtocolConsent
from umpro.delegation.protocols import definition
from umpro.delegation.services import consents, protocols, tasks, transitions
from umpro.extensions import db
from umpro.patients import services as patients
from umpro.team.api import staff_json
from umpro.web import acting


def _iso(value):
    return value.isoformat() if value is not None else None


def protocol_json(protocol: Protocol) -> dict:
    return {
        "id": protocol.id,
        "code": protocol.code,
        "title": protocol.title,
        "kind": protocol.kind,
        "summary": protocol.summary,
        "delegating_professions": protocol.delegating_professions,
        "delegate_professions": protocol.delegate_professions,
        "acts": protocol.acts,
        "min_age": protocol.min_age,
        "max_age": protocol.max_age,
        "sexes": protocol.sexes,
        "inclusion_criteria": protocol.inclusion_criteria,
        "exclusion_criteria": protocol.exclusion_criteria,
        "consent_required": protocol.consent_required,
        "result_fields": protocol.result_fields,
        "red_flags": protocol.red_flags,
        "default_due_days": protocol.default_due_days,
        "is_active": protocol.is_active,
    }


def task_json(task: CareTask) -> dict:
    return {
        "id": task.id,
        "patient_id": task.patient_id,
        "patient": {
            "id": task.patient.id,
            "display_name": task.patient.display_name,
            "birth_date": _iso(task.patient.birth_date),
            "sex": task.patient.sex,
        },
        "protocol_code": task.protocol.code,
        "protocol_title": task.protocol.title,
        "status": task.status,
        "status_label": task.status_label,
        "status_reason": task.status_reason,
        "status_changed_at": _iso(task.status_changed_at),
        "priority": task.priority,
        "instructions": task.instructions,
        "due_on": _iso(task.due_on),
        "created_at": _iso(task.created_at),
        "requester": staff_json(task.requester),
        "owner": staff_json(task.owner) if task.owner else None,
        "results": task.results,
        "signs_observed": task.signs_observed,
        "red_flags": task.red_flags_raised,
        "is_taken_back": task.is_taken_back,
        "in_inbox": task.inbox_at is not None,
        "inbox_reason": task.inbox_reason,
        "acknowledged_at": _iso(task.acknowledged_at),
        "file_entry_id": task.file_entry_id,
        "overdue": task.overdue_flagged_at is not None,
        "version": task.version,
    }


def _detail(task: CareTask, acting: Acting) -> dict:
    events, links = tasks.thread(db.session, task=task)
    moves = transitions.allowed_moves(db.session, acting=acting, task=task)
    return task_json(task) | {
        "events": [
            {
                "id": e.id,
                "at": _iso(e.at),
                "actor": staff_json(e.actor) if e.actor else None,
                "kind": e.kind,
                "from": e.from_status,
                "to": e.to_status,
                "note": e.note,
            }
            for e in events
        ],
        "appointments": [
            {
                "appointment_id": link.appointment_id,
                "purpose": link.purpose,
                "start_at": _iso(link.appointment.start_at),
                "status": link.appointment.status,
            }
            for link in links
        ],
        "allowed_transitions": [
            {
                "to": m.target,
                "label": m.label,
                "needs_reason": m.needs_reason,
                "needs_results": m.needs_results,
            }
            for m in moves
        ],
    }


def consent_json(consent: ProtocolConsent) -> dict:
    return {
        "id": consent.id,
        "patient_id": consent.patient_id,
        "protocol_code": consent.protocol.code,
        "given_on": _iso(consent.given_on),
        "recorded_at": _iso(consent.recorded_at),
        "recorded_by_id": consent.recorded_by_id,
        "withdrawn_on": _iso(consent.withdrawn_on),
        "withdrawn_at": _iso(consent.withdrawn_at),
        "withdrawn_by_id": consent.withdrawn_by_id,
        "is_standing": consent.is_standing,
    }


def _patient(body: dict) -> object:
    patient_id = read.identifier(body, "patient_id", required="Le patient")
    return patients.get_patient(db.session, actor=current_user, patient_id=patient_id)


@bp.post("/tasks")
@require("care_task.create")
@openapi.describe("createTask", openapi.created("CareTask", "Créée"), body="CareTaskInput")
def api_create_task():
    """Confier une tâche sous protocole"""
    body = read.body()
    patient = _patient(body)
    data = tasks.HandOff(
        protocol_code=read.text(body, "protocol_code"),
        instructions=read.text(body, "instructions", max_length=read.LONG_TEXT_MAX, long=True),
        priority=read.text(body, "priority") or "routine",
        due_on=read.day(body, "due_on"),
        inclusion_met=read.strings(body, "inclusion_met"),
        exclusions_present=read.strings(body, "exclusions_present"),
        consent_given=read.boolean(body, "consent_given"),
        consent_on=read.day(body, "consent_on"),
    )
    task = tasks.create_task(db.session, patient=patient, data=data, acting=acting())
    return jsonify(task_json(task)), 201


@bp.get("/tasks")
@require("care_task.view")
@openapi.describe("listTasks", openapi.many("CareTask"), query=[api_docs.TASK_VIEW])
def api_list_tasks():
    """File (available), mes tâches (mine) ou boîte de réception (inbox)"""
    view = read.clean_text(request.args.get("view", "mine"), field="view", max_length=40)
    items = tasks.list_tasks(db.session, view=view, acting=acting())
    return jsonify({"items": [task_json(t) for t in items]})


@bp.get("/tasks/<int:task_id>")
@require("care_task.view")
@openapi.describe("getTask", openapi.one("CareTaskDetail"))
def api_get_task(task_id: int):
    """Une tâche avec son historique"""
    c = acting()
    task = tasks.get_task(db.session, task_id=task_id, acting=c)
    return jsonify(_detail(task, c))


@bp.post("/tasks/<int:task_id>/transition")
@require("care_task.view")
@openapi.describe("transitionTask", openapi.one("CareTaskDetail"), body="TransitionInput")
def api_transition(task_id: int):
    """Changer le statut d'une tâche (accepter, terminer avec résultats…)"""
    body = read.body()
    c = acting()
    task = tasks.get_task(db.session, task_id=task_id, log=False, acting=c)
    try:
        transitions.transition(
            db.session,
            task=task,
            to=read.text(body, "to"),
            reason=read.text(body, "reason", max_length=500, long=True),
            results=read.mapping(body, "results"),
            acting=c,
        )
    except definition.ResultsInvalid as error:
        # Its per-result messages need more than the one error handler's shape.
        payload = {
            "code": error.code,
            "message": error.message,
            "field": error.field,
            "fields": {f"results.{k}": v for k, v in error.errors.items()},
        }
        return jsonify({"error": payload}), error.status
    return jsonify(_detail(task, c))


@bp.get("/protocols")
@require("protocol.view")
@openapi.describe("listProtocols", openapi.many("Protocol"))
def api_protocols():
    """Les protocoles de coopération en vigueur"""
    items = protocols.list_protocols(
        db.session,
        practice_id=current_user.practice_id,
        active_only=request.args.get("all") != "1",
    )
    return jsonify({"items": [protocol_json(p) for p in items]})


def _consent_args(patient_id: int, body: dict):
    patient = patients.get_patient(db.session, actor=current_user, patient_id=patient_id)
    protocol = protocols.protocol_by_code(
        db.session, practice_id=current_user.practice_id, code=read.text(body, "protocol_code")
    )
    return patient, protocol


@bp.post("/patients/<int:patient_id>/consents")
@require("consent.record")
@openapi.describe("giveConsent", openapi.created("Consent"), body="ConsentInput")
def api_give_consent(patient_id: int):
    """Enregistrer le consentement du patient à un protocole"""
    body = read.body()
    patient, protocol = _consent_args(patient_id, body)
    consent = consents.give_consent(
        db.session,
        patient=patient,
        protocol=protocol,
        given_on=read.day(body, "given_on"),
        acting=acting(),
    )
    return jsonify(consent_json(consent)), 201


@bp.delete("/patients/<int:patient_id>/consents")
@require("consent.record")
@openapi.describe(
    "withdrawConsent",
    openapi.one("Consent"),
    query=[api_docs.PROTOCOL_CODE],
    body=openapi.request_body("ConsentInput", required=False),
)
def api_withdraw_consent(patient_id: int):
    """Retirer le consentement (les tâches ouvertes sont annulées)"""
    body = read.body(optional=True)
    if "protocol_code" not in body and request.args.get("protocol_code"):
        body["protocol_code"] = request.args["protocol_code"]
    patient, protocol = _consent_args(patient_id, body)
    consent = consents.withdraw_consent(
        db.session,
        patient=patient,
        protocol=protocol,
        note=read.text(body, "note", max_length=500, long=True),
        acting=acting(),
    )
    return jsonify(consent_json(consent))
