"""Issue 11: the GP home dashboard, the GP inbox and the nurse queue read no history they
do not show. Every SELECT these pages run is planned (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN on PostgreSQL) without a full scan of ``appointment``, ``care_task`` or
``file_entry``; appointments are read by a range bounded on both sides; a requester's
tasks by an index that starts with the state shown. The home page's sparkline comes from
the daily snapshots: two statements whatever the length of the history."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, event

from tests import factories, plan_support
from tests.conftest import ON_PG, Browser
from umpro import generate
from umpro.reports.models import PatientListSnapshot
from umpro.reports.services import figures as fig
from umpro.reports.services import snapshots
from umpro.team.models import Staff

PAGES = {
    "home_dashboard": ("claire.martin", "/"),
    "gp_inbox": ("claire.martin", "/delegation/boite"),
    "nurse_queue": ("nathalie.roux", "/delegation/taches"),
}
HISTORY_TABLES = ("appointment", "care_task", "file_entry")


@pytest.fixture
def practice(frozen_now, session):
    generate.generate(
        session, patients=40, years=0.3, seed=3, password=factories.PASSWORD, now=frozen_now
    )
    session.commit()
    if ON_PG:  # statistics, as on a practice in use: the planner chooses by cost
        session.connection().exec_driver_sql("ANALYZE")
    return frozen_now


def _selects_of(app, session, key: str, path: str) -> list[tuple[str, object]]:
    browser = Browser(app.test_client())
    assert browser.login(generate.account_email(key)).status_code == 302
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", before)
    try:
        assert browser.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert seen
    return seen


def _history_reads(plan: str) -> list[str]:
    """What in ``plan`` reads history that the page does not show."""
    tables = "|".join(HISTORY_TABLES)
    if ON_PG:
        found = re.findall(rf"Seq Scan on (?:{tables})\b", plan)
    else:
        # SCAN (not SEARCH) reads the whole table or the whole index.
        found = re.findall(rf"\bSCAN (?:{tables})(?:_\d+)?\b", plan)
        for search in re.findall(r"SEARCH appointment(?:_\d+)? USING [^\n;]*", plan):
            if "start_at>? AND start_at<?" not in search:
                found.append(search)  # an appointment range open on one side
        # Every task the GP ever handed off, not only those in the inbox or still open.
        found += re.findall(r"ix_care_task_inbox \(requester_id=\?\)", plan)
    return found


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_plans_read_no_history(practice, app, session, page):
    key, path = PAGES[page]
    statements = _selects_of(app, session, key, path)
    reads = {}
    for statement, parameters in statements:
        plan = plan_support.plan(session, statement, parameters)
        if _history_reads(plan):
            reads[" ".join(statement.split())[:160]] = plan.replace("\n", " | ")
    assert reads == {}, "\n".join(f"{s}\n  → {p}" for s, p in reads.items())


@pytest.mark.sqlite_only  # PostgreSQL chooses by cost: on 40 patients any index will do
def test_requested_list_uses_the_state_index(practice, app, session):
    statements = _selects_of(app, session, "claire.martin", "/delegation/boite")
    requested = [s for s in statements if "care_task.status IN" in s[0]]
    assert requested, "la liste « demandées » n'a pas été lue"
    for statement, parameters in requested:
        assert "ix_care_task_requested" in plan_support.plan(session, statement, parameters)


def test_home_reads_no_appointment_but_today(practice, app, session):
    statements = _selects_of(app, session, "claire.martin", "/")
    on_appointments = [s for s, _ in statements if re.search(r"FROM appointment\b", s)]
    # Today's list only: the sparkline no longer counts a year of consultations a month.
    assert len(on_appointments) == 1


def _gp(session) -> Staff:
    return session.query(Staff).filter_by(email=generate.account_email("claire.martin")).one()


def test_spark_reads_snapshots_and_leaves_gaps(practice, session, count_queries):
    now = practice
    gp = _gp(session)
    this_month = date(2026, 11, 1)
    october, august = fig.month_end(date(2026, 10, 1)), fig.month_end(date(2026, 8, 1))
    # The generator wrote every month end's snapshot: keep only two, with known values.
    session.execute(delete(PatientListSnapshot).where(PatientListSnapshot.gp_id == gp.id))
    for day, value in ((october, 7), (august, 5)):
        session.add(
            PatientListSnapshot(
                practice_id=gp.practice_id,
                gp_id=gp.id,
                day=day,
                patient_list=value,
                adults=value,
                children=0,
                file_active=0,
                ald=0,
                started=0,
                ended=0,
                computed_at=now,
            )
        )
    session.flush()
    with count_queries() as q:
        spark = snapshots.patient_list_spark(
            session, practice=gp.practice, gp_id=gp.id, months=12, now=now
        )
    assert q.count == 2
    assert len(spark) == 12
    live = snapshots.patient_list_now(session, gp_id=gp.id, day=now.date())
    today = fig.figures_on(session, practice=gp.practice, gp_ids=[gp.id], day=now.date())
    assert spark[-1] == live == today[gp.id].patient_list > 0
    assert spark[-2] == 7  # October's month end
    assert spark[-4] == 5  # August's
    assert spark[-3] is None  # September: no snapshot, a gap rather than a recount
    assert this_month - timedelta(days=1) == october


def test_spark_statements_do_not_grow_with_months(practice, session, count_queries):
    gp = _gp(session)
    counts = []
    for months in (1, 12, 36):
        with count_queries() as q:
            snapshots.patient_list_spark(
                session, practice=gp.practice, gp_id=gp.id, months=months, now=practice
            )
        counts.append(q.count)
    assert counts == [1, 2, 2]
