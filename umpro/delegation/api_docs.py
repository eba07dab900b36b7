"""OpenAPI schemas and parameters of the delegation endpoints (used by umpro.delegation.api)."""

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


TASK_VIEW = openapi.param("view", enum=list(tasks.VIEWS))
PROTOCOL_CODE = openapi.param("protocol_code")
