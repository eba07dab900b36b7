"""Per-request costs that do not depend on the amount of history: the slot search's
statements do not grow with the number of staff asked for, and a page works out the
openings of a person's day once (AgendaTemplate keeps them)."""

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import Browser
from umpro import generate
from umpro.scheduling.models import AppointmentType
from umpro.scheduling.services.openings import load_template, openings_for
from umpro.team.models import Staff


@pytest.fixture
def practice(frozen_now, session):
    generate.generate(
        session, patients=40, years=0.1, seed=3, password=factories.PASSWORD, now=frozen_now
    )
    session.commit()
    staff = list(session.scalars(select(Staff).order_by(Staff.id)))
    consult = session.scalar(
        select(AppointmentType.id).where(AppointmentType.label == "Consultation")
    )
    return staff, consult


def _slot_statements(app, count_queries, path) -> tuple[int, int]:
    browser = Browser(app.test_client())
    assert browser.login(generate.account_email("marie.dubois")).status_code == 302
    assert browser.get(path).status_code == 200
    with count_queries() as q:
        answer = browser.get(path)
    assert answer.status_code == 200
    return q.count, len(answer.json["items"])


def test_slot_search_statements_do_not_grow_with_the_staff_asked(
    frozen_now, app, practice, count_queries
):
    staff, consult = practice
    gps = [s.id for s in staff if s.profession == "gp"]
    assert len(gps) >= 3
    base = f"/api/v1/slots?type={consult}&limit=50&staff="
    one, found_one = _slot_statements(app, count_queries, base + str(gps[0]))
    every, found_every = _slot_statements(app, count_queries, base + ",".join(map(str, gps)))
    assert found_one > 0 and found_every > 0
    assert every == one, (one, every)


def test_slot_search_refuses_a_staff_member_of_another_practice(frozen_now, app, practice):
    _, consult = practice
    browser = Browser(app.test_client())
    assert browser.login(generate.account_email("marie.dubois")).status_code == 302
    answer = browser.get(f"/api/v1/slots?type={consult}&staff=999999")
    assert answer.status_code == 404
    assert "introuvable" in answer.json["error"]["message"]


def test_openings_of_a_day_are_worked_out_once_per_template(
    frozen_now, session, practice, count_queries
):
    staff, _ = practice
    gp = next(s for s in staff if s.profession == "gp")
    day = frozen_now.date()
    template = load_template(
        session,
        practice_id=gp.practice_id,
        staff_ids=[gp.id],
        first_day=day,
        last_day=day,
        tz="Europe/Paris",
    )
    with count_queries() as q:
        first = openings_for(template, staff_id=gp.id, day=day)
    assert first, "le médecin consulte le lundi"
    assert q.count == 0, "les types de chaque plage sont lus avec le modèle, pas plage par plage"
    first.clear()  # a caller changing its list does not change the template's
    again = openings_for(template, staff_id=gp.id, day=day)
    assert again and again == list(template.computed[(gp.id, day)])
    # The allowed types of every rule loaded were read with the template (one query).
    assert set(template.rule_types) == {r.id for rules in template.rules.values() for r in rules}
    assert {o.rule_id for o in again} <= set(template.rule_types)
