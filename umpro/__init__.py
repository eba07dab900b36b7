"""UMPro: the application factory."""

import importlib
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app, request
from flask_login import current_user

from config import CONFIGS, INSTANCE_DIR
from umpro import extensions as ext
from umpro import web

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str = "production", **overrides) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.url_map.converters["int"] = web.IdConverter  # before any route: ids past 2**31-1 are 404
    app.config.from_object(CONFIGS[config_name]())
    app.config.update(overrides)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///") :]).parent.mkdir(
            parents=True, exist_ok=True
        )
    _configure_logging()

    from umpro import models  # noqa: F401 - every model registered on the metadata

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"), compare_type=True)
    ext.csrf.init_app(app)
    ext.login_manager.init_app(app)
    ext.babel.init_app(app, locale_selector=_locale, timezone_selector=_timezone)

    from umpro import auth_wiring, errors_wiring, templating

    auth_wiring.init_app(app)
    errors_wiring.init_app(app)
    templating.init_app(app)
    _register_blueprints(app)

    from umpro.cli import cli

    app.cli.add_command(cli)
    app.after_request(_security_headers)
    # Registered last, so it runs first: the headers above apply to its error responses too.
    app.after_request(errors_wiring.commit_or_roll_back)
    return app


#: What each domain package (docs/architecture.md) brings to the app, in this order:
#: ``views`` (a blueprint named ``bp``), ``api`` (endpoints on the API blueprint),
#: ``models``, ``cli`` (commands under ``flask umpro``) and ``demo`` (its part of the demo).
#: A new domain adds itself here; nothing is discovered.
DOMAINS = {
    "views": (
        "team",
        "patients",
        "scheduling",
        "delegation",
        "calendars",
        "reports",
        "reminders",
        "jobs",
    ),
    "api": ("team", "patients", "scheduling", "delegation", "calendars", "reports"),
    "models": ("patients", "scheduling", "delegation", "calendars", "reports", "reminders", "jobs"),
    "cli": ("delegation", "calendars", "reports", "jobs"),
    "demo": ("patients", "scheduling", "delegation", "reports"),
}


def domain_modules(kind: str):
    """Yield ``umpro.<domain>.<kind>`` for each domain listed for ``kind`` in DOMAINS."""
    for domain in DOMAINS[kind]:
        yield importlib.import_module(f"umpro.{domain}.{kind}")


def _register_blueprints(app: Flask) -> None:
    from umpro import api, main
    from umpro.auth import views as auth_views

    app.register_blueprint(main.bp)
    app.register_blueprint(auth_views.bp)
    list(domain_modules("api"))  # endpoints added to api.bp before it is registered
    for views in domain_modules("views"):
        app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)


def _locale() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.locale
    return request.accept_languages.best_match(["fr", "en"]) or "fr"


def _timezone() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.practice.timezone
    return current_app.config["UMPRO_TIMEZONE"]


class RedactQueryStrings(logging.Filter):
    """Access-log lines keep the path, never the query string: a search for a patient
    (``?q=martin``) must not leave the name in the server's logs."""

    _query = re.compile(r"\?[^ \"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                self._query.sub("?…", a) if isinstance(a, str) else a for a in record.args
            )
        record.msg = self._query.sub("?…", str(record.msg))
        return True


class UTCFormatter(logging.Formatter):
    """Log times in one zone, with the offset: ``2026-11-30T09:00:00.123+00:00``."""

    def formatTime(self, record, datefmt=None):
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(UTCFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    # APScheduler says INFO for every run of every job (each second for the reminders in
    # `make run`): only its warnings and errors are worth a line.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueryStrings) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactQueryStrings())


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response
