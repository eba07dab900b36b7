"""OpenAPI description of the delegation endpoints (registered by umpro.delegation.api)."""

from umpro.api import openapi

_TASK_PROPS = {
    "id": {"type": "integer"},
    "patient_id": {"type": "integer"},
    "patient": {"type": "object"},
    "protocol_code": {"type": "string"},
    "protocol_title": {"type": "string"},
    "status": {
        "type": "string",
        "enum": [
            "requested",
            "accepted",
            "rejected",
            "in-progress",
            "on-hold",
            "completed",
            "failed",
            "cancelled",
            "entered-in-error",
        ],
    },
    "status_label": {"type": "string"},
    "status_reason": {"type": "string"},
    "priority": {"type": "string", "enum": ["routine", "urgent", "asap"]},
    "instructions": {"type": "string"},
    "due_on": {"type": "string", "format": "date"},
    "created_at": {"type": "string", "format": "date-time"},
    "requester": openapi.ref("Staff"),
    "owner": {"oneOf": [openapi.ref("Staff"), {"type": "null"}]},
    "results": {"type": ["object", "null"]},
    "red_flags": {"type": "array", "items": {"type": "string"}},
    "is_taken_back": {"type": "boolean"},
    "in_inbox": {"type": "boolean"},
    "inbox_reason": {"type": ["string", "null"]},
    "file_entry_id": {"type": ["integer", "null"]},
    "overdue": {"type": "boolean"},
    "version": {"type": "integer"},
}

openapi.schemas(
    {
        "CareTask": {
            "type": "object",
            "required": ["id", "status", "patient_id"],
            "properties": _TASK_PROPS,
        },
        "CareTaskDetail": {
            "allOf": [
                openapi.ref("CareTask"),
                {
                    "type": "object",
                    "properties": {
                        "events": {"type": "array", "items": {"type": "object"}},
                        "appointments": {"type": "array", "items": {"type": "object"}},
                        "allowed_transitions": {"type": "array", "items": {"type": "object"}},
                    },
                },
            ]
        },
        "CareTaskInput": {
            "type": "object",
            "required": ["patient_id", "protocol_code"],
            "properties": {
                "patient_id": {"type": "integer"},
                "protocol_code": {"type": "string"},
                "instructions": {"type": "string"},
                "priority": {"type": "string", "enum": ["routine", "urgent", "asap"]},
                "due_on": {"type": "string", "format": "date"},
                "inclusion_met": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Clés des critères d'inclusion remplis",
                },
                "exclusions_present": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Clés des critères d'exclusion présents",
                },
                "consent_given": {
                    "type": "boolean",
                    "description": "Le patient, informé, consent au protocole (enregistré "
                    "avec la tâche quand le protocole le requiert et qu'aucun n'est en cours)",
                },
                "consent_on": {
                    "type": "string",
                    "format": "date",
                    "description": "Date du consentement (par défaut : aujourd'hui)",
                },
            },
        },
        "TransitionInput": {
            "type": "object",
            "required": ["to"],
            "properties": {
                "to": {"type": "string"},
                "reason": {"type": "string"},
                "results": {
                    "type": "object",
                    "description": "Champ → valeur ; « signs » : "
                    "clés des signes d'alerte constatés",
                },
            },
        },
        "Protocol": {
            "type": "object",
            "required": ["id", "code", "title"],
            "properties": {
                "id": {"type": "integer"},
                "code": {"type": "string"},
                "title": {"type": "string"},
                "kind": {"type": "string"},
                "result_fields": {"type": "array"},
                "red_flags": {"type": "array"},
            },
        },
        "ConsentInput": {
            "type": "object",
            "required": ["protocol_code"],
            "properties": {
                "protocol_code": {"type": "string"},
                "given_on": {"type": "string", "format": "date"},
                "note": {"type": "string"},
            },
        },
        "Consent": {
            "type": "object",
            "required": ["id", "protocol_code", "is_standing"],
            "properties": {
                "id": {"type": "integer"},
                "protocol_code": {"type": "string"},
                "given_on": {"type": "string", "format": "date"},
                "withdrawn_on": {"type": ["string", "null"]},
                "is_standing": {"type": "boolean"},
            },
        },
    }
)


def _body(name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": openapi.ref(name)}}}


_TASK_ID = [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_PATIENT_ID = [
    {"name": "patient_id", "in": "path", "required": True, "schema": {"type": "integer"}}
]
openapi.paths(
    {
        "/tasks": {
            "post": {
                "summary": "Confier une tâche sous protocole",
                "operationId": "createTask",
                "requestBody": _body("CareTaskInput"),
                "responses": {
                    **openapi.ok(openapi.ref("CareTask"), "Créée", "201"),
                    **openapi.ERRORS,
                },
            },
            "get": {
                "summary": "File (available), mes tâches (mine) ou boîte de réception (inbox)",
                "operationId": "listTasks",
                "parameters": [
                    {
                        "name": "view",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["available", "mine", "inbox"]},
                    }
                ],
                "responses": {**openapi.ok(openapi.list_of("CareTask")), **openapi.ERRORS},
            },
        },
        "/tasks/{task_id}": {
            "get": {
                "summary": "Une tâche avec son historique",
                "operationId": "getTask",
                "parameters": _TASK_ID,
                "responses": {**openapi.ok(openapi.ref("CareTaskDetail")), **openapi.ERRORS},
            }
        },
        "/tasks/{task_id}/transition": {
            "post": {
                "summary": "Changer le statut d'une tâche (accepter, terminer avec résultats…)",
                "operationId": "transitionTask",
                "parameters": _TASK_ID,
                "requestBody": _body("TransitionInput"),
                "responses": {**openapi.ok(openapi.ref("CareTaskDetail")), **openapi.ERRORS},
            }
        },
        "/protocols": {
            "get": {
                "summary": "Les protocoles de coopération en vigueur",
                "operationId": "listProtocols",
                "responses": {**openapi.ok(openapi.list_of("Protocol")), **openapi.ERRORS},
            }
        },
        "/patients/{patient_id}/consents": {
            "post": {
                "summary": "Enregistrer le consentement du patient à un protocole",
                "operationId": "giveConsent",
                "parameters": _PATIENT_ID,
                "requestBody": _body("ConsentInput"),
                "responses": {
                    **openapi.ok(openapi.ref("Consent"), "Créé", "201"),
                    **openapi.ERRORS,
                },
            },
            "delete": {
                "summary": "Retirer le consentement (les tâches ouvertes sont annulées)",
                "operationId": "withdrawConsent",
                "parameters": [
                    *_PATIENT_ID,
                    {"name": "protocol_code", "in": "query", "schema": {"type": "string"}},
                ],
                "requestBody": {**_body("ConsentInput"), "required": False},
                "responses": {**openapi.ok(openapi.ref("Consent")), **openapi.ERRORS},
            },
        },
    }
)
