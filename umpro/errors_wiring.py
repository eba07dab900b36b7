"""Error pages in French, JSON errors under /api/v1/ (docs/architecture.md)."""

import io
import logging
import time

from flask import Flask, g, make_response, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wsgi import get_content_length

from umpro.auth import audit
from umpro.db import read_only_transactions
from umpro.errors import DomainError
from umpro.extensions import db
from umpro.web import KEEP_WHEN_REFUSED, BadRequestBody, api_error, is_api_request

log = logging.getLogger(__name__)

MESSAGES = {
    400: "La requête est mal formée.",
    401: "Authentification requise.",
    403: "Vous n'avez pas accès à cette page.",
    404: "Cette page n'existe pas.",
    405: "Méthode non autorisée.",
    409: "Conflit : la ressource a été modifiée entre-temps.",
    413: "Le contenu envoyé est trop volumineux.",
    422: "Données refusées.",
    429: "Trop de requêtes : réessayez dans un instant.",
    503: "Service momentanément indisponible : réessayez dans un instant.",
    500: "Une erreur interne est survenue. L'équipe technique a été prévenue.",
}
CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    503: "unavailable",
    500: "internal_error",
}


def _render(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, MESSAGES[500])
    if is_api_request():
        return api_error(status, CODES.get(status, "error"), message)
    return render_template("errors/error.html", status=status, message=message), status


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def open_unit_of_work():
    """Before a request: a safe method reads without the write lock (SQLite); the access
    log's rows wait for the commit point."""
    read_only_transactions(request.method in SAFE_METHODS)
    audit.start_buffer(db.session)


FORM = "application/x-www-form-urlencoded"


def refuse_oversized_body():
    """Before any hook reads the body (the CSRF check reads the form): a body past the
    limits of config.py answers 413 (``too_large``), whatever its encoding.

    A chunked body (``Transfer-Encoding: chunked``) has no length to check up front, and
    Werkzeug cuts it silently at MAX_CONTENT_LENGTH when it reads a form or JSON: the
    rest would be lost without a word. It is read here, up to one byte past the limit,
    and the request then reads the copy. A url-encoded form is bounded as a whole by
    MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS, which Werkzeug applies to multipart
    bodies only.
    """
    environ = request.environ
    limit = request.max_content_length
    if limit is None:
        return
    length = get_content_length(environ)
    streamed = "HTTP_TRANSFER_ENCODING" in environ and environ.get("wsgi.input_terminated")
    if length is None and streamed:
        body = _read_at_most(environ["wsgi.input"], limit + 1)
        if len(body) > limit:
            raise RequestEntityTooLarge()
        environ["wsgi.input"] = io.BytesIO(body)
        length = len(body)
    if length is not None and length > limit:
        raise RequestEntityTooLarge()
    if request.mimetype != FORM or not length:
        return
    if request.max_form_memory_size is not None and length > request.max_form_memory_size:
        raise RequestEntityTooLarge()
    parts = request.max_form_parts
    if parts is not None and request.get_data(cache=True).count(b"&") >= parts:
        raise RequestEntityTooLarge()


def _read_at_most(stream, size: int) -> bytes:
    body = bytearray()
    while len(body) < size:
        data = stream.read(min(64 * 1024, size - len(body)))
        if not data:
            break
        body += data
    return bytes(body)


def commit_or_roll_back(response):
    """The one commit point of a request (as ``indico/web/rh.py``): a response below 400
    commits the request's unit of work, any other rolls it back. Views never commit.

    The access-log rows recorded by the request are written here: in the same
    transaction for a write; for a read-only request, after its read transaction ends,
    in a short writer transaction of their own (one row per view).

    A commit the database refuses (a constraint raced by another request) answers 409;
    any other database failure at commit answers 503, and nothing is half-saved.
    """
    entries = audit.take_buffer(db.session)
    if response.status_code >= 400 and not g.pop(KEEP_WHEN_REFUSED, False):
        db.session.rollback()
        _keep_refused_uses(entries, response.status_code)
        return response
    try:
        if request.method in SAFE_METHODS:
            db.session.commit()
            read_only_transactions(False)
        audit.append(db.session, entries)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.warning("commit refused by a constraint", exc_info=True)
        return _as_response(_render(409))
    except DBAPIError as error:
        if _is_outage(error):
            return _database_unavailable(error)
        db.session.rollback()
        log.exception("commit failed")
        return _as_response(_render(503))
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("commit failed")
        return _as_response(_render(503))
    return response


#: Rows kept when the request is refused: who used an API key stays known even when what
#: the key asked for was refused (issue 14); the request's other rows go with its work.
KEPT_WHEN_REFUSED = frozenset({"api_key.use"})


def _keep_refused_uses(entries: list[dict], status: int) -> None:
    kept = [
        {**entry, "outcome": f"refused {status}"}
        for entry in entries
        if entry["action"] in KEPT_WHEN_REFUSED
    ]
    if not kept:
        return
    try:
        audit.append(db.session, kept)
        db.session.commit()
    except SQLAlchemyError:  # the refusal still reaches the client; the app log keeps the use
        db.session.rollback()
        log.warning("API key use not written to the access log", exc_info=True)


def close_unit_of_work(error=None):
    audit.take_buffer(db.session)
    read_only_transactions(False)


def _as_response(rendered):
    return make_response(rendered)


#: Seconds a client waits before retrying while the database does not answer.
RETRY_AFTER = 30
#: A database outage is logged once per this many seconds, not once per request.
_OUTAGE_LOG_EVERY = 60.0
_last_outage_logged = [float("-inf")]


def _is_outage(error: DBAPIError) -> bool:
    # OperationalError: the server is down, refuses, or the file cannot be opened or is
    # locked; connection_invalidated: a connection died under a statement.
    return isinstance(error, OperationalError) or error.connection_invalidated


def _database_unavailable(error: DBAPIError):
    now = time.monotonic()
    if now - _last_outage_logged[0] >= _OUTAGE_LOG_EVERY:
        _last_outage_logged[0] = now
        log.error("database unavailable: %s", type(error.orig).__name__ if error.orig else error)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()
    # The error page must not ask the dead database who is signed in.
    if "_login_user" not in g:
        g._login_user = AnonymousUserMixin()
    response = _as_response(_render(503))
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def init_app(app: Flask) -> None:
    # First of the before-request hooks: the sign-in lookup already reads.
    app.before_request_funcs.setdefault(None, []).insert(0, open_unit_of_work)
    app.before_request_funcs[None].insert(1, refuse_oversized_body)
    app.teardown_request(close_unit_of_work)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400,
            "Le formulaire a expiré ou son jeton de sécurité est invalide. "
            "Rechargez la page et recommencez.",
        )

    @app.errorhandler(BadRequestBody)
    def bad_body(error):
        return _render(400, str(error))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        # The rest of the body is left unread: the connection must not carry another
        # request. Werkzeug's server and gunicorn's sync workers (docs/deployment.md)
        # close it anyway; the header asks any other server to.
        response = _as_response(_render(413))
        response.headers["Connection"] = "close"
        return response

    @app.errorhandler(DomainError)
    def domain_error(error):
        db.session.rollback()
        if is_api_request():
            return api_error(error.status, error.code, error.message, error.field)
        return _render(error.status, error.message)

    @app.errorhandler(DBAPIError)
    def database_error(error):
        if _is_outage(error):
            return _database_unavailable(error)
        return unexpected(error)

    @app.errorhandler(HTTPException)
    def http_error(error):
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error")
        db.session.rollback()
        return _render(500)
