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


_TASK_ID = [openapi.path_id("task_id")]
_PATIENT_ID = [openapi.path_id("patient_id")]
openapi.paths(
    {
        "/tasks": {
            "post": openapi.operation(
                "createTask",
                "Confier une tâche sous protocole",
                openapi.ok(openapi.ref("CareTask"), "Créée", "201"),
                requestBody=openapi.body("CareTaskInput"),
            ),
            "get": openapi.operation(
                "listTasks",
                "File (available), mes tâches (mine) ou boîte de réception (inbox)",
                openapi.ok(openapi.list_of("CareTask")),
                parameters=[
                    {
                        "name": "view",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(tasks.VIEWS)},
                    }
                ],
            ),
        },
        "/tasks/{task_id}": {
            "get": openapi.operation(
                "getTask",
                "Une tâche avec son historique",
                openapi.ok(openapi.ref("CareTaskDetail")),
                parameters=_TASK_ID,
            )
        },
        "/tasks/{task_id}/transition": {
            "post": openapi.operation(
                "transitionTask",
                "Changer le statut d'une tâche (accepter, terminer avec résultats…)",
                openapi.ok(openapi.ref("CareTaskDetail")),
                parameters=_TASK_ID,
                requestBody=openapi.body("TransitionInput"),
            )
        },
        "/protocols": {
            "get": openapi.operation(
                "listProtocols",
                "Les protocoles de coopération en vigueur",
                openapi.ok(openapi.list_of("Protocol")),
            )
        },
        "/patients/{patient_id}/consents": {
            "post": openapi.operation(
                "giveConsent",
                "Enregistrer le consentement du patient à un protocole",
                openapi.ok(openapi.ref("Consent"), "Créé", "201"),
                parameters=_PATIENT_ID,
                requestBody=openapi.body("ConsentInput"),
            ),
            "delete": openapi.operation(
                "withdrawConsent",
                "Retirer le consentement (les tâches ouvertes sont annulées)",
                openapi.ok(openapi.ref("Consent")),
                parameters=[
                    *_PATIENT_ID,
                    {"name": "protocol_code", "in": "query", "schema": {"type": "string"}},
                ],
                requestBody={**openapi.body("ConsentInput"), "required": False},
            ),
        },
    }
)
