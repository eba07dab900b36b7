"""Small helpers shared by the views and the API."""

from flask import jsonify, request

API_PREFIX = "/api/v1/"


def public(view):
    """Mark a view as reachable without signing in (everything else requires it)."""
    view.is_public = True
    return view


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def client_ip() -> str:
    # Behind a reverse proxy, configure werkzeug's ProxyFix so remote_addr is the client's.
    return request.remote_addr or ""


def api_error(status: int, code: str, message: str, field: str | None = None):
    error = {"code": code, "message": message}
    if field:
        error["field"] = field
    return jsonify({"error": error}), status


class BadRequestBody(Exception):
    pass


def json_body() -> dict:
    """The request's JSON object, or BadRequestBody (answered 400 in French)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequestBody("Le corps de la requête doit être un objet JSON.")
    return data
