"""Configuration classes. Every setting can be overridden by an ``UMPRO_*`` variable."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("UMPRO_INSTANCE_PATH", BASE_DIR / "instance"))


def _instance_secret(variable: str, filename: str) -> str:
    """The secret in the environment ``variable``, else one generated once into
    instance/``filename`` (never committed)."""
    if key := os.environ.get(variable):
        return key
    path = INSTANCE_DIR / filename
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker created it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _secret_key() -> str:
    return _instance_secret("UMPRO_SECRET_KEY", "secret_key")


def _audit_key() -> str:
    """The access log's HMAC key (issue 14). Kept outside the database, so a database
    writer cannot re-sign."""
    return _instance_secret("UMPRO_AUDIT_KEY", "audit_key")


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "UMPRO_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'umpro.sqlite3'}"
    )
    UMPRO_TIMEZONE = os.environ.get("UMPRO_TIMEZONE", "Europe/Paris")
    UMPRO_BASE_URL = os.environ.get("UMPRO_BASE_URL", "")
    # Pages answered again while their practice's data has not changed (umpro/page_cache.py):
    # each process keeps at most this many bytes of them; 0 turns it off.
    UMPRO_PAGE_CACHE_BYTES = _env_int("UMPRO_PAGE_CACHE_BYTES", 32 * 1024 * 1024)

    # Sign-in.
    UMPRO_IDLE_TIMEOUT = timedelta(minutes=_env_int("UMPRO_IDLE_TIMEOUT_MINUTES", 30))
    UMPRO_LOGIN_MAX_FAILURES = _env_int("UMPRO_LOGIN_MAX_FAILURES", 5)
    UMPRO_LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("UMPRO_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    UMPRO_LOGIN_WINDOW = timedelta(minutes=_env_int("UMPRO_LOGIN_WINDOW_MINUTES", 15))

    SESSION_COOKIE_NAME = "umpro_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("UMPRO_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # Request bodies (issue 14): past a limit the answer is 413 with a French page or JSON
    # error (umpro/errors_wiring.py), chunked bodies included; nothing is half-read. No page
    # uploads files: the largest body is a JSON booking list or a long letter, far below.
    #: Any body (form, JSON), in bytes.
    MAX_CONTENT_LENGTH = _env_int("UMPRO_MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    #: A form: the whole url-encoded body, or one field of a multipart body, in bytes.
    MAX_FORM_MEMORY_SIZE = _env_int("UMPRO_MAX_FORM_MEMORY_SIZE", 500_000)
    #: A form: how many fields (url-encoded or multipart).
    MAX_FORM_PARTS = _env_int("UMPRO_MAX_FORM_PARTS", 1000)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which times out
    WTF_CSRF_CHECK_DEFAULT = False  # checked in one before_request hook (API keys are exempt)

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    UMPRO_LANGUAGES = ("fr", "en")

    UMPRO_DEMO_PASSWORD = os.environ.get("UMPRO_DEMO_PASSWORD", "umpro-demo-2026")

    # iCal feeds: the window of events, how long cancelled ones stay, the throttle per token.
    # Agenda: the shortest notice for a booking found by slot search.
    UMPRO_MIN_NOTICE_MINUTES = _env_int("UMPRO_MIN_NOTICE_MINUTES", 30)

    UMPRO_FEED_PAST_DAYS = _env_int("UMPRO_FEED_PAST_DAYS", 30)
    UMPRO_FEED_FUTURE_DAYS = _env_int("UMPRO_FEED_FUTURE_DAYS", 365)
    UMPRO_FEED_CANCELLED_DAYS = _env_int("UMPRO_FEED_CANCELLED_DAYS", 30)
    UMPRO_FEED_RATE_LIMIT = _env_int("UMPRO_FEED_RATE_LIMIT", 30)
    UMPRO_FEED_RATE_WINDOW_SECONDS = _env_int("UMPRO_FEED_RATE_WINDOW_SECONDS", 600)

    # Outgoing e-mail (reminders); checked, with French errors, by umpro/notify/email.py.
    UMPRO_SMTP_HOST = os.environ.get("UMPRO_SMTP_HOST", "")
    UMPRO_SMTP_PORT = os.environ.get("UMPRO_SMTP_PORT", "")
    UMPRO_SMTP_USER = os.environ.get("UMPRO_SMTP_USER", "")
    UMPRO_SMTP_PASSWORD = os.environ.get("UMPRO_SMTP_PASSWORD", "")
    UMPRO_SMTP_TLS = os.environ.get("UMPRO_SMTP_TLS", "starttls")
    UMPRO_SMTP_FROM = os.environ.get("UMPRO_SMTP_FROM", "")
    UMPRO_SMTP_TIMEOUT = os.environ.get("UMPRO_SMTP_TIMEOUT", "20")
    UMPRO_SMS_BACKEND = os.environ.get("UMPRO_SMS_BACKEND", "")
    #: No SMTP host: write e-mails to the log (development) instead of not sending them.
    UMPRO_NOTIFY_LOG_FALLBACK = False
    # Scheduled jobs (umpro/jobs) and reminders.
    UMPRO_REMINDER_LEAD_HOURS = _env_int("UMPRO_REMINDER_LEAD_HOURS", 24)
    UMPRO_REMINDER_MIN_NOTICE_MINUTES = _env_int("UMPRO_REMINDER_MIN_NOTICE_MINUTES", 60)
    UMPRO_REMINDER_INTERVAL_SECONDS = _env_int("UMPRO_REMINDER_INTERVAL_SECONDS", 300)
    UMPRO_REMINDER_LEASE_SECONDS = _env_int("UMPRO_REMINDER_LEASE_SECONDS", 300)
    UMPRO_REMINDER_REPORT_AFTER = _env_int("UMPRO_REMINDER_REPORT_AFTER", 3)
    UMPRO_SCHEDULER_HEARTBEAT_SECONDS = _env_int("UMPRO_SCHEDULER_HEARTBEAT_SECONDS", 15)
    UMPRO_JOB_MISFIRE_GRACE_SECONDS = _env_int("UMPRO_JOB_MISFIRE_GRACE_SECONDS", 600)

    #: Signed checkpoints of the access log (count and head), outside the database.
    UMPRO_AUDIT_CHECKPOINTS = os.environ.get(
        "UMPRO_AUDIT_CHECKPOINTS", str(INSTANCE_DIR / "audit_checkpoints.jsonl")
    )

    @property
    def SECRET_KEY(self) -> str:
        return _secret_key()

    @property
    def UMPRO_AUDIT_KEY(self) -> str:
        return _audit_key()


class DevelopmentConfig(Config):
    DEBUG = True
    UMPRO_NOTIFY_LOG_FALLBACK = True
    UMPRO_SMS_BACKEND = os.environ.get("UMPRO_SMS_BACKEND", "console")
    SESSION_COOKIE_SECURE = os.environ.get("UMPRO_COOKIE_SECURE", "0") == "1"


class ProductionConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    SESSION_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"

    #: Tests that check checkpoints give their own file.
    UMPRO_AUDIT_CHECKPOINTS = ""
    #: Tests count a page's own statements; tests/test_page_cache.py turns the store on.
    UMPRO_PAGE_CACHE_BYTES = 0

    @property
    def SECRET_KEY(self) -> str:
        return "test-secret-key-not-for-production"

    @property
    def UMPRO_AUDIT_KEY(self) -> str:
        return "test-audit-key-not-for-production"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}
