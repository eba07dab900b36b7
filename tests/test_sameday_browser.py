"""In a real Chromium: the desk screen finds the patient, proposes the médecin traitant's
held slot first and books it in two clicks (the patient, then the slot)."""

import os

import pytest
from sqlalchemy import select

from tests import factories
from tests.browser import serve_committed, signed_in_page
from umpro.scheduling.models import USED, Appointment, HeldSlot

pytestmark = pytest.mark.browser


@pytest.fixture
def served(frozen_now, app, session, practice):
    factories.make_staff(session, practice, profession="secretary", email="accueil@exemple.fr")
    factories.make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    gp = factories.make_open_staff(session, practice, given_name="Karim", family_name="Benali")
    factories.make_appointment_type(session, practice, label="Consultation")
    factories.make_hold_policy(session, practice, release_lead_minutes=30)
    patient = factories.make_patient(session, practice, family_name="Durand")
    factories.make_declaration(session, patient, gp)
    ids = {"gp": gp.id, "patient": patient.id}
    with serve_committed(app, session) as base_url:
        yield base_url, ids


def test_the_desk_books_a_held_slot_in_two_clicks(served, session, tmp_path):
    base_url, ids = served
    with signed_in_page(base_url, "accueil@exemple.fr") as (page, errors):
        page.goto(f"{base_url}/agenda/soins-non-programmes/accueil")
        page.get_by_label("Rechercher un patient").fill("durand")
        page.keyboard.press("Enter")
        page.get_by_role("link", name="DURAND").click()  # click 1: the patient
        page.get_by_label("Motif").fill("Fièvre depuis hier")
        first = page.locator(".held-slot-button").first
        assert "Benali" in first.inner_text() and "médecin traitant" in first.inner_text()
        if os.environ.get("UMPRO_SCREENSHOTS"):
            page.screenshot(path=os.environ["UMPRO_SCREENSHOTS"] + "/sameday-desk.png")
        first.click()  # click 2: the slot
        page.get_by_text(
            "Rendez-vous de soins non programmés pris le"
        ).wait_for()  # visible, once the page has loaded
        page.screenshot(path=str(tmp_path / "desk.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    appointment = session.scalar(select(Appointment))
    assert appointment.staff_id == ids["gp"] and appointment.is_unscheduled
    assert f"{appointment.start_at:%H:%M}" == "10:00"  # 11:00 Paris
    assert session.scalar(select(HeldSlot.state)) == USED
