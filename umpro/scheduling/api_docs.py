"""OpenAPI description of the agenda endpoints (registered by umpro.scheduling.api)."""

from umpro.api import openapi


def _query(name: str, description: str, *, required: bool = False, kind: str = "string"):
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": kind},
    }


_ID = {"name": "appointment_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_PERIOD = [
    _query("from", "Début : date AAAA-MM-JJ ou instant ISO 8601 (par défaut maintenant)"),
    _query("to", "Fin : date AAAA-MM-JJ (incluse) ou instant ISO 8601"),
]
_STAFF = _query("staff", "Identifiant(s) de professionnels, séparés par des virgules")


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


openapi.schemas(
    {
        "AppointmentType": {
            "type": "object",
            "required": ["id", "label", "duration_minutes", "professions"],
            "properties": {
                "id": {"type": "integer"},
                "label": {"type": "string"},
                "duration_minutes": {"type": "integer"},
                "professions": {"type": "array", "items": {"type": "string"}},
                "colour": {"type": "string"},
                "is_home_visit": {"type": "boolean"},
                "is_teleconsultation": {"type": "boolean"},
                "is_unscheduled": {"type": "boolean"},
                "is_active": {"type": "boolean"},
            },
        },
        "Room": {
            "type": ["object", "null"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "Slot": {
            "type": "object",
            "required": ["staff", "start", "end", "room"],
            "properties": {
                "staff": openapi.ref("Staff"),
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "room": openapi.ref("Room"),
                "type_id": {"type": "integer"},
            },
        },
        "Appointment": {
            "type": "object",
            "required": ["id", "uid", "sequence", "version", "status", "start", "end"],
            "properties": {
                "id": {"type": "integer"},
                "uid": {"type": "string"},
                "sequence": {"type": "integer"},
                "version": {"type": "integer", "description": "À renvoyer pour modifier"},
                "status": {
                    "type": "string",
                    "enum": [
                        "booked",
                        "arrived",
                        "fulfilled",
                        "cancelled",
                        "noshow",
                        "entered-in-error",
                    ],
                },
                "source": {"type": "string", "enum": ["desk", "phone", "walk-in", "regulator"]},
                "is_unscheduled": {"type": "boolean"},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "staff_id": {"type": "integer"},
                "patient_id": {"type": "integer"},
                "type_id": {"type": "integer"},
                "room_id": {"type": ["integer", "null"]},
                "staff": openapi.ref("Staff"),
                "patient": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "display_name": {"type": "string"},
                        "birth_date": {"type": "string", "format": "date"},
                    },
                },
                "type": {"type": "object"},
                "room": openapi.ref("Room"),
                "cancel_reason": {"type": "string"},
                "regulator_name": {"type": "string"},
                "regulator_reference": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
            },
        },
        "NewAppointment": {
            "type": "object",
            "required": ["patient_id", "staff_id", "type_id", "start"],
            "properties": {
                "patient_id": {"type": "integer"},
                "staff_id": {"type": "integer"},
                "type_id": {"type": "integer"},
                "start": {
                    "type": "string",
                    "description": "ISO 8601 ; sans décalage : heure locale du cabinet",
                },
                "end": {"type": "string", "description": "Par défaut : début + durée du type"},
                "room_id": {"type": "integer", "description": "Par défaut : salle de la plage"},
                "source": {"type": "string", "enum": ["desk", "phone", "walk-in", "regulator"]},
                "unscheduled": {
                    "type": "boolean",
                    "description": "Soins non programmés (créneau réservé du jour)",
                },
                "is_unscheduled": {"type": "boolean", "description": "Ancien nom de unscheduled"},
                "regulator_name": {
                    "type": "string",
                    "description": "Régulation SAS saisie à l'accueil : nom du régulateur",
                },
                "regulator_reference": {
                    "type": "string",
                    "description": "Régulation SAS : référence de la régulation",
                },
            },
        },
        "UnscheduledSlot": {
            "type": "object",
            "required": ["staff_id", "type_id", "start", "end", "room_id"],
            "properties": {
                "staff_id": {"type": "integer"},
                "type_id": {"type": ["integer", "null"]},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "room_id": {"type": ["integer", "null"]},
            },
        },
        "UnscheduledFigures": {
            "type": "object",
            "required": ["held", "used", "released", "lost"],
            "properties": {
                "week": {"type": "string", "format": "date", "description": "Lundi de la semaine"},
                "staff_id": {"type": "integer"},
                "held": {"type": "integer"},
                "used": {"type": "integer"},
                "released": {"type": "integer"},
                "lost": {"type": "integer"},
                "pending": {"type": "integer", "description": "Encore réservés"},
                "held_hours": {"type": "number"},
                "appointments": {"type": "integer"},
                "unscheduled": {"type": "integer"},
                "unscheduled_share": {"type": "number", "description": "En %"},
                "regulated_outside_list": {"type": "integer"},
                "regulated_cap": {"type": "integer"},
                "meets_hours_condition": {"type": "boolean"},
            },
        },
        "UnscheduledReport": {
            "type": "object",
            "required": ["weeks", "staff", "total"],
            "properties": {
                "from": {"type": "string", "format": "date"},
                "to": {"type": "string", "format": "date"},
                "weeks": {"type": "array", "items": openapi.ref("UnscheduledFigures")},
                "staff": {"type": "array", "items": openapi.ref("UnscheduledFigures")},
                "total": openapi.ref("UnscheduledFigures"),
            },
        },
        "AppointmentChange": {
            "type": "object",
            "required": ["version"],
            "properties": {
                "version": {"type": "integer"},
                "start": {"type": "string"},
                "end": {"type": "string"},
                "staff_id": {"type": "integer"},
                "type_id": {"type": "integer"},
                "room_id": {"type": ["integer", "null"]},
                "status": {
                    "type": "string",
                    "enum": ["booked", "arrived", "fulfilled", "noshow", "entered-in-error"],
                },
            },
        },
        "Cancellation": {
            "type": "object",
            "required": ["reason"],
            "properties": {"reason": {"type": "string"}, "version": {"type": "integer"}},
        },
    }
)

