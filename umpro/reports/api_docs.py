"""OpenAPI schemas and parameters of the patient-list endpoints (used by umpro.reports.api)."""

from umpro.api import openapi

_MONTH = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}

openapi.schemas(
    {
        "PatientListPoint": openapi.obj(
            {
                "month": _MONTH,
                "patient_list": openapi.prop("integer", "Déclarations actives"),
                "adults": openapi.prop("integer", "16 ans et plus"),
                "children": "integer",
                "file_active": openapi.prop("integer", "Vus dans les 12 mois"),
                "started": "integer",
                "ended": "integer",
                "ald_share": "number",
                "end_reasons": openapi.prop("object", additionalProperties={"type": "integer"}),
            },
            required=["month", "patient_list", "adults", "children", "file_active"],
        ),
        "Worklist": openapi.obj(
            {
                "key": openapi.prop(
                    "string",
                    enum=[
                        "seen_not_declared",
                        "ended_recently",
                        "pending_requests",
                        "ald_without_gp",
                    ],
                ),
                "title": "string",
                "rows": openapi.prop(
                    "array",
                    items=openapi.obj(
                        {
                            "patient_id": "integer",
                            "display_name": "string",
                            "detail": "string",
                            "action": openapi.prop("string", enum=["declare", "book", "decide"]),
                            "request_id": {"type": ["integer", "null"]},
                        }
                    ),
                ),
            },
            required=["key", "title", "rows"],
        ),
    }
)

GP = openapi.param(
    "gp", "Identifiant du médecin ; par défaut, soi-même (médecin généraliste).", kind="integer"
)
MONTHS = [openapi.param("from", kind=_MONTH), openapi.param("to", kind=_MONTH)]
