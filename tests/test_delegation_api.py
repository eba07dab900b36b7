"""The delegation endpoints of /api/v1/: exactly the issue's list, French 4xx JSON errors,
nothing saved on refusal, described in OpenAPI."""

import pytest
from sqlalchemy import func, select

from tests import factories
from umpro.acting import Acting
from umpro.db import utcnow
from umpro.delegation.models import CareTask, ProtocolConsent, TaskEvent
from umpro.patients import services as patients

DT2_OK = {"hba1c": 6.9, "pieds": "Normal", "ecg": True}


@pytest.fixture
def team(session, practice):
    return factories.delegation_team(session, practice)


@pytest.fixture
def keys(api_key_for, team, session):
    session.commit()
    return {
        "gp": api_key_for(team.gp),
        "gp2": api_key_for(team.gp2),
        "nurse": api_key_for(team.nurse),
        "apn": api_key_for(team.apn),
    }


@pytest.fixture
def task(session, team):
    """A DT2 task the team's GP hands off for the team's patient (requested, committed)."""
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    session.commit()
    return task


def _body(team, **overrides):
    return {
        "patient_id": team.patient.id,
        "protocol_code": "asalee-dt2",
        "instructions": "Bilan annuel",
        "priority": "urgent",
        "inclusion_met": ["dt2", "suivi"],
    } | overrides


def _tasks(session) -> int:
    return session.scalar(select(func.count(CareTask.id)))


def test_hand_off_accept_complete_through_the_api(client, session, team, keys):
    factories.make_consent(session, team.patient, team.dt2)
    session.commit()
    created = client.post("/api/v1/tasks", json=_body(team), headers=keys["gp"])
    assert created.status_code == 201, created.json
    task = created.json
    assert (task["status"], task["priority"], task["protocol_code"]) == (
        "requested",
        "urgent",
        "asalee-dt2",
    )
    assert task["requester"]["id"] == team.gp.id and task["owner"] is None
    available = client.get("/api/v1/tasks?view=available", headers=keys["nurse"]).json
    assert [t["id"] for t in available["items"]] == [task["id"]]
    assert client.get("/api/v1/tasks?view=available", headers=keys["apn"]).json["items"] == []
    url = f"/api/v1/tasks/{task['id']}/transition"
    accepted = client.post(url, json={"to": "accepted"}, headers=keys["nurse"])
    assert accepted.status_code == 200 and accepted.json["owner"]["id"] == team.nurse.id
    assert {t["to"] for t in accepted.json["allowed_transitions"]} == {
        "in-progress",
        "requested",
    }
    mine = client.get("/api/v1/tasks?view=mine", headers=keys["nurse"]).json["items"]
    assert [t["id"] for t in mine] == [task["id"]]
    client.post(url, json={"to": "in-progress"}, headers=keys["nurse"])
    done = client.post(
        url, json={"to": "completed", "results": DT2_OK | {"hba1c": 10.5}}, headers=keys["nurse"]
    )
    assert done.status_code == 200
    assert done.json["results"]["hba1c"] == 10.5
    assert done.json["red_flags"] == ["HbA1c supérieure à 10 %"]
    assert done.json["is_taken_back"] and done.json["inbox_reason"] == "escalation"
    inbox = client.get("/api/v1/tasks?view=inbox", headers=keys["gp"]).json["items"]
    assert [t["id"] for t in inbox] == [task["id"]]
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=keys["gp"]).json
    assert [(e["from"], e["to"]) for e in detail["events"]] == [
        (None, "requested"),
        ("requested", "accepted"),
        ("accepted", "in-progress"),
        ("in-progress", "completed"),
    ]
    assert detail["events"][1]["actor"]["id"] == team.nurse.id
    assert detail["file_entry_id"] is not None


