"""In a real Chromium: the team day view under the CSP, arrow keys between free times
and appointments, a free time opening the booking form, the patient found as you type,
the appointment booked."""

import os

import pytest
from sqlalchemy import select

from tests import factories
from tests.browser import serve_committed, signed_in_page
from umpro.acting import Acting
from umpro.db import utcnow
from umpro.scheduling.models import Appointment
from umpro.scheduling.services import booking

pytestmark = pytest.mark.browser


@pytest.fixture
def served(app, session, practice):
    secretary = factories.make_staff(
        session, practice, profession="secretary", email="secr@exemple.fr"
    )
    gp = factories.make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    kind = factories.make_appointment_type(session, practice, label="Consultation")
    day = factories.future_weekday(0)
    booked = factories.make_patient(session, practice, family_name="Durand")
    factories.make_helene_lefevre(session, practice, day)
    booking.book_appointment(
        session,
        acting=Acting(secretary, utcnow()),
        patient=booked,
        staff=gp,
        appointment_type=kind,
        start_at=factories.local(day, "08:15"),
    )
    ids = {"gp": gp.id, "day": day}
    with serve_committed(app, session) as base_url:
        yield base_url, ids


def test_book_from_the_day_view_with_the_keyboard_and_search(served, session, tmp_path):
    base_url, ids = served
    with signed_in_page(base_url, "secr@exemple.fr") as (page, errors):
        page.get_by_role("link", name="Agenda", exact=True).click()
        page.goto(f"{base_url}/agenda/?jour={ids['day'].isoformat()}")
        assert page.get_by_role("heading", name="Dr Claire Martin").is_visible()
        appointment = page.locator(".appt a").first
        assert "DURAND" in appointment.inner_text()
        first_free = page.locator(".free a").first
        first_free.focus()
        assert "08:00" in first_free.inner_text()
        page.keyboard.press("ArrowDown")  # the 08:15 appointment
        assert "DURAND" in page.evaluate("document.activeElement.textContent")
        page.keyboard.press("ArrowDown")  # the next free time, 08:30
        assert "Libre 08:30" in page.evaluate("document.activeElement.textContent")
        if os.environ.get("UMPRO_SCREENSHOTS"):
            page.screenshot(
                path=os.environ["UMPRO_SCREENSHOTS"] + "/agenda-day.png", full_page=True
            )
        page.keyboard.press("Enter")
        page.wait_for_url("**/agenda/rendez-vous/nouveau?**")
        assert page.get_by_label("Heure").input_value() == "08:30"
        page.get_by_label("Rechercher un patient").fill("helene lef")
        option = page.get_by_role("radio", name="LEFÈVRE Hélène")
        option.wait_for()
        option.check()
        page.get_by_label("Type de rendez-vous").select_option(label="Consultation (15 min)")
        page.get_by_role("button", name="Prendre le rendez-vous").click()
        page.get_by_text("Rendez-vous pris le").wait_for()  # the day view after the redirect
        assert "LEFÈVRE Hélène" in page.locator(".agenda").inner_text()
        page.screenshot(path=str(tmp_path / "agenda.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    starts = session.scalars(select(Appointment.start_at).order_by(Appointment.start_at)).all()
    assert [f"{factories.local(ids['day'], h):%H:%M}" for h in ("08:15", "08:30")] == [
        f"{s:%H:%M}" for s in starts
    ]
