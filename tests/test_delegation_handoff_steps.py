"""Hand-off in fewer steps (issue 15 §4): the consent recorded inside the hand-off form,
the protocol's fit checked as soon as it is chosen (page and JSON), the patient given as
a query parameter, « Accepter et commencer » in one step, and each warning shown once."""

import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import Browser, page_text
from umpro.auth.models import AccessLog
from umpro.delegation import states
from umpro.delegation.models import CareTask, ProtocolConsent, TaskEvent


@pytest.fixture
def team(frozen_now, session, practice):
    return factories.delegation_team(session, practice)


@pytest.fixture
def as_(app, team, session):
    session.commit()

    def _as(staff):
        b = Browser(app.test_client())
        assert b.login(staff.email).status_code == 302
        return b

    return _as


def _url(team) -> str:
    return f"/delegation/patients/{team.patient.id}/nouvelle-tache"


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_consent_is_recorded_with_the_task_in_one_form(as_, session, team):
    gp = as_(team.gp)
    page = page_text(gp.get(f"{_url(team)}?protocole=asalee-dt2"))
    assert "Consentement du patient au protocole" in page
    assert "recueillir le consentement</a>" not in page  # no detour to the consents page
    data = {"protocol_code": "asalee-dt2", "inclusion_met": ["dt2", "suivi"]}
    refused = gp.post(_url(team), data=data | {"priority": "routine"})
    assert refused.status_code == 422
    text = page_text(refused)
    assert text.count("n'a pas donné son consentement") == 1  # once, next to the box
    assert re.search(r'id="consent-err">[^<]*consentement', text)
    assert (_count(session, ProtocolConsent), _count(session, CareTask)) == (0, 0)
    created = gp.post(_url(team), data=data | {"priority": "routine", "consent": "y"})
    assert created.status_code == 302
    consent = session.scalar(select(ProtocolConsent))
    task = session.scalar(select(CareTask))
    assert consent.protocol_id == task.protocol_id == team.dt2.id
    assert consent.recorded_by_id == team.gp.id and consent.given_on.isoformat() == "2026-11-30"
    actions = set(session.scalars(select(AccessLog.action).where(AccessLog.staff_id == team.gp.id)))
    assert {"protocol_consent.give", "care_task.create"} <= actions


def test_a_refused_hand_off_records_no_consent(as_, session, team):
    gp = as_(team.gp)
    refused = gp.post(
        _url(team),
        data={
            "protocol_code": "asalee-dt2",
            "inclusion_met": ["dt2"],
            "priority": "routine",
            "consent": "y",
            "instructions": "Garder ceci",
        },
    )
    assert refused.status_code == 422
    text = page_text(refused)
    assert "Critère d'inclusion non confirmé" in text and "Garder ceci" in text
    assert re.search(r'<input[^>]*\bchecked\b[^>]*name="consent"', text)  # kept as typed
    assert _count(session, ProtocolConsent) == 0


def test_a_standing_consent_needs_no_box(as_, session, team):
    factories.make_consent(session, team.patient, team.dt2, actor=team.nurse)
    session.commit()
    page = page_text(as_(team.gp).get(f"{_url(team)}?protocole=asalee-dt2"))
    assert "recueilli le 30/11/2026" in page
    assert "Consentement du patient au protocole" not in page


def test_the_fit_is_told_as_soon_as_the_protocol_is_chosen(as_, team):
    gp = as_(team.gp)
    page = page_text(gp.get(f"{_url(team)}?protocole=asalee-cognitif"))
    assert "Ce protocole concerne les patients" in page and "ce patient a 50 ans" in page
    assert "Confier la tâche</button>" not in page  # no form to fill for nothing
    check = gp.get(f"{_url(team)}/verification?protocole=asalee-cognitif")
    assert check.status_code == 200
    body = check.get_json()
    assert body["eligible"] is False and body["consent"] == "needed"
    assert body["messages"][0].startswith("Ce protocole concerne les patients")
    fits = gp.get(f"{_url(team)}/verification?protocole=asalee-dt2").get_json()
    assert fits["eligible"] is True and fits["delegates"] == 1
    assert fits["messages"] == ["Consentement à recueillir : à confirmer dans le formulaire."]


