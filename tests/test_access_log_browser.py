"""In a real Chromium, under the CSP (issue 15): the médecin traitant opens their
patient's page, reads who saw the file and why, and follows the link to the full history."""

import os
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.browser import serve_committed, signed_in_page
from tests.test_hardening_accessibility import _axe_source, _serious
from umpro.acting import Acting
from umpro.auth import audit
from umpro.auth.models import AccessLog

pytestmark = pytest.mark.browser


@pytest.fixture
def served(frozen_now, app, session, practice):
    gp = factories.make_staff(session, practice, profession="gp", email="mt@exemple.fr")
    nurse = factories.make_staff(
        session,
        practice,
        profession="asalee_nurse",
        given_name="Inès",
        family_name="Roux",
        email="ide@exemple.fr",
    )
    patient = factories.make_patient(
        session, practice, family_name="Garnier", given_names="Paul", birth_date=date(1950, 5, 2)
    )
    factories.make_declaration(session, patient, gp)
    audit.record_access(
        session,
        acting=Acting(nurse, frozen_now - timedelta(days=2)),
        action="care_task.view",
        patient_id=patient.id,
        target="care_task:1",
    )
    ids = {"patient": patient.id, "gp": gp.id}
    with serve_committed(app, session) as base_url:
        yield base_url, ids, _axe_source()


def test_the_treating_gp_sees_who_consulted_the_file(served, session, tmp_path):
    base_url, ids, axe = served
    with signed_in_page(base_url, "mt@exemple.fr") as (page, errors):
        page.goto(f"{base_url}/patients/{ids['patient']}")
        panel = page.get_by_role("region", name="Qui a consulté ce dossier")
        panel.wait_for()
        violations = {"patient": _serious(page, axe)}
        shots = os.environ.get("UMPRO_SCREENSHOTS") or str(tmp_path)
        panel.screenshot(path=f"{shots}/dossier-qui-a-consulte.png")
        row = panel.get_by_role("row").filter(has_text="Inès Roux")
        assert row.count() == 1
        assert "Infirmière Asalée" in row.inner_text()
        assert "28/11/2026 10:00" in row.inner_text()
        assert "Consultation d'une tâche de soins" in row.inner_text()
        panel.get_by_role("link", name="Tout l'historique des accès à ce dossier").click()
        page.wait_for_url(f"**/admin/journal?*patient={ids['patient']}*")
        heading = page.get_by_role("heading", level=1)
        assert "GARNIER Paul" in heading.inner_text()
        table = page.get_by_role("table")
        assert table.get_by_role("row").filter(has_text="Consultation d'une tâche de soins").count()
        # The GP's own opening of the page and of the panel are there too.
        assert table.get_by_role("row").filter(has_text="Consultation du dossier").count() == 1
        violations["journal"] = _serious(page, axe)
        page.screenshot(path=f"{shots}/journal-patient.png", full_page=True)
    assert errors == []
    assert violations == {"patient": [], "journal": []}
    session.expire_all()
    actions = set(session.scalars(select(AccessLog.action).where(AccessLog.staff_id == ids["gp"])))
    assert {"patient.view", "patient.access_history", "access_log.read"} <= actions
