"""Test fixtures: a real database per test (SQLite by default, PostgreSQL when
UMPRO_TEST_DATABASE_URL is set), the app, clients signed in as any profession.

A test that needs PostgreSQL (marked ``postgresql``) skips with a visible reason in a
SQLite run — it runs in the PostgreSQL pass. When UMPRO_TEST_DATABASE_URL is set but
the server does not answer, the suite skips on a newcomer's machine and fails in CI.
"""

import html
import os
import re
import shutil
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from tests import factories

#: Fixtures shared by several test modules of one domain.
pytest_plugins = ["tests.scheduling_support"]

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("UMPRO_TEST_DATABASE_URL", "")
if PG_URL.startswith("postgresql://"):
    PG_URL = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
ON_PG = PG_URL.startswith("postgresql")
#: Under pytest-xdist each worker gets a database of its own, ``<name>_<worker>``, created
#: here and dropped at the end (the tests of one worker truncate every table).
PG_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if ON_PG else ""
PG_SHARED_URL = PG_URL
if PG_WORKER:
    PG_URL = f"{PG_URL}_{PG_WORKER}"


def require(available: bool, message: str) -> None:
    """Skip with a visible reason on a newcomer's machine, fail in CI, when a tool or
    package a test needs is missing."""
    if available:
        return
    if CI:
        pytest.fail(message)
    pytest.skip(message)


def require_module(name: str):
    """Import ``name`` for a test, or ``require`` it (skip here, fail in CI)."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        require(False, f"module Python absent : {name} (pip install -e '.[dev]')")


def pytest_report_header(config):
    return f"UMPro database: {'PostgreSQL ' + PG_URL if ON_PG else 'SQLite'} (CI={CI})"


def pytest_collection_modifyitems(config, items):
    if ON_PG:
        skip_sqlite = pytest.mark.skip(reason="SQLite uniquement : lancé dans la passe SQLite")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip_sqlite)
        return
    skip_pg = pytest.mark.skip(
        reason="PostgreSQL uniquement : lancé quand UMPRO_TEST_DATABASE_URL pointe vers PostgreSQL"
    )
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip_pg)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: SQLite-specific behaviour")


def _metadata():
    from umpro import models  # noqa: F401
    from umpro.db import Base

    return Base.metadata


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Cheap argon2 parameters: tests check behaviour, not the cost of hashing."""
    from argon2 import PasswordHasher

    from umpro.auth import passwords

    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


def page_text(response) -> str:
    """The response's HTML with entities decoded (``l&#39;équipe`` → ``l'équipe``)."""
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Build the schema once: a SQLite file copied per test, or the PostgreSQL database."""
    metadata = _metadata()
    if ON_PG:
        engine = create_engine(PG_URL)
        try:
            with engine.connect():
                pass
        except Exception as error:  # any connection failure
            message = f"PostgreSQL injoignable ({PG_URL}) : {error}"
            if CI:
                pytest.fail(message)
            pytest.skip(message)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        metadata.create_all(engine)
        engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


def _worker_database_admin():
    return create_engine(PG_SHARED_URL, isolation_level="AUTOCOMMIT")


def _create_worker_database() -> None:
    name = PG_URL.rsplit("/", 1)[1]
    admin = _worker_database_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # the shared database does not answer: reported below
        if CI:
            pytest.fail(f"PostgreSQL injoignable ({PG_SHARED_URL}) : {error}")
    finally:
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _worker_database():
    if PG_WORKER:
        _create_worker_database()
    yield
    if PG_WORKER:
        admin = _worker_database_admin()
        with admin.connect() as conn:
            name = PG_URL.rsplit("/", 1)[1]
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _chromium_for_browser_tests(request):
    """A test marked ``browser`` needs Chromium: skipped without it, failed in CI."""
    if request.node.get_closest_marker("browser"):
        from tests.browser import require_chromium

        require_chromium()


@pytest.fixture
def database_url(database_template, tmp_path):
    if ON_PG:
        yield PG_URL
        _truncate_all(PG_URL)
        return
    path = tmp_path / "umpro.sqlite3"
    shutil.copy(database_template, path)
    yield f"sqlite:///{path}"


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in _metadata().sorted_tables)
    with engine.begin() as conn:
        # replica mode: the access log's append-only trigger does not fire for the cleanup.
        conn.execute(text("SET session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(database_url):
    from umpro import create_app

    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True} if ON_PG else {},
    )
    with app.app_context():
        yield app
        from umpro.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def db(app):
    from umpro.extensions import db

    return db


@pytest.fixture
def session(db):
    return db.session


@pytest.fixture
def practice(session):
    return factories.make_practice(session)


@pytest.fixture
def client(app):
    return app.test_client()


class Browser:
    """A test client that signs in through /login and sends the CSRF token like a page."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def csrf(self) -> str:
        if self._token is None:
            page = self.client.get("/login", follow_redirects=True)  # or home when signed in
            match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
            assert match, "every page carries the CSRF meta tag"
            self._token = match.group(1)
        return self._token

    def login(self, email: str, password: str = factories.PASSWORD):
        response = self.post("/login", data={"email": email, "password": password})
        self._token = None
        return response

    def logout(self):
        response = self.post("/logout")
        self._token = None
        return response

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf())
        return self.client.post(url, data=data, **kwargs)

    def api(self, method: str, url: str, json=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if method.upper() != "GET":
            headers.setdefault("X-CSRFToken", self.csrf())
        return self.client.open(url, method=method.upper(), json=json, headers=headers, **kwargs)


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def sign_in(app, session, practice):
    """``sign_in(profession, **overrides)`` → (Browser signed in, Staff)."""

    def _sign_in(profession: str = "gp", **overrides):
        staff = factories.make_staff(session, practice, profession=profession, **overrides)
        session.commit()
        b = Browser(app.test_client())
        response = b.login(staff.email)
        assert response.status_code == 302, response.text
        return b, staff

    return _sign_in


@pytest.fixture
def api_key_for(session):
    """``api_key_for(staff)`` → headers carrying a fresh API key of that account."""
    from umpro.auth.services import create_api_key

    def _headers(staff):
        key = create_api_key(session, staff=staff, label="test")
        session.commit()
        return {"Authorization": f"Bearer {key}"}

    return _headers


@pytest.fixture
def count_queries(db):
    """``with count_queries() as q: …`` then ``q.count``: SQL statements run inside."""

    class Counter:
        count = 0
        statements: list

    @contextmanager
    def _count():
        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if (
                not statement.lstrip()
                .upper()
                .startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE"))
            ):
                counter.count += 1
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return _count


#: A Monday morning in Paris in term time (not a public holiday, no DST change near).
FROZEN_AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 Europe/Paris


@pytest.fixture
def frozen_now():
    """Freeze the application's clock (``umpro.db.utcnow``) at ``FROZEN_AT``; returns it.

    Pages and services then see the same instant whatever the real date and hour."""
    from umpro import db as umpro_db

    umpro_db.frozen_at = FROZEN_AT
    yield FROZEN_AT
    umpro_db.frozen_at = None


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
