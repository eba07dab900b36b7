"""A patient's accesses are read by time from their own index rows: the patient page's
panel and the journal filtered on a patient are ranges of ``(patient_id, at)`` bounded
on both sides, never every access to the patient (a followed patient is on the team's
agenda pages all day, so their rows grow with history). EXPLAIN QUERY PLAN on SQLite,
EXPLAIN on PostgreSQL."""

from datetime import timedelta

import pytest

from tests import factories, plan_support
from tests.conftest import ON_PG
from umpro.acting import Acting
from umpro.auth import access_review, audit
from umpro.auth.access_review import Filters

INDEX = "ix_access_log_patient_patient_at"


@pytest.fixture
def scene(frozen_now, session, practice):
    gp = factories.make_staff(session, practice, profession="gp")
    patient = factories.make_patient(session, practice)
    factories.make_declaration(session, patient, gp)
    # Two years of a followed patient's accesses, and another patient's.
    audit.append(
        session,
        [
            {
                "practice_id": practice.id,
                "at": frozen_now - timedelta(hours=6 * i),
                "staff_id": gp.id,
                "role": gp.profession,
                "patient_ids": [patient.id] if i % 3 else [patient.id + 1],
                "action": "agenda.read",
            }
            for i in range(2 * 365 * 4, 0, -1)
        ],
    )
    session.commit()
    return gp, patient, frozen_now


def _statements(session, call) -> list[tuple[str, object]]:
    """The statements ``call`` runs that read ``access_log_patient``."""
    return plan_support.captured(
        session,
        call,
        lambda statement: "access_log_patient" in statement and not statement.startswith("INSERT"),
        "access_log_patient",
    )


def _assert_time_range(plan: str) -> None:
    assert INDEX in plan, plan
    if ON_PG:
        assert "Seq Scan" not in plan, plan
        condition = plan.split(INDEX, 1)[1].split("Index Cond: (", 1)[1].split("\n", 1)[0]
        assert "patient_id =" in condition, plan
        assert "at >=" in condition and "at <" in condition, plan
    else:
        assert "patient_id=? AND at>? AND at<?" in plan, plan


def test_the_panel_reads_the_newest_rows_of_the_patients_index(scene, session):
    gp, patient, now = scene
    statements = _statements(
        session,
        lambda: access_review.patient_history(
            session, acting=Acting(gp, now), patient=patient, tz=gp.practice.timezone
        ),
    )
    assert len(statements) == 1
    plan = plan_support.plan(session, *statements[0])
    _assert_time_range(plan)
    # Already in order: the first PANEL_SIZE rows are the answer, nothing is sorted.
    if ON_PG:
        assert "Sort" not in plan and "Backward" in plan, plan
    else:
        assert "TEMP B-TREE" not in plan, plan


def test_the_panel_shows_the_last_accesses_of_the_year(scene, session):
    gp, patient, now = scene
    history = access_review.patient_history(
        session, acting=Acting(gp, now), patient=patient, tz=gp.practice.timezone
    )
    assert len(history.entries) == access_review.PANEL_SIZE
    # Every third row was the other patient's: the newest of this patient's is 6 h ago.
    assert history.entries[0].at == now - timedelta(hours=6)
    assert [e.at for e in history.entries] == sorted((e.at for e in history.entries), reverse=True)


def test_the_journal_on_a_patient_reads_the_period_only(scene, session):
    gp, patient, now = scene
    today = now.date()
    filters = Filters(start_on=today - timedelta(days=6), end_on=today, patient_id=patient.id)
    statements = _statements(
        session,
        lambda: access_review.read_journal(
            session, acting=Acting(gp, now), filters=filters, tz=gp.practice.timezone
        ),
    )
    _assert_time_range(plan_support.plan(session, *statements[0]))