@pytest.mark.parametrize(
    ("overrides", "status", "field", "message"),
    [
        ({"protocol_code": "inconnu"}, 422, "protocol_code", "Protocole inconnu : « inconnu »."),
        ({"patient_id": "12"}, 422, "patient_id", "Identifiant invalide"),
        ({"patient_id": 999_999}, 404, None, "Patient introuvable."),
        ({"due_on": "31/12/2030"}, 422, "due_on", "utilisez le format AAAA-MM-JJ."),
        ({"priority": "stat"}, 422, "priority", "Priorité inconnue (routine, urgent ou asap)."),
        ({"inclusion_met": "dt2"}, 422, "inclusion_met", "Une liste de clés"),
        (
            {"inclusion_met": ["dt2"]},
            422,
            "inclusion_met",
            "Critère d'inclusion non confirmé : « Patient suivi par un médecin de l'équipe ».",
        ),
        (
            {"exclusions_present": ["grossesse"]},
            422,
            "exclusions_present",
            "Critère d'exclusion présent : « Grossesse en cours ».",
        ),
        (
            {"protocol_code": "cystite", "inclusion_met": ["symptomes"]},
            422,
            "consent",
            "n'a pas donné son consentement",
        ),
    ],
)
def test_bad_hand_off_answers_french_json_and_saves_nothing(
    client, session, team, keys, overrides, status, field, message
):
    factories.make_consent(session, team.patient, team.dt2)
    session.commit()
    response = client.post("/api/v1/tasks", json=_body(team, **overrides), headers=keys["gp"])
    assert response.status_code == status
    error = response.json["error"]
    assert message in error["message"]
    assert error.get("field") == field
    assert _tasks(session) == 0


def test_hand_off_refusals_by_person_and_objection(client, session, team, keys, practice):
    factories.make_consent(session, team.patient, team.dt2)
    session.commit()
    assert client.post("/api/v1/tasks", json=_body(team), headers=keys["nurse"]).status_code == 403
    patients.record_objection(session, acting=Acting(team.gp, utcnow()), patient=team.patient)
    session.commit()
    refused = client.post("/api/v1/tasks", json=_body(team), headers=keys["gp"])
    assert refused.status_code == 403
    assert "s'oppose au partage" in refused.json["error"]["message"]
    other = factories.make_practice(session)
    stranger = factories.make_patient(session, other)
    session.commit()
    assert (
        client.post(
            "/api/v1/tasks", json=_body(team, patient_id=stranger.id), headers=keys["gp"]
        ).status_code
        == 404
    )
    assert client.post("/api/v1/tasks", data="pas du json", headers=keys["gp"]).status_code == 400
    assert _tasks(session) == 0


def test_transition_refusals(client, session, team, keys, task):
    url = f"/api/v1/tasks/{task.id}/transition"
    wrong_state = client.post(url, json={"to": "completed"}, headers=keys["nurse"])
    assert wrong_state.status_code == 409
    assert wrong_state.json["error"] == {
        "code": "invalid_transition",
        "message": "Une tâche « Demandée » ne peut pas passer à « Terminée ».",
        "field": "to",
    }
    not_them = client.post(url, json={"to": "accepted"}, headers=keys["apn"])
    assert not_them.status_code == 403
    assert (
        client.post(url, json={"to": "rejected"}, headers=keys["nurse"]).json["error"]["field"]
        == "reason"
    )
    assert client.post(url, json={"to": 3}, headers=keys["nurse"]).status_code == 422
    client.post(url, json={"to": "accepted"}, headers=keys["nurse"])
    client.post(url, json={"to": "in-progress"}, headers=keys["nurse"])
    bad = client.post(
        url,
        json={"to": "completed", "results": {"hba1c": 40, "ecg": "oui"}},
        headers=keys["nurse"],
    )
    assert bad.status_code == 422
    assert bad.json["error"]["fields"] == {
        "results.hba1c": "« HbA1c » doit être compris(e) de 3 à 20 %.",
        "results.pieds": "« Examen des pieds » est obligatoire.",
    }
    assert bad.json["error"]["field"] == "results.hba1c"
    session.expire_all()
    task = session.get(CareTask, task.id)
    assert task.status == "in-progress" and task.results is None
    events = session.scalar(select(func.count(TaskEvent.id)).where(TaskEvent.task_id == task.id))
    assert events == 3
    assert (
        client.post(url, json={"to": "completed", "results": []}, headers=keys["nurse"]).status_code
        == 422
    )