openapi.paths(
    {
        "/appointment-types": {
            "get": {
                "summary": "Les types de rendez-vous",
                "operationId": "listAppointmentTypes",
                "parameters": [_query("all", "1 : inclure les types désactivés")],
                "responses": {
                    **openapi.ok(openapi.list_of("AppointmentType")),
                    **openapi.ERRORS,
                },
            }
        },
        "/slots": {
            "get": {
                "summary": "Les prochains créneaux libres d'un type",
                "operationId": "findSlots",
                "parameters": [
                    _query("type", "Type de rendez-vous", required=True, kind="integer"),
                    _STAFF,
                    *_PERIOD,
                    _query("prefer", "Professionnel proposé en premier", kind="integer"),
                    _query(
                        "patient",
                        "Patient : son médecin traitant est proposé en premier",
                        kind="integer",
                    ),
                    _query("limit", "Nombre maximal de créneaux (200 au plus)", kind="integer"),
                ],
                "responses": {**openapi.ok(openapi.list_of("Slot")), **openapi.ERRORS},
            }
        },
        "/unscheduled-slots": {
            "get": {
                "summary": "Les créneaux réservés aux soins non programmés encore libres d'un jour",
                "operationId": "listUnscheduledSlots",
                "parameters": [
                    _query("date", "Jour AAAA-MM-JJ (par défaut aujourd'hui)"),
                    _STAFF,
                ],
                "responses": {
                    **openapi.ok(openapi.list_of("UnscheduledSlot")),
                    **openapi.ERRORS,
                },
            }
        },
        "/reports/unscheduled": {
            "get": {
                "summary": "Soins non programmés : créneaux réservés, utilisés, libérés, perdus",
                "operationId": "unscheduledReport",
                "parameters": [
                    _query("from", "Premier jour AAAA-MM-JJ (par défaut il y a 4 semaines)"),
                    _query("to", "Dernier jour AAAA-MM-JJ inclus (par défaut aujourd'hui)"),
                    _STAFF,
                ],
                "responses": {
                    **openapi.ok(openapi.ref("UnscheduledReport")),
                    **openapi.ERRORS,
                },
            }
        },
        "/appointments": {
            "get": {
                "summary": "Les rendez-vous d'une période",
                "operationId": "listAppointments",
                "parameters": [
                    _STAFF,
                    *_PERIOD,
                    _query("cancelled", "1 : inclure les annulés"),
                ],
                "responses": {**openapi.ok(openapi.list_of("Appointment")), **openapi.ERRORS},
            },
            "post": {
                "summary": "Prendre un rendez-vous (409 si le créneau est pris)",
                "operationId": "createAppointment",
                "requestBody": _body(openapi.ref("NewAppointment")),
                "responses": {
                    **openapi.ok(openapi.ref("Appointment"), "Créé", "201"),
                    **openapi.ERRORS,
                },
            },
        },
        "/appointments/{appointment_id}": {
            "get": {
                "summary": "Un rendez-vous",
                "operationId": "getAppointment",
                "parameters": [_ID],
                "responses": {**openapi.ok(openapi.ref("Appointment")), **openapi.ERRORS},
            },
            "patch": {
                "summary": "Déplacer, modifier ou changer le statut (409 si version périmée)",
                "operationId": "updateAppointment",
                "parameters": [_ID],
                "requestBody": _body(openapi.ref("AppointmentChange")),
                "responses": {**openapi.ok(openapi.ref("Appointment")), **openapi.ERRORS},
            },
        },
        "/appointments/{appointment_id}/cancel": {
            "post": {
                "summary": "Annuler avec un motif",
                "operationId": "cancelAppointment",
                "parameters": [_ID],
                "requestBody": _body(openapi.ref("Cancellation")),
                "responses": {**openapi.ok(openapi.ref("Appointment")), **openapi.ERRORS},
            }
        },
    }
)
