"""In a real Chromium: the GP's home page and the Patientèle page, with the chart and
its data table, under the CSP and without a console error."""

from datetime import date, timedelta

import pytest

from tests import factories
from tests.browser import serve_committed, signed_in_page

pytestmark = pytest.mark.browser


@pytest.fixture
def served(frozen_now, app, session, practice):
    gp = factories.make_staff(
        session, practice, profession="gp", email="gp@exemple.fr", family_name="Martin"
    )
    kind = factories.make_appointment_type(session, practice)
    for n in range(8):
        patient = factories.make_patient(session, practice)
        start = date(2026, 11, 20) - timedelta(days=45 * n)
        factories.make_declaration_period(session, patient, gp, start_on=start)
        factories.make_visit(session, gp, patient, on=start, type=kind)
    with serve_committed(app, session) as base_url:
        yield base_url


def test_gp_home_and_patient_list_pages_show_the_chart_and_its_table(served):
    with signed_in_page(served, "gp@exemple.fr") as (page, errors):
        assert page.get_by_role("heading", name="Mes patients du jour").is_visible()
        assert page.locator("svg.sparkline").count() == 1
        page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Patientèle"
        ).click()
        page.wait_for_url("**/patientele/medecin/*")
        chart = page.get_by_role("img", name="Patientèle et file active — Dr Camille Martin")
        assert chart.is_visible()
        table = page.locator("table.chart-data").first
        assert table.locator("caption").inner_text().startswith("Patientèle et file active")
        assert table.locator("tbody tr").count() == 24
        assert page.locator("svg.chart-svg").count() == 2
    assert errors == []
