"""Each main page runs the same number of SQL statements on a small practice and on one
ten times larger (more patients, ten times the history): no page's cost grows with data.

Both practices are generated (``umpro.generate``) in the test database at the frozen
instant; each page is read by an account of each practice.
"""

import pytest

from tests import factories
from tests.conftest import Browser
from umpro import generate

SMALL = {"patients": 30, "years": 0.05}
LARGE = {"patients": 300, "years": 0.5}
DAY = "2026-11-30"  # the frozen instant's day (a Monday)


@pytest.fixture
def two_practices(frozen_now, app, session):
    """Practice 1 small, practice 2 ten times larger; returns their first patient ids."""
    from sqlalchemy import func, select

    from umpro.patients.models import Patient
    from umpro.scheduling.models import Appointment, AppointmentType
    from umpro.team.models import Staff

    firsts = {}
    for number, size in ((1, SMALL), (2, LARGE)):
        generate.generate(session, seed=4, password=factories.PASSWORD, now=frozen_now, **size)
        session.commit()
        gp = session.scalar(
            select(Staff).where(Staff.email == generate.account_email("claire.martin", number))
        )
        firsts[number] = {
            "patient": session.scalar(
                select(func.min(Patient.id)).where(Patient.practice_id == gp.practice_id)
            ),
            "gp": gp.id,
            "appointment": session.scalar(
                select(func.min(Appointment.id)).where(Appointment.practice_id == gp.practice_id)
            ),
            "consult": session.scalar(
                select(AppointmentType.id).where(
                    AppointmentType.practice_id == gp.practice_id,
                    AppointmentType.label == "Consultation",
                )
            ),
        }
    return firsts


PAGES = {
    "day_view": ("marie.dubois", lambda ids: f"/agenda/?jour={DAY}"),
    "week_view": ("marie.dubois", lambda ids: f"/agenda/semaine/{ids['gp']}?semaine={DAY}"),
    "patient_page": ("claire.martin", lambda ids: f"/patients/{ids['patient']}"),
    "slot_search": ("marie.dubois", lambda ids: f"/api/v1/slots?type={ids['consult']}&limit=20"),
    "nurse_queue": ("nathalie.roux", lambda ids: "/delegation/taches"),
    "gp_inbox": ("claire.martin", lambda ids: "/delegation/boite"),
    # Issue 15: the journal (a month, names shown) and the patient page with its
    # "who saw this file" panel (shown to the admin).
    "access_log": ("helene.bernard", lambda ids: f"/admin/journal?debut=2026-11-01&fin={DAY}"),
    "patient_page_history": ("helene.bernard", lambda ids: f"/patients/{ids['patient']}"),
    # Issue 15: booking from the patient's card (médecin traitant, usual type).
    "book_from_card": (
        "marie.dubois",
        lambda ids: f"/agenda/rendez-vous/nouveau?patient={ids['patient']}",
    ),
    "day_move": ("marie.dubois", lambda ids: f"/agenda/deplacer/{ids['appointment']}"),
    "sameday_desk": (
        "marie.dubois",
        lambda ids: f"/agenda/soins-non-programmes/accueil?patient={ids['patient']}",
    ),
    "home_dashboard": ("claire.martin", lambda ids: "/"),
}


def _statements(app, count_queries, number, key, path) -> int:
    browser = Browser(app.test_client())
    assert browser.login(generate.account_email(key, number)).status_code == 302
    assert browser.get(path).status_code == 200  # warm: caches of the process
    with count_queries() as q:
        assert browser.get(path).status_code == 200
    return q.count


def test_statements_do_not_grow_with_data(two_practices, app, count_queries):
    # One generation for every page (generating is the slow part of this test).
    grown = {}
    for page, (key, path_of) in PAGES.items():
        small = _statements(app, count_queries, 1, key, path_of(two_practices[1]))
        large = _statements(app, count_queries, 2, key, path_of(two_practices[2]))
        assert small > 0
        if small != large:
            grown[page] = (small, large)
    assert grown == {}, f"requêtes (petit, 10× plus grand) : {grown}"


def test_patient_search_statements_do_not_grow_with_data(two_practices, app, count_queries):
    small = _statements(app, count_queries, 1, "marie.dubois", "/patients/?q=mar")
    large = _statements(app, count_queries, 2, "marie.dubois", "/patients/?q=mar")
    assert small == large <= 12