def test_task_visibility(client, session, team, keys, api_key_for, practice, task):
    secretary = factories.make_staff(session, practice, profession="secretary")
    other = factories.make_practice(session)
    outsider = factories.make_staff(session, other, profession="gp")
    session.commit()
    assert client.get(f"/api/v1/tasks/{task.id}", headers=keys["gp2"]).status_code == 200
    assert client.get(f"/api/v1/tasks/{task.id}", headers=api_key_for(secretary)).status_code == 403
    assert client.get(f"/api/v1/tasks/{task.id}", headers=api_key_for(outsider)).status_code == 404
    assert client.get("/api/v1/tasks/999999", headers=keys["gp"]).status_code == 404
    bad_view = client.get("/api/v1/tasks?view=toutes", headers=keys["gp"])
    assert bad_view.status_code == 422 and bad_view.json["error"]["field"] == "view"
    assert client.get("/api/v1/tasks?view=available", headers=keys["gp"]).status_code == 403
    assert client.get("/api/v1/tasks").status_code == 401


def test_protocols(client, team, keys):
    response = client.get("/api/v1/protocols", headers=keys["nurse"])
    assert response.status_code == 200
    items = {p["code"]: p for p in response.json["items"]}
    assert set(items) == {
        "asalee-dt2",
        "asalee-rcv",
        "asalee-bpco",
        "asalee-cognitif",
        "cystite",
        "odynophagie",
    }
    hba1c = items["asalee-dt2"]["result_fields"][0]
    assert hba1c == {
        "key": "hba1c",
        "label": "HbA1c",
        "type": "number",
        "required": True,
        "unit": "%",
        "min": 3.0,
        "max": 20.0,
    }
    assert items["cystite"]["sexes"] == ["F"] and items["cystite"]["consent_required"]


def test_consents_given_and_withdrawn(client, session, team, keys, task):
    url = f"/api/v1/patients/{team.patient.id}/consents"
    given = client.post(url, json={"protocol_code": "cystite"}, headers=keys["nurse"])
    assert given.status_code == 201
    assert given.json["is_standing"] and given.json["protocol_code"] == "cystite"
    again = client.post(url, json={"protocol_code": "cystite"}, headers=keys["nurse"])
    assert again.status_code == 409 and "déjà enregistré" in again.json["error"]["message"]
    unknown = client.post(url, json={"protocol_code": "x"}, headers=keys["nurse"])
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "protocol_code"
    withdrawn = client.delete(url, json={"protocol_code": "asalee-dt2"}, headers=keys["gp"])
    assert withdrawn.status_code == 200 and not withdrawn.json["is_standing"]
    session.expire_all()
    assert session.get(CareTask, task.id).status == "cancelled"
    by_query = client.delete(f"{url}?protocol_code=cystite", headers=keys["gp"])
    assert by_query.status_code == 200
    none_left = client.delete(url, json={"protocol_code": "cystite"}, headers=keys["gp"])
    assert none_left.status_code == 409
    assert session.scalar(select(func.count(ProtocolConsent.id))) == 2


def test_consent_refused_to_the_desk(client, session, team, api_key_for, practice):
    secretary = factories.make_staff(session, practice, profession="secretary")
    session.commit()
    response = client.post(
        f"/api/v1/patients/{team.patient.id}/consents",
        json={"protocol_code": "cystite"},
        headers=api_key_for(secretary),
    )
    assert response.status_code == 403
    assert session.scalar(select(func.count(ProtocolConsent.id))) == 0


def test_browser_session_needs_the_csrf_header(sign_in, session, practice):
    team = factories.delegation_team(session, practice)
    factories.make_consent(session, team.patient, team.dt2)
    session.commit()
    b, gp = sign_in("gp")
    body = {
        "patient_id": team.patient.id,
        "protocol_code": "asalee-dt2",
        "inclusion_met": ["dt2", "suivi"],
    }
    assert b.client.post("/api/v1/tasks", json=body).status_code == 400
    created = b.api("POST", "/api/v1/tasks", json=body)
    assert created.status_code == 201 and created.json["requester"]["id"] == gp.id


def test_openapi_describes_the_endpoints(client):
    document = client.get("/api/v1/openapi.json").json
    paths = document["paths"]
    assert set(paths["/tasks"]) == {"get", "post"}
    assert "post" in paths["/tasks/{task_id}/transition"] and "get" in paths["/tasks/{task_id}"]
    assert "get" in paths["/protocols"]
    assert {"post", "delete"} <= set(paths["/patients/{patient_id}/consents"])
    schemas = document["components"]["schemas"]
    assert {"CareTask", "CareTaskInput", "TransitionInput", "Protocol", "Consent"} <= set(schemas)
