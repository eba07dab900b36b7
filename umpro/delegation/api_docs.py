"""OpenAPI description of the delegation endpoints (registered by umpro.delegation.api)."""

from umpro.api import openapi
from umpro.delegation import states
from umpro.delegation.services import tasks

_TASK_PROPS = {
    "id": "integer",
    "patient_id": "integer",
    "patient": "object",
    "protocol_code": "string",
    "protocol_title": "string",
    "status": openapi.prop("string", enum=list(states.STATUSES)),
    "status_label": "string",
    "status_reason": "string",
    "priority": openapi.prop("string", enum=list(states.PRIORITIES)),
    "instructions": "string",
    "due_on": "date",
    "created_at": "date-time",
    "requester": openapi.ref("Staff"),
    "owner": {"oneOf": [openapi.ref("Staff"), {"type": "null"}]},
    "results": {"type": ["object", "null"]},
    "red_flags": openapi.prop("array", items={"type": "string"}),
    "is_taken_back": "boolean",
    "in_inbox": "boolean",
    "inbox_reason": {"type": ["string", "null"]},
    "file_entry_id": {"type": ["integer", "null"]},
    "overdue": "boolean",
    "version": "integer",
}
_LIST_OF_OBJECTS = openapi.prop("array", items={"type": "object"})

openapi.schemas(
    {
        "CareTask": openapi.obj(_TASK_PROPS, required=["id", "status", "patient_id"]),
        "CareTaskDetail": {
            "allOf": [
                openapi.ref("CareTask"),
                openapi.obj(
                    {
                        "events": _LIST_OF_OBJECTS,
                        "appointments": _LIST_OF_OBJECTS,
                        "allowed_transitions": _LIST_OF_OBJECTS,
                    }
                ),
            ]
        },
        "CareTaskInput": openapi.obj(
            {
                "patient_id": "integer",
                "protocol_code": "string",
                "instructions": "string",
                "priority": openapi.prop("string", enum=list(states.PRIORITIES)),
                "due_on": "date",
                "inclusion_met": openapi.prop(
                    "array", "Clés des critères d'inclusion remplis", items={"type": "string"}
                ),
                "exclusions_present": openapi.prop(
                    "array", "Clés des critères d'exclusion présents", items={"type": "string"}
                ),
                "consent_given": openapi.prop(
                    "boolean",
                    "Le patient, informé, consent au protocole (enregistré avec la tâche quand "
                    "le protocole le requiert et qu'aucun n'est en cours)",
                ),
                "consent_on": openapi.prop(
                    "date", "Date du consentement (par défaut : aujourd'hui)"
                ),
            },
            required=["patient_id", "protocol_code"],
        ),
        "TransitionInput": openapi.obj(
            {
                "to": "string",
                "reason": "string",
                "results": openapi.prop(
                    "object", "Champ → valeur ; « signs » : clés des signes d'alerte constatés"
                ),
            },
            required=["to"],
        ),
        "Protocol": openapi.obj(
            {
                "id": "integer",
                "code": "string",
                "title": "string",
                "kind": "string",
                "result_fields": "array",
                "red_flags": "array",
            },
            required=["id", "code", "title"],
        ),
        "ConsentInput": openapi.obj(
            {"protocol_code": "string", "given_on": "date", "note": "string"},
            required=["protocol_code"],
        ),
        "Consent": openapi.obj(
            {
                "id": "integer",
                "protocol_code": "string",
                "given_on": "date",
                "withdrawn_on": {"type": ["string", "null"]},
                "is_standing": "boolean",
            },
            required=["id", "protocol_code", "is_standing"],
        ),
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
                        "schema": {"type": "string", "enum": list(tasks.VIEWS)},
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
