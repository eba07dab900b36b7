"""The agenda's overlap queries are index ranges bounded on both sides of ``start_at``:
their plans name the ``(x, start_at)`` index with a lower and an upper bound, and never
scan the appointment table (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL)."""

import re
from datetime import timedelta

import pytest

from tests import factories, plan_support
from tests.conftest import ON_PG
from umpro import generate
from umpro.scheduling.services import placement, reading, templates
from umpro.team.models import Staff


@pytest.fixture
def scene(frozen_now, session):
    generate.generate(
        session, patients=40, years=0.1, seed=2, password=factories.PASSWORD, now=frozen_now
    )
    session.commit()
    gp = session.query(Staff).filter_by(email=generate.account_email("claire.martin")).one()
    return gp, frozen_now


def _captured(session, call) -> list[tuple[str, object]]:
    """The statements ``call`` runs on appointment, with their parameters."""
    return plan_support.captured(
        session, call, lambda statement: "FROM appointment" in statement, "appointment"
    )


def _assert_bounded(plan: str, index: str) -> None:
    if ON_PG:
        assert "Seq Scan on appointment" not in plan, plan
        if index not in plan:
            # PostgreSQL may answer from the exclusion constraint's GiST index instead: a
            # range search on (x, tstzrange) is bounded on both sides by construction.
            assert "ex_appointment_" in plan, plan
            return
        condition = re.search(rf"{index}.*?Index Cond: \((.*?)\)\n", plan + "\n", re.S)
        assert condition, plan
        assert "start_at <" in condition.group(1) and "start_at >" in condition.group(1), plan
    else:
        assert index in plan, plan
        assert re.search(r"SCAN appointment\b(?! USING)", plan) is None, plan
        assert "start_at>? AND start_at<?" in plan, plan


def test_day_view_query_is_a_bounded_range(scene, session):
    gp, now = scene
    statements = _captured(
        session,
        lambda: reading.list_appointments(
            session,
            practice_id=gp.practice_id,
            start_at=now - timedelta(hours=4),
            end_at=now + timedelta(hours=10),
        ),
    )
    _assert_bounded(plan_support.plan(session, *statements[0]), "ix_appointment_practice_start")


def test_overlap_check_is_three_bounded_ranges(scene, session):
    gp, now = scene
    start = now + timedelta(days=60)  # beyond the generated bookings: no clash
    statements = _captured(
        session,
        lambda: placement.check_free(
            session,
            staff=gp,
            room_id=1,
            patient_id=1,
            start_at=start,
            end_at=start + timedelta(minutes=15),
        ),
    )
    plan = plan_support.plan(session, *statements[0])
    for index in (
        "ix_appointment_staff_start",
        "ix_appointment_patient_start",
        "ix_appointment_room_start",
    ):
        _assert_bounded(plan, index)


def test_absence_warning_count_is_a_bounded_range(scene, session):
    gp, now = scene
    statements = _captured(
        session,
        lambda: templates.appointments_during(
            session, staff_id=gp.id, start_at=now, end_at=now + timedelta(days=7)
        ),
    )
    _assert_bounded(plan_support.plan(session, *statements[0]), "ix_appointment_staff_start")


@pytest.mark.sqlite_only
def test_the_overlap_trigger_reads_bounded_ranges(session):
    from sqlalchemy import text

    body = session.scalar(
        text("SELECT sql FROM sqlite_master WHERE name = 'appointment_no_overlap_insert'")
    )
    assert body.count("a.start_at > datetime(NEW.start_at, '-12 hours')") == 3
