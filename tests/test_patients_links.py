"""The patient page leads to what other parts do for this patient."""

import pytest

from tests import factories


@pytest.mark.parametrize(
    ("profession", "expected", "absent"),
    [
        (
            "gp",
            [
                "Déléguer une tâche (protocole)",
                "Consentements aux protocoles",
                "Rappels de rendez-vous",
            ],
            [],
        ),
        ("secretary", ["Rappels de rendez-vous"], ["Déléguer une tâche (protocole)"]),
    ],
)
def test_patient_page_links(sign_in, session, practice, profession, expected, absent):
    b, _ = sign_in(profession)
    patient = factories.make_patient(session, practice)
    session.commit()
    page = b.get(f"/patients/{patient.id}")
    assert page.status_code == 200
    for label in expected:
        assert label in page.text
    for label in absent:
        assert label not in page.text
    if "Déléguer une tâche (protocole)" in expected:
        assert b.get(f"/delegation/patients/{patient.id}/nouvelle-tache").status_code == 200
    assert b.get(f"/rappels/patients/{patient.id}").status_code == 200
