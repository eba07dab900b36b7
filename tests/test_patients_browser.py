"""In a real Chromium, under the CSP: a secretary finds a patient as she types, opens the
page, records an objection; a GP declines a request (the decline fields appear)."""

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.browser import chromium_page, serve_committed, sign_in, signed_in_page
from umpro.patients.models import RegistrationRequest, SharingObjection

pytestmark = pytest.mark.browser


@pytest.fixture
def served(app, session, practice):
    factories.make_staff(session, practice, profession="secretary", email="secr@exemple.fr")
    gp = factories.make_staff(session, practice, profession="gp", email="gp@exemple.fr")
    helene = factories.make_patient(
        session,
        practice,
        family_name="Martin",
        given_names="Hélène",
        birth_date=date(1958, 3, 12),
    )
    factories.make_patient(session, practice, family_name="Martinez", given_names="Hugo")
    request = factories.make_request(session, helene, gp)
    ids = {"helene": helene.id, "request": request.id}
    with serve_committed(app, session) as base_url:
        yield base_url, ids


def test_search_as_you_type_then_record_an_objection(served, session):
    base_url, ids = served
    with signed_in_page(base_url, "secr@exemple.fr") as (page, errors):
        page.goto(f"{base_url}/patients/")
        page.get_by_label("Rechercher un patient").press_sequentially("helene mar", delay=30)
        link = page.get_by_role("link", name="MARTIN Hélène")
        link.wait_for()
        assert page.get_by_role("link", name="MARTINEZ Hugo").count() == 0
        page.get_by_label("Rechercher un patient").fill("")
        page.get_by_label("Rechercher un patient").press_sequentially("12/03/1958", delay=30)
        page.get_by_text("1 patient pour « 12/03/1958 »").wait_for()
        page.get_by_role("link", name="MARTIN Hélène").click()
        page.wait_for_url(f"**/patients/{ids['helene']}")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Enregistrer une opposition").click()
        page.get_by_text("Opposition au partage enregistrée.").wait_for()
    assert errors == []
    objection = session.scalar(select(SharingObjection))
    assert objection.patient_id == ids["helene"] and objection.lifted_at is None


def test_gp_declines_with_a_lawful_reason(served, session):
    base_url, ids = served
    with chromium_page() as page:
        sign_in(page, base_url, "gp@exemple.fr")
        page.goto(f"{base_url}/patients/demandes/{ids['request']}/decision")
        reason = page.get_by_label("Motif du refus")
        assert not reason.is_visible()  # shown only for a decline
        page.get_by_label("Refuser").check()
        reason.select_option("capacity")
        page.get_by_label("Patient orienté vers").fill("CPTS Lyon 3e")
        page.get_by_role("button", name="Enregistrer la décision").click()
        page.get_by_text("Demande refusée.").wait_for()
    request = session.scalar(select(RegistrationRequest))
    assert (request.status, request.decline_reason, request.oriented_to) == (
        "declined",
        "capacity",
        "CPTS Lyon 3e",
    )
