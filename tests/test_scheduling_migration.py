"""The migrations create what the models create, including what autogenerate cannot see:
the overlap rules (PostgreSQL exclusion constraints, SQLite triggers)."""

from datetime import UTC, date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, insert, inspect, text
from sqlalchemy import types as sa_types

from tests.test_migrations import empty_database_url  # noqa: F401 - fixture
from umpro import create_app

INSERT = text(
    "INSERT INTO appointment (practice_id, uid, staff_id, patient_id, type_id, room_id,"
    " start_at, end_at, status, source, is_unscheduled, cancel_reason, sequence, version,"
    " created_at, updated_at) VALUES (1, :uid, 1, :patient, 1, NULL, :start, :end, 'booked',"
    " 'desk', false, '', 0, 1, :start, :start)"
)


def _insert(conn, table: str, **values) -> None:
    """Insert a row into the migrated table, filling required columns with plain values
    (so that the test follows other domains' columns without knowing them)."""
    reflected = Table(table, MetaData(), autoload_with=conn)
    now = datetime(2027, 1, 4, tzinfo=UTC)
    plain = {
        sa_types.Boolean: False,
        sa_types.Date: date(1970, 1, 1),
        sa_types.DateTime: now,
        sa_types.Integer: 0,
        sa_types.JSON: [],
        sa_types.String: "",
    }
    for column in reflected.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        for kind, value in plain.items():
            if isinstance(column.type, kind):
                values[column.name] = value
                break
    conn.execute(insert(reflected).values(**values))


def _seed(conn) -> None:
    _insert(conn, "practice", id=1, slug="p", timezone="Europe/Paris")
    _insert(conn, "staff", id=1, practice_id=1, email="a@b.fr", profession="gp")
    for patient in (1, 2):
        _insert(conn, "patient", id=patient, practice_id=1, sex="F")
    _insert(conn, "appointment_type", id=1, practice_id=1, label="C", duration_minutes=15)


def test_overlaps_are_refused_by_the_migrated_database(empty_database_url):  # noqa: F811
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        engine = app.extensions["sqlalchemy"].engine
        sqlite = engine.dialect.name == "sqlite"

        def at(hour, minute=0):
            value = datetime(2027, 1, 11, hour, minute, tzinfo=UTC)
            return value.replace(tzinfo=None) if sqlite else value

        with engine.begin() as conn:
            _seed(conn)
            conn.execute(INSERT, {"uid": "a", "patient": 1, "start": at(9), "end": at(9, 15)})
        with pytest.raises(Exception, match="overlap"), engine.begin() as conn:
            conn.execute(INSERT, {"uid": "b", "patient": 2, "start": at(9, 10), "end": at(9, 25)})
        with engine.begin() as conn:
            conn.execute(INSERT, {"uid": "c", "patient": 2, "start": at(9, 15), "end": at(9, 30)})
        downgrade(revision="base")
        with engine.connect() as conn:
            assert "appointment" not in inspect(conn).get_table_names()
        engine.dispose()
