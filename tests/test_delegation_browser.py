"""In a real Chromium (issue 15 §3 and §4): a nurse escalates a task (« Accepter et
commencer », a red flag ticked) and the GP's navigation then shows the escalation badge;
the hand-off form checks the protocol's fit as soon as it is chosen (static/js/handoff.js).
No console error under the CSP."""

import pytest

from tests import factories
from tests.browser import chromium_page, serve_committed, sign_in, signed_in_page

pytestmark = pytest.mark.browser


@pytest.fixture
def served(frozen_now, app, session, practice):
    team = factories.delegation_team(session, practice)
    team.gp.email, team.nurse.email = "gp@exemple.fr", "infirmiere@exemple.fr"
    factories.make_task(session, team.gp, team.patient, team.dt2)
    patient_id = team.patient.id
    with serve_committed(app, session) as base_url:
        yield base_url, patient_id


def _nav(page):
    return page.get_by_role("navigation", name="Navigation principale")


def test_an_escalation_shows_as_a_badge_in_the_gp_navigation(served):
    base_url, _ = served
    with signed_in_page(base_url, "gp@exemple.fr") as (page, errors):
        inbox_link = _nav(page).get_by_role("link", name="Boîte de réception")
        assert inbox_link.locator(".nav-count").count() == 0  # nothing back yet
        page.get_by_role("button", name="Se déconnecter").click()

        sign_in(page, base_url, "infirmiere@exemple.fr")
        _nav(page).get_by_role("link", name="Tâches déléguées").click()
        page.get_by_role("button", name="Accepter et commencer").first.click()
        page.wait_for_url("**/delegation/taches/*")
        page.get_by_label("HbA1c").fill("7,4")
        page.get_by_label("Examen des pieds").select_option("Normal")
        page.get_by_role("group", name="ECG réalisé").get_by_label("Oui").check()
        page.get_by_label("Douleur thoracique").check()
        page.get_by_role("button", name="Enregistrer les résultats et terminer").click()
        page.wait_for_url("**/delegation/taches/*")
        page.get_by_text(
            "la tâche revient au médecin"
        ).wait_for()  # visible, once the page has loaded
        page.get_by_role("button", name="Se déconnecter").click()

        sign_in(page, base_url, "gp@exemple.fr")
        badge = _nav(page).get_by_role("link", name="Boîte de réception").locator(".nav-count")
        assert badge.inner_text().startswith("1")
        assert badge.locator(".sr-only").inner_text().strip() == "en attente"
        _nav(page).get_by_role("link", name="Boîte de réception").click()
        page.get_by_text("Reprise : signe d'alerte").first.wait_for()
    assert errors == []


def test_the_hand_off_form_tells_the_fit_as_soon_as_a_protocol_is_chosen(served):
    base_url, patient_id = served
    with signed_in_page(base_url, "gp@exemple.fr") as (page, errors):
        page.goto(f"{base_url}/delegation/nouvelle-tache?patient={patient_id}")
        page.wait_for_url(f"**/delegation/patients/{patient_id}/nouvelle-tache")
        status = page.locator("#verification")
        page.get_by_label("Protocole", exact=True).select_option("asalee-cognitif")
        status.get_by_text("Ce protocole concerne les patients").wait_for()
        assert "ce patient a 50 ans" in status.inner_text()
        page.get_by_label("Protocole", exact=True).select_option("cystite")
        status.get_by_text("Ce protocole s'applique à ce patient.").wait_for()
        assert "Consentement à recueillir" in status.inner_text()
        page.get_by_role("button", name="Afficher les critères").click()
        page.get_by_label("Le patient a reçu l'information sur le protocole et y consent").check()
        for box in page.locator("fieldset.criteria:not(.exclusions):not(.consent) input").all():
            box.check()
        page.get_by_role("button", name="Confier la tâche").click()
        page.wait_for_url("**/delegation/taches/*")
        page.get_by_text("Tâche confiée").wait_for()  # visible, once the page has loaded
    assert errors == []


@pytest.fixture
def paged(frozen_now, app, session, practice, monkeypatch):
    """A GP with three tasks back in the inbox, two a page; the nurse with five in the
    queue: the pager shows on both pages."""
    from umpro.db import utcnow
    from umpro.delegation.services import tasks

    monkeypatch.setattr(tasks, "PER_PAGE", 2)
    team = factories.delegation_team(session, practice)
    team.gp.email, team.nurse.email = "gp@exemple.fr", "infirmiere@exemple.fr"
    for n in range(5):
        patient = factories.make_patient(
            session, practice, sex="F", birth_date=team.patient.birth_date
        )
        task = factories.make_task(session, team.gp, patient, team.dt2)
        if n < 3:
            task.inbox_at, task.inbox_reason = utcnow(), "escalation"
    ids = {"patient": team.patient.id}
    with serve_committed(app, session) as base_url:
        yield base_url, ids


def test_queue_inbox_and_hand_off_have_no_serious_accessibility_violation(paged):
    from tests.test_hardening_accessibility import _axe_source, _serious

    axe = _axe_source()
    base_url, ids = paged
    found = {}
    with chromium_page() as page:
        sign_in(page, base_url, "infirmiere@exemple.fr")
        page.set_viewport_size({"width": 1024, "height": 768})  # a practice's small screen
        for name, path in (("file", "/delegation/taches"), ("file-2", "/delegation/taches?page=2")):
            assert page.goto(base_url + path).status == 200
            found[name] = _serious(page, axe)
            # The three action buttons wrap inside their cell: no card scrolls sideways.
            assert (
                page.evaluate(
                    "[...document.querySelectorAll('section.card')]"
                    ".filter(s => s.scrollWidth > s.clientWidth).length"
                )
                == 0
            )
        pager = page.get_by_role("navigation", name="Pages : file des tâches disponibles")
        assert pager.get_by_text("Page 2 sur 3").is_visible()
        page.get_by_role("button", name="Se déconnecter").click()
        sign_in(page, base_url, "gp@exemple.fr")
        assert page.goto(base_url + "/delegation/boite").status == 200
        page.get_by_text("1–2 sur 3").wait_for()  # visible, once the page has loaded
        found["boite"] = _serious(page, axe)
        url = f"{base_url}/delegation/patients/{ids['patient']}/nouvelle-tache?protocole=cystite"
        assert page.goto(url).status == 200
        page.get_by_label("Protocole", exact=True).select_option("asalee-cognitif")
        page.locator("#verification").get_by_text("Ce protocole concerne").wait_for()
        found["confier"] = _serious(page, axe)
    assert not {k: v for k, v in found.items() if v}, found
