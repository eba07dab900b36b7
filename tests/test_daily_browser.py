"""In a real Chromium (issue 15): from the patient's card, an appointment is booked in at
most four actions, the patient, médecin traitant and usual type pre-selected; on the
booking page the professional list follows the type, and the patient search tells
namesakes apart. No console or CSP error."""

import pytest
from sqlalchemy import select

from tests import factories
from tests.browser import chromium_page, console_errors, serve_committed, sign_in
from umpro.scheduling.models import Appointment

pytestmark = pytest.mark.browser

MAX_ACTIONS = 4


@pytest.fixture
def served(frozen_now, app, session, practice):
    factories.make_staff(session, practice, profession="secretary", email="secr@exemple.fr")
    factories.make_staff(session, practice, profession="health_mediator")
    gp = factories.make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    nurse = factories.make_open_staff(
        session, practice, profession="asalee_nurse", given_name="Nathalie", family_name="Roux"
    )
    consult = factories.make_appointment_type(session, practice, label="Consultation")
    factories.make_appointment_type(
        session, practice, label="Séance Asalée", duration_minutes=60, professions=["asalee_nurse"]
    )
    gp.default_type_id = consult.id
    patient = factories.make_patient(
        session, practice, family_name="Dupont", given_names="Jean", city="Lyon", phone="0612345678"
    )
    factories.make_patient(
        session,
        practice,
        family_name="Dupont",
        given_names="Jeanne",
        city="Bron",
        phone="0400000042",
    )
    factories.make_declaration(session, patient, gp)
    ids = {"patient": patient.id, "gp": gp.id, "nurse": nurse.id, "consult": consult.id}
    with serve_committed(app, session) as base_url:
        yield base_url, ids


def _sign_in(page, base_url):
    sign_in(page, base_url, "secr@exemple.fr")


def test_book_from_the_patient_card_in_at_most_four_actions(frozen_now, served, session):
    base_url, ids = served
    with chromium_page() as page:
        errors = console_errors(page)
        _sign_in(page, base_url)
        page.goto(f"{base_url}/patients/{ids['patient']}")
        actions = 0

        def act(locator):
            nonlocal actions
            actions += 1
            locator.click()

        act(page.get_by_role("link", name="Prendre rendez-vous"))
        page.wait_for_url("**/agenda/rendez-vous/nouveau?patient=*")
        assert page.get_by_role("radio", name="DUPONT Jean").is_checked()
        assert page.get_by_label("Professionnel").input_value() == str(ids["gp"])
        assert page.get_by_label("Type de rendez-vous").input_value() == str(ids["consult"])
        act(page.get_by_role("button", name="Proposer les prochains créneaux libres"))
        page.get_by_text("Créneaux libres", exact=True).wait_for()
        act(page.get_by_role("button", name="Prendre le rendez-vous"))
        page.get_by_text("Rendez-vous pris le").wait_for()
        assert actions <= MAX_ACTIONS, actions
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    booked = session.scalars(select(Appointment)).one()
    assert (booked.patient_id, booked.staff_id, booked.type_id) == (
        ids["patient"],
        ids["gp"],
        ids["consult"],
    )


def test_the_professional_list_follows_the_type_and_search_tells_namesakes_apart(
    frozen_now, served
):
    base_url, ids = served
    with chromium_page() as page:
        errors = console_errors(page)
        _sign_in(page, base_url)
        page.goto(f"{base_url}/agenda/rendez-vous/nouveau")
        staff = page.get_by_label("Professionnel")
        values = lambda: staff.locator("option").evaluate_all(  # noqa: E731
            "options => options.map(o => o.value).filter(Boolean)"
        )
        assert sorted(values()) == sorted([str(ids["gp"]), str(ids["nurse"])])
        page.get_by_label("Type de rendez-vous").select_option(label="Séance Asalée (60 min)")
        assert values() == [str(ids["nurse"])]
        page.get_by_label("Type de rendez-vous").select_option("")
        staff.select_option(str(ids["gp"]))  # the GP's default type comes with them
        assert page.get_by_label("Type de rendez-vous").input_value() == str(ids["consult"])
        page.get_by_label("Rechercher un patient").fill("dupont")
        jeanne = page.get_by_role("radio", name="DUPONT Jeanne")
        jeanne.wait_for()
        text = page.locator("[data-patient-results]").inner_text()
        assert "MT : Dr Claire Martin · Lyon · tél. …78" in text
        assert "MT : aucun · Bron · tél. …42" in text
    assert not errors, errors
