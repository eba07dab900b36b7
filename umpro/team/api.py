"""Team endpoints of /api/v1/: who am I, the practice's staff."""

from flask import jsonify
from flask_login import current_user

from umpro.api import bp, openapi
from umpro.auth.permissions import require
from umpro.extensions import db
from umpro.team import services
from umpro.team.models import Staff

#: A staff member in the API: the attributes of ``Staff`` it shows, and their types.
_STAFF_FIELDS = {
    "id": "integer",
    "email": "email",
    "display_name": "string",
    "profession": "string",
    "is_admin": "boolean",
}
openapi.schemas(
    {"Staff": openapi.obj(_STAFF_FIELDS, required=["id", "email", "display_name", "profession"])}
)


def staff_json(staff: Staff) -> dict:
    """``staff`` as the "Staff" schema describes it."""
    return {name: getattr(staff, name) for name in _STAFF_FIELDS}


@bp.get("/me")
@require("api.me")
@openapi.describe("me", openapi.one("Staff"))
def me():
    """Le compte authentifié"""
    return jsonify(staff_json(current_user))


@bp.get("/staff")
@require("team.list")
@openapi.describe("listStaff", openapi.many("Staff"))
def staff_list():
    """Les membres actifs de l'équipe"""
    members = services.list_staff(
        db.session, practice_id=current_user.practice_id, active_only=True
    )
    return jsonify({"items": [staff_json(s) for s in members]})
