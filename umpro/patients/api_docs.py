"""OpenAPI description of the patients endpoints (imported by ``umpro.patients.api``)."""

from umpro.api import openapi
from umpro.patients.models import CHANNELS, DECLINE_REASONS, REQUEST_STATUSES

OPTIONAL_TEXT = ("birth_name", "ins", "phone", "email", "address", "postal_code", "city")

_STR = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_BOOL = {"type": "boolean"}
_NULLABLE_STR = {"type": ["string", "null"]}

openapi.schemas(
    {
        "Patient": {
            "type": "object",
            "required": ["id", "family_name", "given_names", "display_name", "birth_date", "sex"],
            "properties": {
                "id": {"type": "integer"},
                "family_name": _STR,
                "birth_name": _STR,
                "given_names": _STR,
                "display_name": _STR,
                "birth_date": _DATE,
                "sex": {"type": "string", "enum": ["F", "M", "I"]},
                "ins": _NULLABLE_STR,
                "phone": _STR,
                "email": _STR,
                "address": _STR,
                "postal_code": _STR,
                "city": _STR,
                "has_chronic_condition": _BOOL,
                "has_sharing_objection": _BOOL,
                "treating_gp": {"oneOf": [openapi.ref("Staff"), {"type": "null"}]},
            },
        },
        "PatientInput": {
            "type": "object",
            "required": ["family_name", "given_names", "birth_date", "sex"],
            "properties": {
                "family_name": _STR,
                "given_names": _STR,
                "birth_date": _DATE,
                "sex": {"type": "string", "enum": ["F", "M", "I"]},
                **{name: _STR for name in OPTIONAL_TEXT},
                "has_chronic_condition": _BOOL,
                "confirm_duplicate": {
                    "type": "boolean",
                    "description": "Créer malgré un doublon probable (sinon 409 likely_duplicate)",
                },
            },
        },
        "RegistrationRequest": {
            "type": "object",
            "required": ["id", "patient", "gp", "received_on", "channel", "status"],
            "properties": {
                "id": {"type": "integer"},
                "patient": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "display_name": _STR,
                        "birth_date": _DATE,
                    },
                },
                "gp": openapi.ref("Staff"),
                "received_on": _DATE,
                "channel": {"type": "string", "enum": list(CHANNELS)},
                "has_chronic_condition": _BOOL,
                "note": _STR,
                "status": {"type": "string", "enum": list(REQUEST_STATUSES)},
                "decided_at": {"type": ["string", "null"], "format": "date-time"},
                "decline_reason": {"type": ["string", "null"], "enum": [*DECLINE_REASONS, None]},
                "oriented_to": _NULLABLE_STR,
                "decision_note": _NULLABLE_STR,
                "has_treating_gp": _BOOL,
                "is_priority": {
                    "type": "boolean",
                    "description": "ALD sans médecin traitant : en tête de file",
                },
            },
        },
        "RegistrationRequestInput": {
            "type": "object",
            "required": ["patient_id", "gp_id", "channel"],
            "properties": {
                "patient_id": {"type": "integer"},
                "gp_id": {"type": "integer"},
                "channel": {"type": "string", "enum": list(CHANNELS)},
                "received_on": _DATE,
                "has_chronic_condition": _BOOL,
                "note": _STR,
            },
        },
        "RegistrationDecision": {
            "type": "object",
            "required": ["decision"],
            "properties": {
                "decision": {"type": "string", "enum": ["accept", "decline", "withdraw"]},
                "reason": {
                    "type": "string",
                    "enum": list(DECLINE_REASONS),
                    "description": "Motif légitime, obligatoire pour un refus",
                },
                "oriented_to": {
                    "type": "string",
                    "description": "Confrère ou structure, obligatoire pour un refus",
                },
                "note": _STR,
            },
        },
    }
)


def _body(name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": openapi.ref(name)}}}


openapi.paths(
    {
        "/patients": {
            "get": {
                "summary": "Rechercher des patients (nom, prénom, nom de naissance, date, INS)",
                "operationId": "searchPatients",
                "parameters": [
                    {"name": "q", "in": "query", "required": True, "schema": _STR},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}},
                ],
                "responses": {**openapi.ok(openapi.list_of("Patient")), **openapi.ERRORS},
            },
            "post": {
                "summary": "Enregistrer un patient",
                "operationId": "createPatient",
                "requestBody": _body("PatientInput"),
                "responses": {
                    **openapi.ok(openapi.ref("Patient"), "Créé", "201"),
                    **openapi.ERRORS,
                },
            },
        },
        "/patients/{patient_id}": {
            "get": {
                "summary": "Un patient (identité, coordonnées, médecin traitant)",
                "operationId": "getPatient",
                "parameters": [
                    {
                        "name": "patient_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {**openapi.ok(openapi.ref("Patient")), **openapi.ERRORS},
            }
        },
        "/registration-requests": {
            "get": {
                "summary": "File des demandes de médecin traitant d'un médecin",
                "operationId": "listRegistrationRequests",
                "parameters": [
                    {"name": "gp", "in": "query", "required": True, "schema": {"type": "integer"}},
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(REQUEST_STATUSES)},
                    },
                ],
                "responses": {
                    **openapi.ok(openapi.list_of("RegistrationRequest")),
                    **openapi.ERRORS,
                },
            },
            "post": {
                "summary": "Enregistrer une demande de médecin traitant",
                "operationId": "createRegistrationRequest",
                "requestBody": _body("RegistrationRequestInput"),
                "responses": {
                    **openapi.ok(openapi.ref("RegistrationRequest"), "Créée", "201"),
                    **openapi.ERRORS,
                },
            },
        },
        "/registration-requests/{request_id}/decision": {
            "post": {
                "summary": "Accepter, refuser (motif légitime) ou marquer retirée une demande",
                "operationId": "decideRegistrationRequest",
                "parameters": [
                    {
                        "name": "request_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "requestBody": _body("RegistrationDecision"),
                "responses": {
                    **openapi.ok(openapi.ref("RegistrationRequest")),
                    **openapi.ERRORS,
                },
            }
        },
    }
)
