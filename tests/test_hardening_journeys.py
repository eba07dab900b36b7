"""Browser journeys (issue 14), in a real Chromium: a secretary finds a patient by a
partial name typed without accents, books, moves and cancels the appointment; a
professional creates a calendar subscription and the feed downloads; a GP hands off an
Asalée task, the nurse accepts it and records a red flag, the GP acknowledges it."""

import os

import pytest
from sqlalchemy import select

from tests import factories
from tests.browser import chromium_page, serve_committed, sign_in
from umpro.scheduling.models import Appointment

pytestmark = pytest.mark.browser


@pytest.fixture
def served(app, session, practice):
    factories.make_staff(session, practice, profession="secretary", email="secr@exemple.fr")
    gp = factories.make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    factories.make_appointment_type(session, practice, label="Consultation")
    day = factories.future_weekday(1)
    factories.make_helene_lefevre(session, practice, day)
    factories.make_patient(session, practice, family_name="Lefort", given_names="Paul")
    ids = {"gp": gp.id, "day": day}
    with serve_committed(app, session) as base_url:
        yield base_url, ids


def test_secretary_finds_books_moves_and_cancels(served, session, tmp_path):
    base_url, ids = served
    shots = os.environ.get("UMPRO_SCREENSHOTS") or str(tmp_path)
    day = ids["day"].isoformat()
    with chromium_page() as page:
        sign_in(page, base_url, "secr@exemple.fr")
        page.goto(f"{base_url}/agenda/?jour={day}")
        page.locator(".free a", has_text="09:00").first.click()
        page.wait_for_url("**/agenda/rendez-vous/nouveau?**")
        page.get_by_label("Rechercher un patient").fill("helene lef")  # no accent, partial
        option = page.get_by_role("radio", name="LEFÈVRE Hélène")
        option.wait_for()
        assert page.get_by_role("radio", name="LEFORT Paul").count() == 0
        option.check()
        page.get_by_label("Type de rendez-vous").select_option(label="Consultation (15 min)")
        page.get_by_role("button", name="Prendre le rendez-vous").click()
        page.get_by_text("Rendez-vous pris le").wait_for()  # visible, once the page has loaded
        page.screenshot(path=f"{shots}/journey-booked.png", full_page=True)

        page.locator(".appt a", has_text="LEFÈVRE").first.click()
        page.wait_for_url("**/agenda/rendez-vous/*")
        page.get_by_label("Nouvelle heure").fill("10:30")
        page.get_by_role("button", name="Déplacer", exact=True).click()
        page.wait_for_load_state()
        page.get_by_text("Rendez-vous déplacé au").wait_for()  # visible, once the page has loaded
        assert "10:30" in page.locator("dl.facts").inner_text()

        page.get_by_label("Motif de l'annulation").fill("Patiente hospitalisée")
        page.get_by_role("button", name="Annuler le rendez-vous").click()
        page.wait_for_url(f"**/agenda/?jour={day}")
        page.get_by_text("Rendez-vous annulé.").wait_for()  # visible, once the page has loaded
        assert "LEFÈVRE" not in page.locator(".agenda").inner_text()  # the slot is free again
        page.screenshot(path=f"{shots}/journey-cancelled.png", full_page=True)

    (appointment,) = session.scalars(select(Appointment)).all()
    assert appointment.status == "cancelled"
    assert appointment.cancel_reason == "Patiente hospitalisée"
    assert factories.local(ids["day"], "10:30") == appointment.start_at


def test_a_professional_subscribes_to_their_calendar_and_the_feed_downloads(
    app, session, practice, tmp_path
):
    import urllib.request

    gp = factories.make_open_staff(session, practice, email="dr.martin@exemple.fr")
    patient = factories.make_patient(session, practice, family_name="Durand")
    start = factories.local(factories.future_weekday(2), "09:00")
    factories.make_appointment(session, gp, patient, start_at=start)
    with serve_committed(app, session) as base_url, chromium_page() as page:
        sign_in(page, base_url, "dr.martin@exemple.fr")
        page.goto(f"{base_url}/profil/calendriers")
        page.get_by_role("button", name="Créer l'adresse").click()
        url = page.locator("#feed-url").input_value()
        assert url.endswith(".ics") and "/calendriers/" in url
        page.screenshot(path=f"{tmp_path}/feed.png", full_page=True)
        local_url = base_url + url[url.index("/calendriers/") :]
        with urllib.request.urlopen(local_url, timeout=20) as response:  # noqa: S310 - http
            body = response.read().decode()
            assert response.headers["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR") and body.count("BEGIN:VEVENT") == 1
    assert "DURAND" not in body.upper()  # busy-only by default: no patient name


def test_asalee_hand_off_red_flag_and_acknowledgement(app, session, practice, tmp_path):
    from umpro.delegation.models import CareTask

    team = factories.delegation_team(session, practice)
    factories.make_consent(session, team.patient, team.dt2, actor=team.gp)
    gp_email, nurse_email, patient_id = team.gp.email, team.nurse.email, team.patient.id
    family_name = team.patient.family_name.upper()
    with serve_committed(app, session) as base_url, chromium_page() as page:
        sign_in(page, base_url, gp_email)
        page.goto(
            f"{base_url}/delegation/patients/{patient_id}/nouvelle-tache?protocole=asalee-dt2"
        )
        for box in page.locator("input[name=inclusion_met]").all():
            box.check()
        page.get_by_role("button", name="Confier la tâche").click()
        page.wait_for_url("**/delegation/taches/*")
        task_url = page.url
        page.get_by_role("button", name="Se déconnecter").click()

        sign_in(page, base_url, nurse_email)
        page.goto(f"{base_url}/delegation/taches")
        assert page.locator("main").get_by_text(family_name).count() >= 1
        page.goto(task_url)
        page.get_by_role("button", name="Accepter", exact=True).click()
        page.get_by_role("button", name="Commencer la prise en charge").click()
        page.get_by_label("Douleur thoracique").check()
        page.get_by_role("button", name="Enregistrer les résultats et terminer").click()
        page.get_by_text(
            "Signe d'alerte : la tâche revient au médecin"
        ).wait_for()  # visible, once the page has loaded
        page.screenshot(path=f"{tmp_path}/task-red-flag.png", full_page=True)
        page.get_by_role("button", name="Se déconnecter").click()

        sign_in(page, base_url, gp_email)
        page.goto(f"{base_url}/delegation/boite")
        assert page.get_by_text("Reprise : signe d'alerte").first.is_visible()
        page.goto(task_url)
        page.get_by_role("button", name="J'ai pris connaissance").click()
        page.goto(f"{base_url}/delegation/boite")
        page.get_by_text(
            "Rien à prendre en compte."
        ).wait_for()  # visible, once the page has loaded
    task = session.scalar(select(CareTask))
    assert task.is_taken_back and task.acknowledged_at is not None
