"""The home page per profession and the navigation badges (issue 13 §7, issue 15 §3)."""

import re
from datetime import date

from tests import factories as f
from tests.conftest import FROZEN_AT, page_text
from umpro.auth.models import AccessLog
from umpro.db import utcnow


def _escalate(session, task):
    task.inbox_at, task.inbox_reason = utcnow(), "escalation"
    session.commit()


def _badge(text: str, label: str) -> int | None:
    match = re.search(rf">{re.escape(label)} <span class=\"nav-count\">(\d+)<", text)
    return int(match.group(1)) if match else None


def test_gp_home_shows_the_day_inbox_requests_and_patient_list(
    frozen_now, session, practice, browser
):
    team = f.delegation_team(session, practice)
    task = f.make_task(session, team.gp, team.patient, team.dt2)
    _escalate(session, task)
    kind = f.make_appointment_type(session, practice)
    today_patient = f.make_patient(session, practice, family_name="Dujour")
    f.make_visit(session, team.gp, today_patient, on=date(2026, 11, 30), status="booked",
                 type=kind, hour="11:00")  # fmt: skip
    f.make_request(session, f.make_patient(session, practice), team.gp)
    f.make_declaration_period(session, today_patient, team.gp, start_on=date(2025, 3, 1))
    session.commit()
    browser.login(team.gp.email)
    response = browser.get("/")
    text = page_text(response)
    assert response.status_code == 200
    assert "Mes patients du jour" in text and "DUJOUR" in text and "11:00" in text
    assert re.search(r'<span class="count">1</span><strong>Reprises en attente', text)
    assert re.search(r'<span class="count">1</span><strong>Demandes de médecin traitant', text)
    assert re.search(r'<span class="count">1</span><strong>Ma patientèle', text)
    assert 'class="sparkline"' in text
    assert _badge(text, "Boîte de réception") == 1
    logged = session.query(AccessLog).filter_by(staff_id=team.gp.id, action="home.today")
    assert [row.patient_id for row in logged] == [today_patient.id]


def test_nurse_home_and_queue_badge(frozen_now, session, practice, browser):
    team = f.delegation_team(session, practice)
    f.make_task(session, team.gp, team.patient, team.dt2)
    session.commit()
    browser.login(team.nurse.email)
    text = page_text(browser.get("/"))
    assert re.search(r'<span class="count">1</span><strong>Tâches à prendre', text)
    assert "Mes séances du jour" in text
    assert _badge(text, "Tâches déléguées") == 1


def test_secretary_home_counts_the_day(frozen_now, sign_in, session, practice):
    b, _ = sign_in("secretary")
    gp = f.make_staff(session, practice, profession="gp")
    kind = f.make_appointment_type(session, practice)
    for n, (status, unscheduled) in enumerate(
        [("booked", False), ("fulfilled", False), ("booked", True), ("cancelled", False)]
    ):
        patient = f.make_patient(session, practice)
        f.make_appointment(session, gp, patient, start_at=f.local(date(2026, 11, 30),
                           f"{10 + n}:00"), status=status, is_unscheduled=unscheduled,
                           type=kind)  # fmt: skip
    f.make_request(session, f.make_patient(session, practice), gp)
    session.commit()
    text = page_text(b.get("/"))
    assert "Agenda du jour" in text
    assert re.search(r"<dt>Réservé</dt><dd>2</dd>", text)
    assert re.search(r"<dt>Annulé</dt><dd>1</dd>", text)
    assert re.search(r"<dt>Soins non programmés</dt><dd>1</dd>", text)
    assert _badge(text, "Patientèle") == 1


def test_no_badge_when_nothing_waits(frozen_now, sign_in):
    b, _ = sign_in("gp")
    assert 'class="nav-count"' not in b.get("/").text
    assert FROZEN_AT.year == 2026
