"""In a real Chromium: sign in, add a room and a staff member as the admin."""

import pytest

from tests import factories
from tests.browser import chromium_page, serve_committed, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def served(app, session, practice):
    factories.make_staff(
        session, practice, profession="coordinator", is_admin=True, email="admin@exemple.fr"
    )
    factories.make_staff(session, practice, profession="secretary", email="secr@exemple.fr")
    with serve_committed(app, session) as base_url:
        yield base_url


def test_admin_adds_room_and_staff_in_chromium(served, tmp_path):
    base_url = served
    with chromium_page() as page:
        page.goto(f"{base_url}/login")
        assert page.locator("html").get_attribute("lang") == "fr"
        sign_in(page, base_url, "admin@exemple.fr")
        assert "Bonjour Camille" in page.content()

        page.get_by_role("link", name="Salles").first.click()
        page.get_by_role("link", name="Ajouter une salle").click()
        page.get_by_label("Nom").fill("Cabinet 5")
        page.get_by_label("Usage").select_option("nurse")
        page.get_by_role("button", name="Enregistrer").click()
        page.get_by_text("Salle enregistrée.").wait_for()  # visible, once the page has loaded
        assert page.get_by_role("link", name="Cabinet 5").is_visible()

        page.goto(f"{base_url}/equipe/nouveau")
        page.get_by_label("Prénom").fill("Lina")
        page.get_by_label("Nom", exact=True).fill("Rousseau")
        page.get_by_label("Adresse e-mail").fill("lina@exemple.fr")
        page.get_by_label("Profession").select_option("nurse")
        page.get_by_label("Mot de passe initial").fill("court")
        page.get_by_role("button", name="Enregistrer").click()
        page.get_by_text("Au moins 10 caractères.").wait_for()  # French, next to the field
        page.get_by_label("Mot de passe initial").fill("un-bon-mot-de-passe")
        page.get_by_role("button", name="Enregistrer").click()
        page.get_by_text(
            "a été ajouté(e) à l'équipe"
        ).wait_for()  # visible, once the page has loaded
        page.screenshot(path=str(tmp_path / "equipe.png"), full_page=True)


def test_wrong_password_message_in_chromium(served):
    base_url = served
    with chromium_page() as page:
        page.goto(f"{base_url}/login")
        page.get_by_label("Adresse e-mail").fill("secr@exemple.fr")
        page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
        page.get_by_role("button", name="Se connecter").click()
        assert page.get_by_role("alert").inner_text() == "Adresse e-mail ou mot de passe incorrect."
        # No console error from the CSP: the page's script loads from 'self'.
        sign_in(page, base_url, "secr@exemple.fr")
        nav = page.get_by_role("navigation", name="Navigation principale")
        assert nav.get_by_role("link", name="Agenda").is_visible()
        assert nav.get_by_role("link", name="Équipe").count() == 0
