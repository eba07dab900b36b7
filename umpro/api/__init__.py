"""The JSON API under /api/v1/: one blueprint, endpoints added by each domain's api.py."""

from flask import Blueprint, current_app, jsonify

from umpro.api import openapi
from umpro.web import public

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
@public
def openapi_json():
    return jsonify(openapi.document(current_app, bp.url_prefix))
