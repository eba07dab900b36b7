"""What autogenerate does not see — triggers, exclusion and check constraints written as
raw SQL in the models and run by the migrations — is the same after ``flask db
upgrade`` as after ``create_all()`` (issue 10, item 6): the bounded overlap triggers, the
duration cap and the practice data-version triggers included.

Both sides are new databases of their own: the suite's shared PostgreSQL database is
restored from a dump by tests/test_backup.py, and a restore writes every CHECK back in
PostgreSQL's deparsed form (``ANY (ARRAY[('a'::varchar)::text])``), equal in meaning but
not in text."""

import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from tests.conftest import ON_PG, _metadata
from tests.test_migrations import empty_database_url, new_database  # noqa: F401 - a fixture
from umpro import create_app


def _normalised(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql).strip()
    return re.sub(r"\s*([(),])\s*", r"\1", sql)


def _raw_schema(url: str) -> dict[str, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        if ON_PG:
            constraints = conn.execute(
                text(
                    "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
                    " JOIN pg_namespace n ON n.oid = c.connamespace"
                    " WHERE n.nspname = 'public' AND c.contype IN ('x', 'c')"
                )
            ).all()
            triggers = conn.execute(
                text(
                    "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
                    " WHERE NOT t.tgisinternal"
                )
            ).all()
            found = {f"constraint {n}": d for n, d in constraints}
            found |= {f"trigger {n}": d for n, d in triggers}
        else:
            found = {
                f"trigger {n}": sql
                for n, sql in conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
                )
            }
    engine.dispose()
    return {name: _normalised(sql) for name, sql in found.items()}


@pytest.fixture
def created_database_url(tmp_path):
    for url in new_database(tmp_path, "created"):
        engine = create_engine(url)
        if ON_PG:
            with engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        _metadata().create_all(engine)
        engine.dispose()
        yield url


def test_upgrade_gives_the_models_triggers_and_constraints(
    empty_database_url,  # noqa: F811 - the fixture imported above
    created_database_url,
):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        app.extensions["sqlalchemy"].engine.dispose()
    migrated = _raw_schema(empty_database_url)
    created = _raw_schema(created_database_url)
    if ON_PG:
        assert {
            "constraint ex_appointment_staff_overlap",
            "constraint ck_appointment_max_duration",
        } <= created.keys()
    else:
        assert {
            "trigger appointment_no_overlap_insert",
            "trigger appointment_max_duration_insert",
        } <= created.keys()
    assert migrated.keys() == created.keys()
    differ = {name for name in created if migrated[name] != created[name]}
    assert differ == set(), {name: (migrated[name], created[name]) for name in differ}
