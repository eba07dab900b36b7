"""Patientèle pages, CSV and API: who sees what, bad input, bounded queries (issue 13)."""

from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.conftest import page_text
from umpro.auth.models import AccessLog
from umpro.reports.services import snapshots
from umpro.team.models import Staff


def _history(session, practice, gp, *, patients: int, months: int = 24, batch: int = 0):
    """``patients`` declarations spread over ``months`` and a visit each."""
    kind = f.make_appointment_type(session, practice)
    today = date(2026, 11, 30)
    for n in range(patients):
        patient = f.make_patient(session, practice, has_chronic_condition=n % 5 == 0)
        start = today - timedelta(days=1 + (n * 30 * months) // max(1, patients))
        end = (
            start + timedelta(days=200)
            if n % 4 == 0 and start + timedelta(days=200) < today
            else None
        )
        f.make_declaration_period(session, patient, gp, start_on=start, end_on=end,
                                  reason="moved" if end else "")  # fmt: skip
        slot = batch * 100 + n  # distinct times: one GP's visits never overlap
        hour = f"{7 + slot // 40 % 12:02d}:{slot % 40 // 10 * 15:02d}"
        f.make_visit(session, gp, patient, on=start, type=kind, hour=hour)
    session.commit()


def test_gp_sees_own_page_with_charts_and_tables(frozen_now, sign_in, session, practice):
    b, gp = sign_in("gp")
    _history(session, practice, gp, patients=12)
    response = b.get("/patientele/", follow_redirects=True)
    assert response.status_code == 200
    text = page_text(response)
    assert f"Patientèle — {gp.display_name}" in text
    assert text.count("<svg") >= 2 and 'class="table chart-data"' in text
    assert "Bientôt disponible" not in text


@pytest.mark.parametrize("profession", ["gp", "secretary", "nurse", "health_mediator"])
def test_nobody_but_the_gp_and_coordinator_sees_a_gps_figures(
    frozen_now, sign_in, session, practice, profession
):
    gp = f.make_staff(session, practice, profession="gp")
    session.commit()
    b, _ = sign_in(profession)
    assert b.get(f"/patientele/medecin/{gp.id}").status_code == 403
    assert b.get(f"/api/v1/reports/patient-list?gp={gp.id}").status_code == 403


def test_coordinator_sees_the_team_side_by_side(frozen_now, sign_in, session, practice):
    gp1 = f.make_staff(session, practice, profession="gp", family_name="Alpha")
    gp2 = f.make_staff(session, practice, profession="gp", family_name="Beta")
    f.make_staff(session, practice, profession="medical_assistant", assisted_gp_ids=[gp1.id])
    _history(session, practice, gp1, patients=4)
    b, _ = sign_in("coordinator", is_admin=True)
    text = page_text(b.get("/patientele/"))
    assert "Patientèle de l'équipe" in text
    assert "Camille Alpha" in text and "Camille Beta" in text
    assert "Avec assistant médical" in text and "Sans assistant médical" in text
    assert b.get(f"/patientele/medecin/{gp2.id}").status_code == 200


def test_another_practices_gp_is_refused(frozen_now, sign_in, session):
    other = f.make_practice(session)
    stranger = f.make_staff(session, other, profession="gp")
    session.commit()
    b, _ = sign_in("coordinator", is_admin=True)
    assert (
        b.get(f"/patientele/medecin/{stranger.id}").status_code == 404
    )  # no such page for this practice
    api = b.get(f"/api/v1/reports/patient-list?gp={stranger.id}")
    assert api.status_code == 422 and api.json["error"]["field"] == "gp"


def test_api_one_point_a_month(frozen_now, sign_in, session, practice):
    b, gp = sign_in("gp")
    _history(session, practice, gp, patients=6)
    response = b.get("/api/v1/reports/patient-list?from=2026-01&to=2026-11")
    assert response.status_code == 200
    items = response.json["items"]
    assert [i["month"] for i in items][:2] == ["2026-01", "2026-02"] and len(items) == 11
    assert set(items[0]) >= {
        "month", "patient_list", "adults", "children", "file_active", "started", "ended",
        "ald_share",
    }  # fmt: skip
    assert items[-1]["patient_list"] == items[-1]["adults"] + items[-1]["children"]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("from=2026-05&to=2026-01", 422, "to"),
        ("from=2022-01&to=2026-01", 422, "from"),
        ("from=janvier", 422, "from"),
        ("gp=abc", 422, "gp"),  # one policy: a wrong value is 422
    ],
)
def test_api_bad_input(frozen_now, sign_in, query, status, field):
    b, _ = sign_in("gp")
    response = b.get(f"/api/v1/reports/patient-list?{query}")
    assert response.status_code == status
    assert response.json["error"]["field"] == field
    assert response.json["error"]["message"][0].isupper()


