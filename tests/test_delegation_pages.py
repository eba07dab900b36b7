"""The delegation pages: navigation, the nurse's queue, the GP's inbox, the task's thread,
the hand-off from the patient, consents; permissions, access log, bounded queries."""

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import Browser, page_text
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.delegation.models import CareTask, ProtocolConsent
from umpro.delegation.services import transitions

DT2_FORM = {"res-hba1c": "7,4", "res-pieds": "Normal", "res-ecg": "oui"}


@pytest.fixture
def team(session, practice):
    return factories.delegation_team(session, practice)


def _text(response) -> str:
    """The page's words without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_text(response)))


def _browser(app, staff) -> Browser:
    b = Browser(app.test_client())
    assert b.login(staff.email).status_code == 302
    return b


@pytest.fixture
def as_(app, team, session):
    session.commit()
    return lambda staff: _browser(app, staff)


URLS = [
    "/delegation/taches",
    "/delegation/boite",
    "/delegation/taches/1",
    "/delegation/protocoles",
    "/delegation/indicateurs",
    "/delegation/supervision",
    "/delegation/patients/1/nouvelle-tache",
    "/delegation/patients/1/consentements",
]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("profession", "labels", "absent"),
    [
        ("asalee_nurse", ["Tâches déléguées", "Protocoles"], ["Boîte de réception"]),
        ("gp", ["Boîte de réception", "Protocoles"], ["Tâches déléguées"]),
        ("secretary", [], ["Tâches déléguées", "Boîte de réception", "Protocoles"]),
    ],
)
def test_navigation_points_at_the_real_pages(sign_in, profession, labels, absent):
    b, _ = sign_in(profession)
    text = page_text(b.get("/"))
    for label in labels:
        assert label in text
    for label in absent:
        assert f">{label}<" not in text
    if "Tâches déléguées" in labels:
        assert 'href="/delegation/taches"' in b.get("/").text
    if "Boîte de réception" in labels:
        assert 'href="/delegation/boite"' in b.get("/").text


def test_queue_accept_and_thread(as_, session, team):
    task = factories.make_task(
        session, team.gp, team.patient, team.dt2, priority="asap", instructions="Revoir HbA1c"
    )
    nurse = as_(team.nurse)
    queue = nurse.get("/delegation/taches")
    assert queue.status_code == 200
    text = page_text(queue)
    assert team.patient.display_name in text and "Dès que possible" in text
    assert "Revoir HbA1c" in text
    log = session.scalar(select(AccessLog).where(AccessLog.action == "care_task.list_available"))
    assert log.patient_id == team.patient.id and log.staff_id == team.nurse.id
    accepted = nurse.post(f"/delegation/taches/{task.id}/statut", data={"to": "accepted"})
    assert accepted.status_code == 302
    page = nurse.get(accepted.headers["Location"])
    text = page_text(page)
    assert "Tâche : acceptée." in text
    assert "Commencer la prise en charge" in text and "Remettre dans la file" in text
    assert "Demandée → Acceptée" in text
    assert "Mes tâches en cours 1 " in _text(nurse.get("/delegation/taches"))


@pytest.mark.parametrize(
    ("url", "profession"),
    [
        ("/delegation/taches", "gp"),
        ("/delegation/boite", "asalee_nurse"),
        ("/delegation/boite", "secretary"),
    ],
)
def test_queue_and_inbox_are_for_their_people(sign_in, url, profession):
    b, _ = sign_in(profession)
    assert b.get(url).status_code == 403


def test_reject_needs_a_reason_on_the_page(as_, session, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    nurse = as_(team.nurse)
    refused = nurse.post(f"/delegation/taches/{task.id}/statut", data={"to": "rejected"})
    assert refused.status_code == 422
    assert "Indiquez le motif : il sera transmis au médecin." in page_text(refused)
    done = nurse.post(
        f"/delegation/taches/{task.id}/statut",
        data={"to": "rejected", "reason": "Patient hors secteur"},
    )
    assert done.status_code == 302
    inbox = page_text(as_(team.gp).get("/delegation/boite"))
    assert "Tâche refusée" in inbox and "Patient hors secteur" in inbox


def test_wrong_transition_on_the_page_is_a_french_409(as_, session, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    response = as_(team.nurse).post(
        f"/delegation/taches/{task.id}/statut", data={"to": "completed"}
    )
    assert response.status_code == 409
    assert "Une tâche « Demandée » ne peut pas passer à « Terminée »." in page_text(response)


def _in_progress(session, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    transitions.transition(session, acting=Acting(team.nurse, utcnow()), task=task, to="accepted")
    transitions.transition(
        session, acting=Acting(team.nurse, utcnow()), task=task, to="in-progress"
    )
    session.commit()
    return task


def test_results_form_keeps_values_and_names_each_field(as_, session, team):
    task = _in_progress(session, team)
    nurse = as_(team.nurse)
    page = page_text(nurse.get(f"/delegation/taches/{task.id}"))
    assert "Résultats de la séance" in page and "Valeur attendue de 3 à 20 %." in page
    bad = nurse.post(
        f"/delegation/taches/{task.id}/resultats",
        data={"res-hba1c": "31", "res-poids": "80", "reason": "RAS"},
    )
    assert bad.status_code == 422
    text = page_text(bad)
    assert "« HbA1c » doit être compris(e) de 3 à 20 %." in text
    assert "« Examen des pieds » est obligatoire." in text
    assert 'value="80"' in bad.text, "what was typed is kept"
    session.expire_all()
    assert session.get(CareTask, task.id).status == "in-progress"
    ok = nurse.post(f"/delegation/taches/{task.id}/resultats", data=DT2_FORM, follow_redirects=True)
    assert "Résultats enregistrés dans le dossier du patient" in page_text(ok)
    assert "HbA1c 7,4 %" in _text(ok)


def test_red_flag_on_the_page_goes_to_the_top_of_the_gps_inbox(as_, session, team):
    task = _in_progress(session, team)
    nurse = as_(team.nurse)
    response = nurse.post(
        f"/delegation/taches/{task.id}/resultats",
        data={"signs": ["douleur_thoracique"], "reason": "Douleur à l'effort"},
        follow_redirects=True,
    )
    assert "Signe d'alerte : la tâche revient au médecin (reprise)" in page_text(response)
    gp = as_(team.gp)
    inbox = page_text(gp.get("/delegation/boite"))
    assert "Reprise : signe d'alerte" in inbox and "Douleur thoracique" in inbox
    page = page_text(gp.get(f"/delegation/taches/{task.id}"))
    assert "Reprise par le médecin : signe d'alerte." in page
    assert "prévoyez le patient en soins non programmés" in page  # no agenda open here
    ack = gp.post(f"/delegation/taches/{task.id}/prise-en-compte", data={"note": "Vu ce jour"})
    assert ack.status_code == 302
    assert "Rien à prendre en compte." in page_text(gp.get("/delegation/boite"))


def test_task_page_permissions(as_, session, team, practice):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    secretary = factories.make_staff(session, practice, profession="secretary")
    other = factories.make_practice(session)
    outsider = factories.make_staff(session, other, profession="gp")
    session.commit()
    assert as_(secretary).get(f"/delegation/taches/{task.id}").status_code == 403
    assert as_(outsider).get(f"/delegation/taches/{task.id}").status_code == 404
    colleague = as_(team.gp2)
    page = colleague.get(f"/delegation/taches/{task.id}")
    assert page.status_code == 200 and "Annuler la demande" not in page_text(page)
    cancel = colleague.post(
        f"/delegation/taches/{task.id}/statut", data={"to": "cancelled", "reason": "x"}
    )
    assert cancel.status_code == 403
    view = session.scalar(
        select(AccessLog).where(
            AccessLog.action == "care_task.view", AccessLog.staff_id == team.gp2.id
        )
    )
    assert view.patient_id == team.patient.id and view.target == f"care_task:{task.id}"


def _hand_off_dt2(browser, url, inclusion_met, priority, **fields):
    """Posts the hand-off form for the Asalée type 2 diabetes protocol."""
    return browser.post(
        url,
        data={"protocol_code": "asalee-dt2", "inclusion_met": inclusion_met, "priority": priority}
        | fields,
    )


def test_hand_off_page(as_, session, team):
    gp = as_(team.gp)
    url = f"/delegation/patients/{team.patient.id}/nouvelle-tache"
    first = page_text(gp.get(url))
    assert "Confier une tâche sous protocole" in first and "Asalée — Suivi du patient" in first
    chosen = page_text(gp.get(f"{url}?protocole=asalee-dt2"))
    assert "Diabète de type 2 diagnostiqué par le médecin" in chosen
    assert "à recueillir" in chosen and "Consentement du patient au protocole" in chosen
    refused = _hand_off_dt2(gp, url, ["dt2", "suivi"], "routine")
    assert refused.status_code == 422
    assert "n'a pas donné son consentement" in page_text(refused)
    consent = gp.post(
        f"/delegation/patients/{team.patient.id}/consentements?retour=tache",
        data={"protocol_code": "asalee-dt2", "informed": "y"},
    )
    assert consent.status_code == 302 and "protocole=asalee-dt2" in consent.headers["Location"]
    missing = _hand_off_dt2(gp, url, ["dt2"], "routine")
    assert missing.status_code == 422
    assert "Critère d'inclusion non confirmé" in page_text(missing)
    created = _hand_off_dt2(gp, url, ["dt2", "suivi"], "urgent", instructions="Bilan complet")
    assert created.status_code == 302
    task = session.scalar(select(CareTask))
    assert (task.priority, task.instructions, task.requester_id) == (
        "urgent",
        "Bilan complet",
        team.gp.id,
    )


@pytest.mark.parametrize("profession", ["asalee_nurse", "secretary", "student"])
def test_hand_off_page_is_for_doctors(sign_in, session, practice, profession):
    patient = factories.make_patient(session, practice)
    session.commit()
    b, _ = sign_in(profession)
    assert b.get(f"/delegation/patients/{patient.id}/nouvelle-tache").status_code == 403


def test_consent_page_records_and_withdraws(as_, session, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    nurse = as_(team.nurse)
    url = f"/delegation/patients/{team.patient.id}/consentements"
    unconfirmed = nurse.post(url, data={"protocol_code": "cystite"})
    assert unconfirmed.status_code == 422
    assert "Confirmez que le patient a été informé et consent." in page_text(unconfirmed)
    assert nurse.post(url, data={"protocol_code": "cystite", "informed": "y"}).status_code == 302
    withdrawn = nurse.post(
        f"{url}/retrait",
        data={"protocol_code": "asalee-dt2", "note": "Ne souhaite plus"},
        follow_redirects=True,
    )
    assert "les tâches en cours de ce protocole sont annulées" in page_text(withdrawn)
    session.expire_all()
    assert session.get(CareTask, task.id).status == "cancelled"
    assert len(session.scalars(select(ProtocolConsent)).all()) == 2


def _many_tasks(session, practice, team, n):
    for _ in range(n):
        patient = factories.make_patient(
            session, practice, sex="F", birth_date=factories.born_years_ago(40)
        )
        task = factories.make_task(session, team.gp, patient, team.dt2)
        transitions.transition(
            session, acting=Acting(team.nurse, utcnow()), task=task, to="rejected", reason="Test"
        )
        other = factories.make_task(session, team.gp, patient, team.cystitis)
        del other
    session.commit()


def test_queue_and_inbox_run_a_bounded_number_of_queries(
    app, session, practice, team, count_queries
):
    counts = []
    for n in (2, 8):
        _many_tasks(session, practice, team, n)
        nurse, gp = _browser(app, team.nurse), _browser(app, team.gp)
        with count_queries() as queue:
            assert nurse.get("/delegation/taches").status_code == 200
        with count_queries() as inbox:
            assert gp.get("/delegation/boite").status_code == 200
        # The access log writes one row per patient shown (its own design): not counted.
        counts.append(
            tuple(
                len([s for s in q.statements if not s.startswith("INSERT INTO access_log")])
                for q in (queue, inbox)
            )
        )
    assert counts[0] == counts[1], counts
