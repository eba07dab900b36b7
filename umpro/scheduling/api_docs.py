"""OpenAPI schemas and parameters of the agenda endpoints (used by umpro.scheduling.api)."""

from umpro.api import openapi

STAFF = openapi.param("staff", "Identifiant(s) de professionnels, séparés par des virgules")
PERIOD = [
    openapi.param("from", "Début : date AAAA-MM-JJ ou instant ISO 8601 (par défaut maintenant)"),
    openapi.param("to", "Fin : date AAAA-MM-JJ (incluse) ou instant ISO 8601"),
]
SLOTS = [
    openapi.param("type", "Type de rendez-vous", required=True, kind="integer"),
    STAFF,
    *PERIOD,
    openapi.param("prefer", "Professionnel proposé en premier", kind="integer"),
    openapi.param(
        "patient", "Patient : son médecin traitant est proposé en premier", kind="integer"
    ),
    openapi.param("limit", "Nombre maximal de créneaux (200 au plus)", kind="integer"),
]
APPOINTMENTS = [STAFF, *PERIOD, openapi.param("cancelled", "1 : inclure les annulés")]
UNSCHEDULED = [openapi.param("date", "Jour AAAA-MM-JJ (par défaut aujourd'hui)"), STAFF]
REPORT = [
    openapi.param("from", "Premier jour AAAA-MM-JJ (par défaut il y a 4 semaines)"),
    openapi.param("to", "Dernier jour AAAA-MM-JJ inclus (par défaut aujourd'hui)"),
    STAFF,
]


_SOURCE = openapi.prop("string", enum=["desk", "phone", "walk-in", "regulator"])
_NULLABLE_ID = {"type": ["integer", "null"]}

openapi.schemas(
    {
        "AppointmentType": openapi.obj(
            {
                "id": "integer",
                "label": "string",
                "duration_minutes": "integer",
                "professions": openapi.prop("array", items={"type": "string"}),
                "colour": "string",
                "is_home_visit": "boolean",
                "is_teleconsultation": "boolean",
                "is_unscheduled": "boolean",
                "is_active": "boolean",
            },
            required=["id", "label", "duration_minutes", "professions"],
        ),
        "Room": {
            "type": ["object", "null"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "Slot": openapi.obj(
            {
                "staff": openapi.ref("Staff"),
                "start": "date-time",
                "end": "date-time",
                "room": openapi.ref("Room"),
                "type_id": "integer",
            },
            required=["staff", "start", "end", "room"],
        ),
        "Appointment": openapi.obj(
            {
                "id": "integer",
                "uid": "string",
                "sequence": "integer",
                "version": openapi.prop("integer", "À renvoyer pour modifier"),
                "status": openapi.prop(
                    "string",
                    enum=[
                        "booked",
                        "arrived",
                        "fulfilled",
                        "cancelled",
                        "noshow",
                        "entered-in-error",
                    ],
                ),
                "source": _SOURCE,
                "is_unscheduled": "boolean",
                "start": "date-time",
                "end": "date-time",
                "staff_id": "integer",
                "patient_id": "integer",
                "type_id": "integer",
                "room_id": _NULLABLE_ID,
                "staff": openapi.ref("Staff"),
                "patient": openapi.obj(
                    {"id": "integer", "display_name": "string", "birth_date": "date"}
                ),
                "type": "object",
                "room": openapi.ref("Room"),
                "cancel_reason": "string",
                "regulator_name": "string",
                "regulator_reference": "string",
                "created_at": "date-time",
                "updated_at": "date-time",
            },
            required=["id", "uid", "sequence", "version", "status", "start", "end"],
        ),
        "NewAppointment": openapi.obj(
            {
                "patient_id": "integer",
                "staff_id": "integer",
                "type_id": "integer",
                "start": openapi.prop(
                    "string", "ISO 8601 ; sans décalage : heure locale du cabinet"
                ),
                "end": openapi.prop("string", "Par défaut : début + durée du type"),
                "room_id": openapi.prop("integer", "Par défaut : salle de la plage"),
                "source": _SOURCE,
                "unscheduled": openapi.prop(
                    "boolean", "Soins non programmés (créneau réservé du jour)"
                ),
                "is_unscheduled": openapi.prop("boolean", "Ancien nom de unscheduled"),
                "regulator_name": openapi.prop(
                    "string", "Régulation SAS saisie à l'accueil : nom du régulateur"
                ),
                "regulator_reference": openapi.prop(
                    "string", "Régulation SAS : référence de la régulation"
                ),
            },
            required=["patient_id", "staff_id", "type_id", "start"],
        ),
        "UnscheduledSlot": openapi.obj(
            {
                "staff_id": "integer",
                "type_id": _NULLABLE_ID,
                "start": "date-time",
                "end": "date-time",
                "room_id": _NULLABLE_ID,
            },
            required=["staff_id", "type_id", "start", "end", "room_id"],
        ),
        "UnscheduledFigures": openapi.obj(
            {
                "week": openapi.prop("date", "Lundi de la semaine"),
                "staff_id": "integer",
                "held": "integer",
                "used": "integer",
                "released": "integer",
                "lost": "integer",
                "pending": openapi.prop("integer", "Encore réservés"),
                "held_hours": "number",
                "appointments": "integer",
                "unscheduled": "integer",
                "unscheduled_share": openapi.prop("number", "En %"),
                "regulated_outside_list": "integer",
                "regulated_cap": "integer",
                "meets_hours_condition": "boolean",
            },
            required=["held", "used", "released", "lost"],
        ),
        "UnscheduledReport": openapi.obj(
            {
                "from": "date",
                "to": "date",
                "weeks": openapi.prop("array", items=openapi.ref("UnscheduledFigures")),
                "staff": openapi.prop("array", items=openapi.ref("UnscheduledFigures")),
                "total": openapi.ref("UnscheduledFigures"),
            },
            required=["weeks", "staff", "total"],
        ),
        "AppointmentChange": openapi.obj(
            {
                "version": "integer",
                "start": "string",
                "end": "string",
                "staff_id": "integer",
                "type_id": "integer",
                "room_id": _NULLABLE_ID,
                "status": openapi.prop(
                    "string",
                    enum=["booked", "arrived", "fulfilled", "noshow", "entered-in-error"],
                ),
            },
            required=["version"],
        ),
        "Cancellation": openapi.obj(
            {"reason": "string", "version": "integer"}, required=["reason"]
        ),
    }
)
