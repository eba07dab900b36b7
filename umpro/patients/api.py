"""Patients endpoints of /api/v1/: search, create, read; médecin traitant requests."""

from datetime import date

from flask import jsonify, request
from flask_login import current_user

from umpro.api import bp
from umpro.auth.permissions import require
from umpro.errors import Invalid
from umpro.extensions import db
from umpro.patients import api_docs, services
from umpro.patients.models import (
    REQUEST_STATUSES,
    Patient,
    RegistrationRequest,
)
from umpro.patients.services.registrations import QueueItem
from umpro.patients.views._page import ctx
from umpro.team.api import staff_json
from umpro.timeutil import local_today
from umpro.web import json_body


def patient_json(patient: Patient) -> dict:
    gp = patient.treating_gp
    return {
        "id": patient.id,
        "family_name": patient.family_name,
        "birth_name": patient.birth_name,
        "given_names": patient.given_names,
        "display_name": patient.display_name,
        "birth_date": patient.birth_date.isoformat(),
        "sex": patient.sex,
        "ins": patient.ins,
        "phone": patient.phone,
        "email": patient.email,
        "address": patient.address,
        "postal_code": patient.postal_code,
        "city": patient.city,
        "has_chronic_condition": patient.has_chronic_condition,
        "has_sharing_objection": patient.active_objection is not None,
        "treating_gp": staff_json(gp) if gp else None,
    }


def request_json(item: RegistrationRequest | QueueItem) -> dict:
    registration = item.request if isinstance(item, QueueItem) else item
    data = {
        "id": registration.id,
        "patient": {
            "id": registration.patient.id,
            "display_name": registration.patient.display_name,
            "birth_date": registration.patient.birth_date.isoformat(),
        },
        "gp": staff_json(registration.gp),
        "received_on": registration.received_on.isoformat(),
        "channel": registration.channel,
        "has_chronic_condition": registration.has_chronic_condition,
        "note": registration.note,
        "status": registration.status,
        "decided_at": registration.decided_at.isoformat() if registration.decided_at else None,
        "decline_reason": registration.decline_reason or None,
        "oriented_to": registration.oriented_to or None,
        "decision_note": registration.decision_note or None,
    }
    if isinstance(item, QueueItem):
        data["has_treating_gp"] = item.has_treating_gp
        data["is_priority"] = item.is_priority
    return data


def _text(data: dict, name: str, *, default: str = "") -> str:
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise Invalid("Ce champ doit être une chaîne de caractères.", field=name)
    return value


def _date(data: dict, name: str, *, default: date | None = None) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        return default
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid("Date invalide : format attendu AAAA-MM-JJ.", field=name)


def _int(data: dict, name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("Identifiant invalide : un nombre entier est attendu.", field=name)
    return value


def _bool(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise Invalid("Valeur invalide : true ou false.", field=name)
    return value


@bp.get("/patients")
@require("patient.view_admin")
def list_patients():
    if "q" not in request.args:
        raise Invalid("Le paramètre q (texte recherché) est obligatoire.", field="q")
    limit = request.args.get("limit", 20, type=int)
    patients = services.search_patients(
        db.session, **ctx(), query=request.args["q"], limit=limit or 20
    )
    db.session.commit()
    return jsonify({"items": [patient_json(p) for p in patients]})


@bp.post("/patients")
@require("patient.edit")
def create_patient():
    data = json_body()
    patient = services.create_patient(
        db.session,
        **ctx(),
        practice=current_user.practice,
        data=services.PatientInput(
            family_name=_text(data, "family_name"),
            given_names=_text(data, "given_names"),
            birth_date=_date(data, "birth_date"),
            sex=_text(data, "sex"),
            **{name: _text(data, name) for name in api_docs.OPTIONAL_TEXT},
            has_chronic_condition=_bool(data, "has_chronic_condition"),
        ),
        confirm_duplicate=_bool(data, "confirm_duplicate"),
    )
    db.session.commit()
    return jsonify(patient_json(patient)), 201


@bp.get("/patients/<int:patient_id>")
@require("patient.view_admin")
def get_patient(patient_id: int):
    patient = services.open_patient(db.session, **ctx(), patient_id=patient_id, via="api")
    body = patient_json(patient)
    db.session.commit()
    return jsonify(body)


@bp.get("/registration-requests")
@require("registration_request.list")
def list_registration_requests():
    gp_id = request.args.get("gp", type=int)
    if gp_id is None:
        raise Invalid("Le paramètre gp (identifiant du médecin) est obligatoire.", field="gp")
    status = request.args.get("status", "pending")
    if status not in REQUEST_STATUSES:
        raise Invalid("Statut inconnu.", field="status")
    items = services.queue(db.session, **ctx(), gp_id=gp_id, status=status)
    body = {"items": [request_json(i) for i in items]}
    db.session.commit()
    return jsonify(body)


@bp.post("/registration-requests")
@require("registration_request.create")
def create_registration_request():
    data = json_body()
    patient_id = _int(data, "patient_id")
    if patient_id is None:
        raise Invalid("Le patient est obligatoire.", field="patient_id")
    context = ctx()
    patient = services.get_patient(db.session, actor=current_user, patient_id=patient_id)
    registration = services.create_request(
        db.session,
        **context,
        patient=patient,
        gp_id=_int(data, "gp_id"),
        channel=_text(data, "channel"),
        received_on=_date(
            data, "received_on", default=local_today(current_user.practice.timezone, context["now"])
        ),
        has_chronic_condition=_bool(data, "has_chronic_condition"),
        note=_text(data, "note"),
    )
    body = request_json(registration)
    db.session.commit()
    return jsonify(body), 201


@bp.post("/registration-requests/<int:request_id>/decision")
@require("registration_request.list")
def decide_registration_request(request_id: int):
    data = json_body()
    registration = services.get_request(db.session, actor=current_user, request_id=request_id)
    services.decide(
        db.session,
        **ctx(),
        request=registration,
        decision=_text(data, "decision"),
        reason=_text(data, "reason"),
        note=_text(data, "note"),
        oriented_to=_text(data, "oriented_to"),
    )
    body = request_json(registration)
    db.session.commit()
    return jsonify(body)
