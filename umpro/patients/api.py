"""Patients endpoints of /api/v1/: search, create, read; médecin traitant requests."""

from flask import jsonify, request
from flask_login import current_user

from umpro.api import bp, openapi
from umpro.api import input as read
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
from umpro.team.api import staff_json
from umpro.timeutil import local_today
from umpro.web import acting


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


@bp.get("/patients")
@require("patient.view_admin")
@openapi.describe("searchPatients", openapi.many("Patient"), query=api_docs.SEARCH)
def list_patients():
    """Rechercher des patients (nom, prénom, nom de naissance, date, INS)"""
    if "q" not in request.args:
        raise Invalid("Le paramètre q (texte recherché) est obligatoire.", field="q")
    limit = read.arg_int("limit", default=20, minimum=0, maximum=200)
    query = read.clean_text(request.args["q"], field="q", max_length=read.SHORT_TEXT_MAX)
    patients = services.search_patients(db.session, acting=acting(), query=query, limit=limit or 20)
    return jsonify({"items": [patient_json(p) for p in patients]})


@bp.post("/patients")
@require("patient.edit")
@openapi.describe("createPatient", openapi.created("Patient"), body="PatientInput")
def create_patient():
    """Enregistrer un patient"""
    data = read.body()
    patient = services.create_patient(
        db.session,
        acting=acting(),
        practice=current_user.practice,
        data=services.PatientInput(
            family_name=read.text(data, "family_name"),
            given_names=read.text(data, "given_names"),
            birth_date=read.day(data, "birth_date"),
            sex=read.text(data, "sex"),
            **{name: read.text(data, name) for name in api_docs.OPTIONAL_TEXT},
            has_chronic_condition=read.boolean(data, "has_chronic_condition"),
        ),
        confirm_duplicate=read.boolean(data, "confirm_duplicate"),
    )
    return jsonify(patient_json(patient)), 201


@bp.get("/patients/<int:patient_id>")
@require("patient.view_admin")
@openapi.describe("getPatient", openapi.one("Patient"))
def get_patient(patient_id: int):
    """Un patient (identité, coordonnées, médecin traitant)"""
    patient = services.open_patient(db.session, acting=acting(), patient_id=patient_id, via="api")
    return jsonify(patient_json(patient))


@bp.get("/registration-requests")
@require("registration_request.list")
@openapi.describe(
    "listRegistrationRequests", openapi.many("RegistrationRequest"), query=api_docs.QUEUE
)
def list_registration_requests():
    """File des demandes de médecin traitant d'un médecin"""
    gp_id = read.arg_id("gp", required="Le paramètre gp (identifiant du médecin)")
    status = request.args.get("status", "pending")
    if status not in REQUEST_STATUSES:
        raise Invalid("Statut inconnu.", field="status")
    items = services.queue(db.session, acting=acting(), gp_id=gp_id, status=status)
    return jsonify({"items": [request_json(i) for i in items]})


@bp.post("/registration-requests")
@require("registration_request.create")
@openapi.describe(
    "createRegistrationRequest",
    openapi.created("RegistrationRequest", "Créée"),
    body="RegistrationRequestInput",
)
def create_registration_request():
    """Enregistrer une demande de médecin traitant"""
    data = read.body()
    patient_id = read.identifier(data, "patient_id", required="Le patient")
    context = acting()
    patient = services.get_patient(db.session, actor=current_user, patient_id=patient_id)
    registration = services.create_request(
        db.session,
        acting=context,
        patient=patient,
        gp_id=read.identifier(data, "gp_id"),
        channel=read.text(data, "channel"),
        received_on=read.day(
            data, "received_on", default=local_today(current_user.practice.timezone, context.now)
        ),
        has_chronic_condition=read.boolean(data, "has_chronic_condition"),
        note=read.text(data, "note", max_length=1000, long=True),
    )
    return jsonify(request_json(registration)), 201


@bp.post("/registration-requests/<int:request_id>/decision")
@require("registration_request.list")
@openapi.describe(
    "decideRegistrationRequest", openapi.one("RegistrationRequest"), body="RegistrationDecision"
)
def decide_registration_request(request_id: int):
    """Accepter, refuser (motif légitime) ou marquer retirée une demande"""
    data = read.body()
    registration = services.get_request(db.session, actor=current_user, request_id=request_id)
    services.decide(
        db.session,
        acting=acting(),
        request=registration,
        decision=read.text(data, "decision"),
        reason=read.text(data, "reason"),
        note=read.text(data, "note", max_length=1000, long=True),
        oriented_to=read.text(data, "oriented_to"),
    )
    return jsonify(request_json(registration))
