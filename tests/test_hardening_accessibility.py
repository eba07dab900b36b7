"""Accessibility (issue 14): axe-core (from the npm registry) on the main pages in a real
Chromium; any serious or critical violation fails. Screenshots go to UMPRO_SCREENSHOTS."""

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests import factories
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve_committed, sign_in
from tests.conftest import CI
from umpro.acting import Acting
from umpro.scheduling.services import booking

pytestmark = pytest.mark.browser

AXE_VERSION = "4.14.1"
#: Git-ignored: axe-core is fetched once with npm, never committed.
AXE_DIR = Path(__file__).resolve().parent.parent / ".cache" / f"axe-core-{AXE_VERSION}"


def _axe_source() -> str:
    script = AXE_DIR / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            message = "npm introuvable : axe-core ne peut pas être installé"
            if CI:
                pytest.fail(message)
            pytest.skip(message)
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(AXE_DIR)],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if done.returncode != 0:
            message = f"npm pack axe-core a échoué : {done.stderr[-500:]}"
            if CI:
                pytest.fail(message)
            pytest.skip(message)
        with tarfile.open(AXE_DIR / f"axe-core-{AXE_VERSION}.tgz") as archive:
            member = archive.getmember("package/axe.min.js")
            script.write_bytes(archive.extractfile(member).read())
    return script.read_text()


@pytest.fixture
def served(frozen_now, app, session, practice):
    axe = _axe_source()
    secretary = factories.make_staff(
        session, practice, profession="secretary", email="secr@exemple.fr", is_admin=True
    )
    gp = factories.make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    kind = factories.make_appointment_type(session, practice, label="Consultation")
    day = frozen_now.date()
    patients = [factories.make_patient(session, practice) for _ in range(5)]
    appointments = [
        booking.book_appointment(
            session,
            acting=Acting(secretary, factories.local(day, "07:00")),
            patient=patient,
            staff=gp,
            appointment_type=kind,
            start_at=factories.local(day, f"{8 + n // 2:02d}:{15 + 30 * (n % 2)}"),
        )
        for n, patient in enumerate(patients)
    ]
    for appointment, status in zip(
        appointments, ["arrived", "fulfilled", "noshow", "cancelled"], strict=False
    ):
        appointment.status = status
    ids = {"gp": gp.id, "patient": patients[0].id, "appointment": appointments[0].id, "day": day}
    with serve_committed(app, session) as base_url:
        yield base_url, ids, axe


LOW_CONTRAST = """() => { const p = document.createElement('p'); p.textContent = 'Contraste';
p.style.color = '#ddd'; p.style.background = '#fff'; document.querySelector('main').append(p); }"""


def _serious(page, axe: str) -> list[str]:
    page.evaluate(axe)  # through the DevTools protocol: the CSP does not apply
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_accessibility_violation(served):
    from playwright.sync_api import sync_playwright

    base_url, ids, axe = served
    shots = os.environ.get("UMPRO_SCREENSHOTS")
    pages = {
        "connexion": "/login",
        "accueil": "/",
        "agenda-jour": f"/agenda/?jour={ids['day'].isoformat()}",
        "agenda-semaine": f"/agenda/semaine/{ids['gp']}?jour={ids['day'].isoformat()}",
        "rendez-vous": f"/agenda/rendez-vous/{ids['appointment']}",
        "patients": "/patients/",
        "dossier-patient": f"/patients/{ids['patient']}",
        "equipe": "/equipe/",
        "profil": "/profil",
    }
    found = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
            page.set_default_timeout(15000)
            page.goto(base_url + "/login")
            found["connexion"] = _serious(page, axe)
            # The check can fail: a pale text on white is reported as serious.
            page.evaluate(LOW_CONTRAST)
            assert any(v.startswith("color-contrast") for v in _serious(page, axe))
            sign_in(page, base_url, "secr@exemple.fr")
            for name, path in list(pages.items())[1:]:
                response = page.goto(base_url + path)
                assert response.status < 400, f"{path} → {response.status}"
                found[name] = _serious(page, axe)
                if shots:
                    page.screenshot(path=f"{shots}/{name}.png", full_page=True)
        finally:
            browser.close()
    assert not {k: v for k, v in found.items() if v}, found
