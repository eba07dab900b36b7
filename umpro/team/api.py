"""Team endpoints of /api/v1/: who am I, the practice's staff."""

from flask import jsonify
from flask_login import current_user

from umpro.api import bp, openapi
from umpro.auth.permissions import require
from umpro.extensions import db
from umpro.team import services
from umpro.team.models import Staff


def staff_json(staff: Staff) -> dict:
    return {
        "id": staff.id,
        "email": staff.email,
        "display_name": staff.display_name,
        "profession": staff.profession,
        "is_admin": staff.is_admin,
    }


@bp.get("/me")
@require("api.me")
def me():
    return jsonify(staff_json(current_user))


@bp.get("/staff")
@require("team.list")
def staff_list():
    members = services.list_staff(
        db.session, practice_id=current_user.practice_id, active_only=True
    )
    return jsonify({"items": [staff_json(s) for s in members]})


openapi.paths(
    {
        "/me": {
            "get": {
                "summary": "Le compte authentifié",
                "operationId": "me",
                "responses": {**openapi.ok(openapi.ref("Staff")), **openapi.ERRORS},
            }
        },
        "/staff": {
            "get": {
                "summary": "Les membres actifs de l'équipe",
                "operationId": "listStaff",
                "responses": {**openapi.ok(openapi.list_of("Staff")), **openapi.ERRORS},
            }
        },
    }
)