def test_the_json_check_refuses_unknown_input(as_, team, sign_in):
    gp = as_(team.gp)
    unknown = gp.get(f"{_url(team)}/verification?protocole=inconnu")
    assert unknown.status_code == 422 and "Protocole inconnu" in page_text(unknown)
    assert gp.get(f"{_url(team)}/verification").status_code == 422
    assert gp.get(f"{_url(team)}/verification?protocole=" + "x" * 50).status_code == 422
    nurse = as_(team.nurse)
    assert nurse.get(f"{_url(team)}/verification?protocole=asalee-dt2").status_code == 403


def test_an_open_task_is_said_once_and_no_second_form(as_, session, team):
    factories.make_task(session, team.gp, team.patient, team.dt2)
    session.commit()
    page = page_text(as_(team.gp).get(f"{_url(team)}?protocole=asalee-dt2"))
    assert page.count("est déjà en cours pour ce patient") == 1
    assert "Confier la tâche</button>" not in page


def test_the_patient_may_come_as_a_query_parameter(as_, team):
    gp = as_(team.gp)
    response = gp.get(f"/delegation/nouvelle-tache?patient={team.patient.id}&protocole=cystite")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{_url(team)}?protocole=cystite")
    assert gp.get("/delegation/nouvelle-tache").status_code == 422
    assert gp.get("/delegation/nouvelle-tache?patient=abc").status_code in (400, 422)
    assert gp.get(f"/delegation/nouvelle-tache?patient={2**40}").status_code in (400, 404, 422)


def test_accept_and_start_in_one_step(as_, session, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    session.commit()
    nurse = as_(team.nurse)
    queue = page_text(nurse.get("/delegation/taches"))
    assert "Accepter et commencer" in queue
    response = nurse.post(
        f"/delegation/taches/{task.id}/accepter-et-commencer", data={"to": "in-progress"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#saisie")
    session.expire_all()
    task = session.get(CareTask, task.id)
    assert (task.status, task.owner_id) == (states.IN_PROGRESS, team.nurse.id)
    moves = session.scalars(
        select(TaskEvent.to_status).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id)
    ).all()
    assert moves == [states.REQUESTED, states.ACCEPTED, states.IN_PROGRESS]
    page = page_text(nurse.get(f"/delegation/taches/{task.id}"))
    assert "Enregistrer les résultats et terminer" in page


def test_accept_and_start_twice_is_a_clear_conflict(as_, session, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    session.commit()
    nurse = as_(team.nurse)
    url = f"/delegation/taches/{task.id}/accepter-et-commencer"
    assert nurse.post(url, data={"to": "in-progress"}).status_code == 302
    again = nurse.post(url, data={"to": "in-progress"})
    assert again.status_code == 409
    assert "n'est plus disponible" in page_text(again)
    gp = as_(team.gp)
    assert gp.post(url, data={"to": "in-progress"}).status_code in (403, 409)


def test_a_gp_cannot_accept_and_start(as_, session, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    session.commit()
    refused = as_(team.gp).post(
        f"/delegation/taches/{task.id}/accepter-et-commencer", data={"to": "in-progress"}
    )
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(CareTask, task.id).status == states.REQUESTED


def test_an_escalation_names_its_flags_once_on_the_task_page(as_, session, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    session.commit()
    nurse = as_(team.nurse)
    nurse.post(f"/delegation/taches/{task.id}/accepter-et-commencer", data={"to": "in-progress"})
    data = {"res-hba1c": "7,4", "res-pieds": "Normal", "res-ecg": "oui"}
    data["signs"] = ["douleur_thoracique"]
    assert nurse.post(f"/delegation/taches/{task.id}/resultats", data=data).status_code == 302
    page = page_text(as_(team.gp).get(f"/delegation/taches/{task.id}"))
    assert "Reprise par le médecin : signe d'alerte." in page
    assert page.count("<strong>Signes d'alerte :</strong>") == 0  # named in the alert only
    assert page.count("Douleur thoracique") == 3  # the alert, the results table, the history
