"""The nurse's queue and the GP's inbox by pages (issue 11): bounded pages, totals, links
that keep the other list's page, the same statements whatever the page and the length."""

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import Browser, page_text
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.delegation.services import tasks


@pytest.fixture
def team(frozen_now, session, practice):
    return factories.delegation_team(session, practice)


def _tasks(session, practice, team, n):
    made = []
    for _ in range(n):
        patient = factories.make_patient(
            session, practice, sex="F", birth_date=team.patient.birth_date
        )
        made.append(factories.make_task(session, team.gp, patient, team.dt2))
    session.commit()
    return made


def _as(app, staff):
    b = Browser(app.test_client())
    assert b.login(staff.email).status_code == 302
    return b


def test_the_queue_comes_by_pages(app, session, practice, team, monkeypatch):
    monkeypatch.setattr(tasks, "PER_PAGE", 2)
    made = _tasks(session, practice, team, 5)
    nurse = _as(app, team.nurse)
    first = page_text(nurse.get("/delegation/taches"))
    assert '<span class="count">5</span>' in first
    assert "1–2 sur 5" in first and "Page 1 sur 3" in first
    assert 'href="/delegation/taches?page=2"' in first
    last = page_text(nurse.get("/delegation/taches?page=3"))
    assert "5–5 sur 5" in last and 'href="/delegation/taches?page=2"' in last
    assert f"tâche n° {made[4].id}<" in last and f"tâche n° {made[0].id}<" not in last
    logged = session.scalars(
        select(AccessLog).where(AccessLog.action == "care_task.list_available")
    ).all()
    assert [int(i) for i in logged[-1].patient_ids] == [made[4].patient_id]  # those shown


@pytest.mark.parametrize("query", ["page=0", "page=abc", f"page={tasks.MAX_PAGE + 1}", "mes=-1"])
def test_a_bad_page_number_is_a_clear_refusal(app, session, practice, team, query):
    nurse = _as(app, team.nurse)
    session.commit()
    response = nurse.get(f"/delegation/taches?{query}")
    assert response.status_code in (400, 422)
    assert "page" in page_text(response) or "mes" in page_text(response)


def test_a_page_past_the_end_shows_the_last(app, session, practice, team, monkeypatch):
    monkeypatch.setattr(tasks, "PER_PAGE", 2)
    _tasks(session, practice, team, 3)
    text = page_text(_as(app, team.nurse).get("/delegation/taches?page=9"))
    assert "3–3 sur 3" in text and "Page 2 sur 2" in text


def test_the_inbox_pages_keep_each_other(app, session, practice, team, monkeypatch):
    monkeypatch.setattr(tasks, "PER_PAGE", 2)
    made = _tasks(session, practice, team, 5)
    for task in made:
        task.inbox_at, task.inbox_reason = utcnow(), "escalation"
    session.commit()
    gp = _as(app, team.gp)
    text = page_text(gp.get("/delegation/boite?page=2&demandes=3"))
    assert "3–4 sur 5" in text and "5–5 sur 5" in text
    assert 'href="/delegation/boite?demandes=3&amp;page=3"' in text or (
        'href="/delegation/boite?demandes=3&page=3"' in text
    )
    assert 'href="/delegation/boite?page=2&demandes=2"' in text


def test_statements_do_not_grow_with_the_pages(app, session, practice, team, monkeypatch,
                                               count_queries):  # fmt: skip
    monkeypatch.setattr(tasks, "PER_PAGE", 2)
    made = _tasks(session, practice, team, 6)
    for task in made:
        task.inbox_at, task.inbox_reason = utcnow(), "results"
    session.commit()
    counts = {}
    for who, url in ((team.nurse, "/delegation/taches"), (team.gp, "/delegation/boite")):
        b = _as(app, who)
        for page in (1, 3):
            assert b.get(f"{url}?page={page}").status_code == 200
            with count_queries() as q:
                assert b.get(f"{url}?page={page}").status_code == 200
            counts[(url, page)] = q.count
    assert counts[("/delegation/taches", 1)] == counts[("/delegation/taches", 3)]
    assert counts[("/delegation/boite", 1)] == counts[("/delegation/boite", 3)]
