"""OpenAPI schemas and parameters of the patients endpoints (used by ``umpro.patients.api``)."""

from umpro.api import openapi
from umpro.patients.models import CHANNELS, DECLINE_REASONS, REQUEST_STATUSES

OPTIONAL_TEXT = ("birth_name", "ins", "phone", "email", "address", "postal_code", "city")

_NULLABLE_STR = {"type": ["string", "null"]}
_SEX = openapi.prop("string", enum=["F", "M", "I"])
_CHANNEL = openapi.prop("string", enum=list(CHANNELS))

openapi.schemas(
    {
        "Patient": openapi.obj(
            {
                "id": "integer",
                "family_name": "string",
                "birth_name": "string",
                "given_names": "string",
                "display_name": "string",
                "birth_date": "date",
                "sex": _SEX,
                "ins": _NULLABLE_STR,
                "phone": "string",
                "email": "string",
                "address": "string",
                "postal_code": "string",
                "city": "string",
                "has_chronic_condition": "boolean",
                "has_sharing_objection": "boolean",
                "treating_gp": {"oneOf": [openapi.ref("Staff"), {"type": "null"}]},
            },
            required=["id", "family_name", "given_names", "display_name", "birth_date", "sex"],
        ),
        "PatientInput": openapi.obj(
            {
                "family_name": "string",
                "given_names": "string",
                "birth_date": "date",
                "sex": _SEX,
                **{name: "string" for name in OPTIONAL_TEXT},
                "has_chronic_condition": "boolean",
                "confirm_duplicate": openapi.prop(
                    "boolean", "Créer malgré un doublon probable (sinon 409 likely_duplicate)"
                ),
            },
            required=["family_name", "given_names", "birth_date", "sex"],
        ),
        "RegistrationRequest": openapi.obj(
            {
                "id": "integer",
                "patient": openapi.obj(
                    {"id": "integer", "display_name": "string", "birth_date": "date"}
                ),
                "gp": openapi.ref("Staff"),
                "received_on": "date",
                "channel": _CHANNEL,
                "has_chronic_condition": "boolean",
                "note": "string",
                "status": openapi.prop("string", enum=list(REQUEST_STATUSES)),
                "decided_at": {"type": ["string", "null"], "format": "date-time"},
                "decline_reason": {"type": ["string", "null"], "enum": [*DECLINE_REASONS, None]},
                "oriented_to": _NULLABLE_STR,
                "decision_note": _NULLABLE_STR,
                "has_treating_gp": "boolean",
                "is_priority": openapi.prop(
                    "boolean", "ALD sans médecin traitant : en tête de file"
                ),
            },
            required=["id", "patient", "gp", "received_on", "channel", "status"],
        ),
        "RegistrationRequestInput": openapi.obj(
            {
                "patient_id": "integer",
                "gp_id": "integer",
                "channel": _CHANNEL,
                "received_on": "date",
                "has_chronic_condition": "boolean",
                "note": "string",
            },
            required=["patient_id", "gp_id", "channel"],
        ),
        "RegistrationDecision": openapi.obj(
            {
                "decision": openapi.prop("string", enum=["accept", "decline", "withdraw"]),
                "reason": openapi.prop(
                    "string",
                    "Motif légitime, obligatoire pour un refus",
                    enum=list(DECLINE_REASONS),
                ),
                "oriented_to": openapi.prop(
                    "string", "Confrère ou structure, obligatoire pour un refus"
                ),
                "note": "string",
            },
            required=["decision"],
        ),
    }
)


SEARCH = [
    openapi.param("q", required=True),
    openapi.param("limit", kind="integer", maximum=200),
]
QUEUE = [
    openapi.param("gp", required=True, kind="integer"),
    openapi.param("status", enum=list(REQUEST_STATUSES)),
]
