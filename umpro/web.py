"""Small helpers shared by the views and the API."""

from flask import g, jsonify, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from umpro.acting import Acting
from umpro.db import utcnow

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


def acting() -> Acting:
    """Who acts in this request, for the services it calls: the signed-in staff member,
    the time of the request in UTC and where it came from (for the access log). The actor
    is the staff member itself, not the ``current_user`` proxy: a service checks
    permissions per row shown, and each attribute read through the proxy looks the user up
    again (≈ 600 per day view)."""
    return Acting(current_user._get_current_object(), utcnow(), client_ip())


def api_error(status: int, code: str, message: str, field: str | None = None):
    error = {"code": code, "message": message}
    if field:
        error["field"] = field
    return jsonify({"error": error}), status


class BadRequestBody(Exception):
    pass


class IdConverter(IntegerConverter):
    """``<int:...>`` in a URL: an id a PostgreSQL ``integer`` key can hold, else 404.

    Past 2**31-1 the query would overflow on PostgreSQL (past 2**63-1 on SQLite too) and
    answer 500; no object has such an id, so the URL names nothing.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, 2**31 - 1 if max is None else max, signed)


#: ``g`` flag: this request's work stands even though its answer is a refusal.
KEEP_WHEN_REFUSED = "umpro_keep_when_refused"


def keep_when_refused() -> None:
    """Commit this request's work even if it answers 400 or more: for a refusal that must
    itself be counted across workers (a feed download refused by its rate limit). The
    commit point still commits once, at the end; views never commit."""
    g.setdefault(KEEP_WHEN_REFUSED, True)
