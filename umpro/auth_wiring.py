"""Request-level security: who is signed in, sign-in required by default, CSRF."""

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import refresh as refresh_babel
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from umpro.acting import Acting
from umpro.auth import audit, services
from umpro.db import utcnow, writer_transactions
from umpro.extensions import csrf, db, login_manager
from umpro.web import api_error, client_ip, is_api_request

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    app.before_request(_forget_previous_user)
    app.before_request(_check_csrf)
    app.before_request(_require_sign_in)


def _retried_as_writer(lookup):
    """Run ``lookup`` (which may refresh a last-seen time, at most once a minute). On
    SQLite a read-only request's deferred transaction cannot start writing once another
    request has committed (SQLITE_BUSY_SNAPSHOT): then redo it in a short writer
    transaction of its own, and go back to reading."""
    try:
        return lookup()
    except OperationalError:
        db.session.rollback()
        with writer_transactions():
            staff = lookup()
            db.session.commit()
        return staff


@login_manager.user_loader
def _load_user(token: str):
    def lookup():
        staff = services.load_signed_in(
            db.session,
            token=token,
            now=utcnow(),
            idle_timeout=current_app.config["UMPRO_IDLE_TIMEOUT"],
        )
        if db.session.dirty:
            db.session.commit()
        return staff

    return _retried_as_writer(lookup)


@login_manager.request_loader
def _load_user_from_api_key(req):
    # Keys are checked before CSRF (``_check_csrf``); a request without a valid key is
    # anonymous here.
    return g.get("api_key_staff")


def _forget_previous_user():
    # Flask-Login, Flask-WTF and Flask-Babel cache the user, the CSRF token and the
    # locale on the app context. A request normally gets a fresh one, but not when an
    # app context is already pushed (tests, CLI): all are worked out anew per request.
    g.pop("_login_user", None)
    g.pop("api_key_staff", None)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    refresh_babel()


def _authenticate_api_key():
    """The staff member a valid ``Authorization: Bearer`` key of an API request acts as."""
    header = request.headers.get("Authorization", "")
    if not is_api_request() or not header.startswith("Bearer "):
        return None

    def lookup():
        api_key = services.find_api_key(db.session, key=header[7:].strip(), now=utcnow())
        found = (api_key.id, api_key.staff) if api_key is not None else None
        if db.session.dirty:
            db.session.commit()  # the key's last use, kept even when the request fails
        return found

    found = _retried_as_writer(lookup)
    if found is None:
        return None
    key_id, staff = found
    # Issue 14: the key's use is in the access log, naming the key (by id, never its
    # secret) and its account; written at the commit point with the request's other rows
    # (recorded here, not in ``lookup``, which may run twice).
    audit.record_access(
        db.session,
        acting=Acting(staff, utcnow(), client_ip()),
        action="api_key.use",
        target=f"api_key:{key_id}",
    )
    return staff


def _check_csrf():
    # Only a request actually authenticated by a valid key skips CSRF (issue 14, fix 7):
    # a bogus Bearer header next to a session cookie is a forged form post like any other.
    # Such a request acts as the key's account, never as the session's.
    staff = _authenticate_api_key()
    if staff is not None:
        g.api_key_staff = staff
        g._login_user = staff
        return
    if request.method in UNSAFE_METHODS:
        csrf.protect()


def _require_sign_in():
    view = current_app.view_functions.get(request.endpoint)
    if view is None or request.endpoint == "static" or getattr(view, "is_public", False):
        return None
    if current_user.is_authenticated:
        return None
    if is_api_request():
        return api_error(401, "unauthenticated", "Authentification requise.")
    if session.pop("_user_id", None):
        flash("Votre session a expiré ou a été fermée : reconnectez-vous.", "info")
    return redirect(url_for("auth.login", next=request.path))
