"""The agenda API: /appointment-types, /slots, /appointments (list, create, patch, cancel),
French JSON errors with 400/403/404/409/422, never a 500."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import (
    future_weekday,
    local,
    make_appointment_type,
    make_open_staff,
    make_patient,
    make_practice,
    make_staff,
)
from umpro.auth.models import AccessLog
from umpro.scheduling.models import Appointment


@pytest.fixture
def scene(session, practice, api_key_for):
    gp = make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    secretary = make_staff(session, practice, profession="secretary")
    nurse = make_open_staff(session, practice, profession="asalee_nurse")
    student = make_staff(session, practice, profession="student")
    consult = make_appointment_type(session, practice, label="Consultation")
    session_type = make_appointment_type(
        session,
        practice,
        label="Séance Asalée",
        duration_minutes=60,
        professions=["asalee_nurse"],
        colour="green",
    )
    patient = make_patient(session, practice, family_name="Durand", given_names="Hélène")
    session.commit()
    return {
        "gp": gp,
        "secretary": secretary,
        "nurse": nurse,
        "student": student,
        "consult": consult,
        "session_type": session_type,
        "patient": patient,
        "day": future_weekday(1),
        "headers": api_key_for(secretary),
        "keys": api_key_for,
    }


def post(client, scene, headers=None, **overrides):
    body = {
        "patient_id": scene["patient"].id,
        "staff_id": scene["gp"].id,
        "type_id": scene["consult"].id,
        "start": local(scene["day"], "09:00").isoformat(),
    } | overrides
    return client.post("/api/v1/appointments", json=body, headers=headers or scene["headers"])


def count(session) -> int:
    return session.scalar(select(func.count(Appointment.id)))


def test_appointment_types(client, scene):
    response = client.get("/api/v1/appointment-types", headers=scene["headers"])
    assert response.status_code == 200
    labels = {t["label"]: t for t in response.json["items"]}
    assert labels["Séance Asalée"]["duration_minutes"] == 60
    assert labels["Séance Asalée"]["professions"] == ["asalee_nurse"]
    assert labels["Consultation"]["colour"] == "blue"


def test_slots_give_staff_start_end_and_room(client, scene):
    day = scene["day"].isoformat()
    response = client.get(
        f"/api/v1/slots?type={scene['consult'].id}&staff={scene['gp'].id}&from={day}&to={day}"
        "&limit=3",
        headers=scene["headers"],
    )
    assert response.status_code == 200, response.json
    items = response.json["items"]
    assert [i["start"][11:16] for i in items] == ["08:00", "08:15", "08:30"]
    assert items[0]["start"][-6:] in ("+01:00", "+02:00")
    assert items[0]["staff"]["id"] == scene["gp"].id
    assert items[0]["room"] == {"id": scene["gp"].test_room.id, "name": scene["gp"].test_room.name}


def test_slots_for_any_capable_staff(client, scene):
    day = scene["day"].isoformat()
    response = client.get(
        f"/api/v1/slots?type={scene['session_type'].id}&from={day}&to={day}",
        headers=scene["headers"],
    )
    assert {i["staff"]["id"] for i in response.json["items"]} == {scene["nurse"].id}


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("", 422, "Précisez le type de rendez-vous"),
        ("type=abc", 422, "Identifiant invalide"),
        ("type=999999", 404, "Type de rendez-vous introuvable."),
        ("type={type}&from=2027-02-30", 422, "Date illisible"),
        ("type={type}&from=2027-01-10&to=2027-01-01", 422, "La fin de la période"),
        ("type={type}&from=2027-01-01&to=2027-06-01", 422, "dépasse 62 jours"),
        ("type={type}&staff=x", 422, "Identifiants attendus"),
        ("type={type}&staff=999999", 404, "Membre de l'équipe introuvable."),
    ],
)
def test_bad_slot_queries_get_french_json_errors(client, scene, query, status, message):
    url = "/api/v1/slots?" + query.format(type=scene["consult"].id)
    response = client.get(url, headers=scene["headers"])
    assert response.status_code == status
    assert message in response.json["error"]["message"]


def test_create_answers_201_with_the_appointment_and_logs_access(client, session, scene):
    response = post(client, scene)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"] and body["status"] == "booked" and body["version"] == 1
    assert body["sequence"] == 0 and len(body["uid"]) == 36
    assert body["patient"]["display_name"] == "DURAND Hélène"
    assert body["room"]["id"] == scene["gp"].test_room.id
    assert body["start"].startswith(f"{scene['day'].isoformat()}T09:00:00+0")
    assert (
        session.scalar(
            select(func.count(AccessLog.id)).where(
                AccessLog.action == "appointment.create",
                AccessLog.patient_id == scene["patient"].id,
            )
        )
        == 1
    )
    listed = client.get(
        f"/api/v1/appointments?staff={scene['gp'].id}&from={scene['day']}&to={scene['day']}",
        headers=scene["headers"],
    )
    assert [a["id"] for a in listed.json["items"]] == [body["id"]]
    assert (
        session.scalar(select(func.count(AccessLog.id)).where(AccessLog.action == "agenda.read"))
        == 1
    )


def test_a_taken_time_answers_409(client, session, scene):
    assert post(client, scene).status_code == 201
    other = make_patient(session, scene["gp"].practice)
    session.commit()
    response = post(
        client, scene, patient_id=other.id, start=local(scene["day"], "09:10").isoformat()
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert "a déjà un rendez-vous de 09:00 à 09:15" in response.json["error"]["message"]
    assert count(session) == 1


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2027-03-28T02:30", "L'heure 02:30 n'existe pas le 28/03/2027 (passage à l'heure d'été)"),
        (
            "2026-10-25T02:30",
            "L'heure 02:30 existe deux fois le 25/10/2026 (passage à l'heure d'hiver)",
        ),
    ],
)
def test_dst_local_times_are_refused_in_french(client, session, scene, start, message):
    response = post(client, scene, start=start)
    assert response.status_code == 422
    assert message in response.json["error"]["message"]
    assert response.json["error"]["field"] == "start"
    assert count(session) == 0


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"start": "demain 9h"}, 422, "Date et heure illisibles"),
        ({"start": None}, 422, "Début : champ obligatoire."),
        ({"patient_id": "abc"}, 422, "Identifiant invalide"),
        ({"patient_id": 999999}, 404, "Patient introuvable."),
        ({"type_id": "session_type"}, 422, "ne réalise pas « Séance Asalée »"),
        ({"start": "12:30"}, 422, "en dehors des plages d'ouverture"),
        ({"start": "10:00", "end": "09:00"}, 422, "La fin du rendez-vous doit être après"),
        ({"source": "pigeon"}, 422, "Origine du rendez-vous inconnue."),
    ],
)
def test_bad_bookings_get_french_errors_and_save_nothing(
    client, session, scene, overrides, status, message
):
    for key in ("start", "end"):
        if isinstance(overrides.get(key), str) and len(overrides[key]) == 5:
            overrides[key] = local(scene["day"], overrides[key]).isoformat()
    if overrides.get("type_id") == "session_type":
        overrides["type_id"] = scene["session_type"].id
    response = post(client, scene, **overrides)
    assert response.status_code == status, response.json
    assert message in response.json["error"]["message"]
    assert count(session) == 0


def test_a_patient_of_another_practice_is_not_found(client, session, scene):
    stranger = make_patient(session, make_practice(session))
    session.commit()
    response = post(client, scene, patient_id=stranger.id)
    assert response.status_code == 404
    assert response.json["error"]["field"] == "patient_id"


def test_not_a_json_object_is_400(client, scene):
    response = client.post(
        "/api/v1/appointments", data="[]", headers=scene["headers"], content_type="application/json"
    )
    assert response.status_code == 400
    assert "objet JSON" in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("who", "owner", "status"),
    [
        ("student", "gp", 403),
        ("nurse", "gp", 403),
        ("nurse", "nurse", 201),
        ("gp", "gp", 201),
        ("secretary", "nurse", 201),
    ],
)
def test_booking_permissions(client, scene, who, owner, status):
    kind = scene["session_type"] if owner == "nurse" else scene["consult"]
    response = post(
        client, scene, headers=scene["keys"](scene[who]), staff_id=scene[owner].id, type_id=kind.id
    )
    assert response.status_code == status, response.json
    if status == 403:
        assert response.json["error"]["code"] == "forbidden"


def test_patch_moves_and_refuses_a_stale_version(client, scene):
    created = post(client, scene).json
    url = f"/api/v1/appointments/{created['id']}"
    moved = client.patch(
        url,
        json={"version": 1, "start": local(scene["day"], "15:00").isoformat()},
        headers=scene["headers"],
    )
    assert moved.status_code == 200, moved.json
    assert (moved.json["sequence"], moved.json["version"]) == (1, 2)
    assert moved.json["start"][11:16] == "15:00"
    stale = client.patch(
        url,
        json={"version": 1, "start": local(scene["day"], "16:00").isoformat()},
        headers=scene["headers"],
    )
    assert stale.status_code == 409
    assert "modifié entre-temps, rechargez" in stale.json["error"]["message"]
    assert client.get(url, headers=scene["headers"]).json["start"][11:16] == "15:00"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 422, "Version : champ obligatoire."),
        ({"version": 1, "colour": "red"}, 422, "Champ non modifiable : colour."),
        ({"version": 1, "status": "fulfilled"}, 422, "n'a pas encore commencé"),
        ({"version": 1, "status": "volatilised"}, 422, "Statut inconnu."),
        ({"version": 1, "start": "2027-03-28T02:30"}, 422, "n'existe pas"),
    ],
)
def test_bad_patches(client, scene, body, status, message):
    created = post(client, scene).json
    response = client.patch(
        f"/api/v1/appointments/{created['id']}", json=body, headers=scene["headers"]
    )
    assert response.status_code == status, response.json
    assert message in response.json["error"]["message"]


def test_cancel_needs_a_reason_then_frees_the_time(client, session, scene):
    created = post(client, scene).json
    url = f"/api/v1/appointments/{created['id']}/cancel"
    refused = client.post(url, json={"version": 1}, headers=scene["headers"])
    assert refused.status_code == 422
    assert refused.json["error"]["message"] == "Indiquez le motif de l'annulation."
    done = client.post(
        url, json={"version": 1, "reason": "Patient hospitalisé"}, headers=scene["headers"]
    )
    assert done.status_code == 200
    assert (done.json["status"], done.json["cancel_reason"]) == ("cancelled", "Patient hospitalisé")
    assert post(client, scene).status_code == 201


def test_another_practices_appointment_is_404(client, session, scene):
    created = post(client, scene).json
    other_practice = make_practice(session)
    outsider = make_staff(session, other_practice, profession="secretary")
    session.commit()
    headers = scene["keys"](outsider)
    assert client.get(f"/api/v1/appointments/{created['id']}", headers=headers).status_code == 404
    response = client.post(
        f"/api/v1/appointments/{created['id']}/cancel", json={"reason": "x"}, headers=headers
    )
    assert response.status_code == 404


def test_openapi_describes_the_agenda(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"get"} <= set(paths["/appointment-types"])
    assert {"get"} <= set(paths["/slots"])
    assert {"get", "post"} <= set(paths["/appointments"])
    assert {"get", "patch"} <= set(paths["/appointments/{appointment_id}"])
    assert "post" in paths["/appointments/{appointment_id}/cancel"]


def test_dates_in_the_past_of_dst_are_iso_with_offset(client, scene):
    # 2026-10-25 is a Sunday; the offset flips in the middle of the night.
    assert date(2026, 10, 25).weekday() == 6
    response = client.get(
        "/api/v1/appointments?from=2026-10-25&to=2026-10-25", headers=scene["headers"]
    )
    assert response.status_code == 200 and response.json == {"items": []}


def test_slots_offer_the_patients_treating_gp_first(client, session, scene):
    from umpro.patients.models import TreatingDeclaration

    other_gp = make_open_staff(session, scene["gp"].practice)
    session.add(
        TreatingDeclaration(
            practice_id=scene["gp"].practice_id,
            patient_id=scene["patient"].id,
            gp_id=other_gp.id,
            start_on=date(2020, 1, 1),
        )
    )
    session.commit()
    day = scene["day"].isoformat()
    url = f"/api/v1/slots?type={scene['consult'].id}&from={day}&to={day}&limit=3"
    first = client.get(url, headers=scene["headers"]).json["items"]
    assert [i["staff"]["id"] for i in first] == [scene["gp"].id, other_gp.id, scene["gp"].id]
    preferred = client.get(f"{url}&patient={scene['patient'].id}", headers=scene["headers"])
    assert {i["staff"]["id"] for i in preferred.json["items"]} == {other_gp.id}
    assert (
        session.scalar(select(func.count(AccessLog.id)).where(AccessLog.action == "slots.search"))
        == 1
    )


def test_a_student_reads_the_agenda_without_other_peoples_patients(client, scene):
    created = post(client, scene).json
    headers = scene["keys"](scene["student"])
    day = scene["day"].isoformat()
    listed = client.get(f"/api/v1/appointments?from={day}&to={day}", headers=headers).json
    assert [(a["id"], a["patient"], a["patient_id"]) for a in listed["items"]] == [
        (created["id"], None, None)
    ]
    response = client.get(f"/api/v1/appointments/{created['id']}", headers=headers)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "query", ["appointments?from=9999-12-31&to=9999-12-31", "appointments?from=0001-01-01"]
)
def test_dates_out_of_range_are_422_not_500(client, scene, query):
    response = client.get(f"/api/v1/{query}", headers=scene["headers"])
    assert response.status_code == 422
    assert "Date hors limites" in response.json["error"]["message"]
