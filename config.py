"""Configuration classes. Every setting can be overridden by an ``UMPRO_*`` variable."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("UMPRO_INSTANCE_PATH", BASE_DIR / "instance"))


def _secret_key() -> str:
    """The key from UMPRO_SECRET_KEY, else one generated once into instance/ (never committed)."""
    if key := os.environ.get("UMPRO_SECRET_KEY"):
        return key
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "UMPRO_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'umpro.sqlite3'}"
    )
    UMPRO_TIMEZONE = os.environ.get("UMPRO_TIMEZONE", "Europe/Paris")
    UMPRO_BASE_URL = os.environ.get("UMPRO_BASE_URL", "")

    # Sign-in.
    UMPRO_IDLE_TIMEOUT = timedelta(minutes=_env_int("UMPRO_IDLE_TIMEOUT_MINUTES", 30))
    UMPRO_LOGIN_MAX_FAILURES = _env_int("UMPRO_LOGIN_MAX_FAILURES", 5)
    UMPRO_LOGIN_WINDOW = timedelta(minutes=_env_int("UMPRO_LOGIN_WINDOW_MINUTES", 15))

    SESSION_COOKIE_NAME = "umpro_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("UMPRO_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    MAX_CONTENT_LENGTH = _env_int("UMPRO_MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which times out
    WTF_CSRF_CHECK_DEFAULT = False  # checked in one before_request hook (API keys are exempt)

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    UMPRO_LANGUAGES = ("fr", "en")

    UMPRO_DEMO_PASSWORD = os.environ.get("UMPRO_DEMO_PASSWORD", "umpro-demo-2026")

    @property
    def SECRET_KEY(self) -> str:
        return _secret_key()


class DevelopmentConfig(Config):
    DEBUG = True
    SESSION_COOKIE_SECURE = os.environ.get("UMPRO_COOKIE_SECURE", "0") == "1"


class ProductionConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    SESSION_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"

    @property
    def SECRET_KEY(self) -> str:
        return "test-secret-key-not-for-production"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}
