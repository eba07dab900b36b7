"""Migrations are the only way a schema is made: upgrading an empty database must give
exactly the models' schema (no drift), and downgrading must undo it."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from tests.conftest import ON_PG, PG_URL
from umpro import create_app
from umpro.db import Base


def new_database(tmp_path, name: str):
    """An empty database of its own: a SQLite file, or a PostgreSQL database dropped after."""
    if not ON_PG:
        yield f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        return
    name = f"umpro_{name}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_database_url(tmp_path):
    yield from new_database(tmp_path, "migr")


@pytest.fixture
def upgraded_engine(empty_database_url):
    """The engine of an app on the empty database upgraded to the last migration; the app's
    context stays open during the test."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        engine = app.extensions["sqlalchemy"].engine
        yield engine
        engine.dispose()


def test_upgrade_gives_the_models_schema(upgraded_engine):
    with upgraded_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    downgrade(revision="base")
    with upgraded_engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}


def test_access_log_is_append_only_after_migration(upgraded_engine):
    with upgraded_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO access_log"
                " (at, role, action, target, ip, outcome, prev_hash, hash)"
                " VALUES (CURRENT_TIMESTAMP, '', 'test', '', '', 'ok', 'x', 'y')"
            )
        )
    for statement in ("UPDATE access_log SET action = 'x'", "DELETE FROM access_log"):
        with pytest.raises(Exception, match="append-only"), upgraded_engine.begin() as conn:
            conn.execute(text(statement))


def test_the_suite_runs_on_the_database_it_announces(session):
    """The PostgreSQL pass really runs on PostgreSQL (and the SQLite pass on SQLite)."""
    assert session.get_bind().dialect.name == ("postgresql" if ON_PG else "sqlite")
    assert PG_URL.startswith("postgresql") == ON_PG