def test_reversed_period_on_the_page_says_so_in_french(frozen_now, sign_in):
    b, gp = sign_in("gp")
    response = b.get(f"/patientele/medecin/{gp.id}?from=2026-05&to=2026-01")
    assert response.status_code == 422
    assert "la fin précède le début" in page_text(response)


def test_csv_export(frozen_now, sign_in, session, practice):
    b, gp = sign_in("gp")
    _history(session, practice, gp, patients=3)
    response = b.get(f"/patientele/medecin/{gp.id}/export.csv?from=2026-09&to=2026-11")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("month;patient_list;adults")
    assert [line.split(";")[0] for line in lines[1:]] == ["2026-09", "2026-10", "2026-11"]


def test_page_queries_do_not_grow_with_history(
    frozen_now, sign_in, session, practice, count_queries
):
    b, gp = sign_in("gp")
    coordinator, _ = sign_in("coordinator", is_admin=True)
    f.make_staff(session, practice, profession="gp")

    def measure() -> int:
        session.commit()
        snapshots.rebuild(session, practice=practice, first=date(2024, 12, 1),
                          last=date(2026, 11, 29), now=frozen_now)  # fmt: skip
        session.commit()
        with count_queries() as q:
            assert b.get(f"/patientele/medecin/{gp.id}").status_code == 200
            assert b.get("/").status_code == 200
            assert coordinator.get("/patientele/").status_code == 200
        return q.count

    _history(session, practice, gp, patients=5)
    small = measure()
    _history(session, practice, gp, patients=50, batch=1)
    large = measure()
    assert large == small, (small, large)


def test_worklists_are_access_logged_and_administrative_for_the_desk(
    frozen_now, sign_in, session, practice
):
    gp = f.make_staff(session, practice, profession="gp")
    ald = f.make_patient(session, practice, has_chronic_condition=True, family_name="Sansmt")
    f.make_request(session, ald, gp, has_chronic_condition=True)
    session.commit()
    session.commit()
    b, secretary = sign_in("secretary")
    response = b.get("/patientele/", follow_redirects=True)
    text = page_text(response)
    assert response.status_code == 200
    assert "Patients en ALD sans médecin traitant" in text and "SANSMT" in text
    assert "Vus souvent, non déclarés" not in text
    logged = session.query(AccessLog).filter_by(staff_id=secretary.id, action="reports.worklists")
    assert [row.patient_id for row in logged] == [ald.id]
    api = b.get(f"/api/v1/reports/patient-list/worklists?gp={gp.id}")
    assert api.status_code == 200
    assert [wl["key"] for wl in api.json["items"]] == ["pending_requests", "ald_without_gp"]


def test_nurse_sees_no_worklist(frozen_now, sign_in):
    b, _ = sign_in("nurse")
    assert b.get("/patientele/").status_code == 403
    assert b.get("/api/v1/reports/patient-list/worklists").status_code == 403


def test_openapi_documents_the_report_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/reports/patient-list" in paths and "/reports/patient-list/worklists" in paths


def test_coming_soon_routes_are_gone(frozen_now, sign_in):
    b, _ = sign_in("gp")
    assert b.get("/bientot/patientele").status_code == 404
    assert Staff  # the placeholder page no longer exists, nor its template
