"""OpenAPI description of the patient-list endpoints (registered by umpro.reports.api)."""

from umpro.api import openapi

openapi.schemas(
    {
        "PatientListPoint": {
            "type": "object",
            "required": ["month", "patient_list", "adults", "children", "file_active"],
            "properties": {
                "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                "patient_list": {"type": "integer", "description": "Déclarations actives"},
                "adults": {"type": "integer", "description": "16 ans et plus"},
                "children": {"type": "integer"},
                "file_active": {"type": "integer", "description": "Vus dans les 12 mois"},
                "started": {"type": "integer"},
                "ended": {"type": "integer"},
                "ald_share": {"type": "number"},
                "end_reasons": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        },
        "Worklist": {
            "type": "object",
            "required": ["key", "title", "rows"],
            "properties": {
                "key": {
                    "type": "string",
                    "enum": [
                        "seen_not_declared",
                        "ended_recently",
                        "pending_requests",
                        "ald_without_gp",
                    ],
                },
                "title": {"type": "string"},
                "rows": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "patient_id": {"type": "integer"},
                            "display_name": {"type": "string"},
                            "detail": {"type": "string"},
                            "action": {"type": "string", "enum": ["declare", "book", "decide"]},
                            "request_id": {"type": ["integer", "null"]},
                        },
                    },
                },
            },
        },
    }
)

_GP = {
    "name": "gp",
    "in": "query",
    "schema": {"type": "integer"},
    "description": "Identifiant du médecin ; par défaut, soi-même (médecin généraliste).",
}
_MONTH = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}

openapi.paths(
    {
        "/reports/patient-list": {
            "get": {
                "summary": "Patientèle d'un médecin, un point par mois (36 mois au plus)",
                "parameters": [
                    _GP,
                    {"name": "from", "in": "query", "schema": _MONTH},
                    {"name": "to", "in": "query", "schema": _MONTH},
                ],
                "responses": {
                    **openapi.ok(openapi.list_of("PatientListPoint")),
                    **openapi.ERRORS,
                },
            }
        },
        "/reports/patient-list/worklists": {
            "get": {
                "summary": "Listes de travail de la patientèle (patients à qui proposer…)",
                "parameters": [_GP],
                "responses": {**openapi.ok(openapi.list_of("Worklist")), **openapi.ERRORS},
            }
        },
    }
)
