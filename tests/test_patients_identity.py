"""Patients: registration and edition (form and API), validation, duplicates, 404s."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import page_text
from umpro.auth.models import AccessLog
from umpro.errors import Invalid
from umpro.patients.models import Patient
from umpro.patients.services.identity import clean_ins, clean_phone

VALID = {
    "family_name": "Martin",
    "birth_name": "Rivière",
    "given_names": "Hélène",
    "birth_date": "12/03/1958",
    "sex": "F",
    "ins": "",
    "phone": "06 12 34 56 78",
    "email": "helene.martin@exemple.fr",
    "address": "4 rue Paul Bert",
    "postal_code": "69003",
    "city": "Lyon",
}


def _count(session, practice) -> int:
    return session.scalar(
        select(func.count()).select_from(Patient).where(Patient.practice_id == practice.id)
    )


def _log(session, action):
    return session.scalars(select(AccessLog).where(AccessLog.action == action)).all()


def test_secretary_registers_a_patient_through_the_form(sign_in, session, practice):
    b, secretary = sign_in("secretary")
    response = b.post("/patients/nouveau", data=VALID)
    assert response.status_code == 302
    patient = session.scalar(select(Patient).where(Patient.practice_id == practice.id))
    assert response.headers["Location"].endswith(f"/patients/{patient.id}")
    assert (patient.family_name, patient.given_names, patient.birth_name) == (
        "Martin",
        "Hélène",
        "Rivière",
    )
    assert patient.birth_date == date(1958, 3, 12)
    assert patient.phone == "06 12 34 56 78"
    [row] = _log(session, "patient.create")
    assert (row.staff_id, row.patient_id, row.target) == (
        secretary.id,
        patient.id,
        f"patient:{patient.id}",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"family_name": ""}, "Le nom est obligatoire."),
        ({"given_names": "  "}, "Le prénom est obligatoire."),
        ({"family_name": "1234"}, "Le nom doit contenir des lettres."),
        ({"birth_date": ""}, "La date de naissance est obligatoire."),
        ({"birth_date": "31/02/1958"}, "Date invalide : utilisez le format jj/mm/aaaa."),
        ({"birth_date": "demain"}, "Date invalide : utilisez le format jj/mm/aaaa."),
        ({"birth_date": "01/01/2999"}, "La date de naissance ne peut pas être dans le futur."),
        ({"birth_date": "01/01/1850"}, "Date de naissance invalide : avant 1900."),
        ({"sex": ""}, "Choisissez le sexe."),
        ({"ins": "1234"}, "L'INS comporte 15 caractères"),
        ({"ins": "1580375123456AB"}, "L'INS ne contient que des chiffres"),
        ({"ins": "158037512345699"}, "La clé de l'INS ne correspond pas"),
        ({"phone": "12345"}, "Numéro de téléphone invalide"),
        ({"email": "helene@"}, "Adresse e-mail invalide."),
        ({"postal_code": "6900"}, "Le code postal comporte 5 chiffres."),
    ],
)
def test_bad_input_gets_a_french_message_and_saves_nothing(
    sign_in, session, practice, changes, message
):
    b, _ = sign_in("secretary")
    response = b.post("/patients/nouveau", data=VALID | changes)
    assert response.status_code == 422
    assert message in page_text(response)
    assert 'class="error"' in response.text  # next to the field
    assert _count(session, practice) == 0
    assert _log(session, "patient.create") == []


def _with_key(body: str) -> str:
    number = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{body}{97 - number % 97:02d}"


@pytest.mark.parametrize("body", ["2580369123456", "1850275123456", "185022A123456"])
def test_ins_key_is_checked(body):
    ins = _with_key(body)
    assert clean_ins(ins[:5] + " " + ins[5:]) == ins
    wrong = ins[:-2] + f"{(int(ins[-2:]) + 1) % 100:02d}"
    with pytest.raises(Invalid, match="clé"):
        clean_ins(wrong)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0612345678", "06 12 34 56 78"),
        ("06.12.34.56.78", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("0033612345678", "06 12 34 56 78"),
        ("+32 470 12 34 56", "+32470123456"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(typed, stored):
    assert clean_phone(typed) == stored


def test_ins_used_twice_in_the_practice_is_refused(sign_in, session, practice):
    ins = _with_key("2580369123456")
    factories.make_patient(session, practice, ins=ins)
    session.commit()
    b, _ = sign_in("secretary")
    response = b.post("/patients/nouveau", data=VALID | {"ins": ins})
    assert response.status_code == 422
    assert "Cet INS est déjà attribué à un autre patient." in page_text(response)
    assert _count(session, practice) == 1


@pytest.mark.parametrize(
    "typed",
    [
        {"family_name": "MARTIN", "given_names": "Helene"},
        {"family_name": "Rivière", "given_names": "Hélène", "birth_name": ""},  # birth name
        {"family_name": "Martinn", "given_names": "Hélène"},  # typo
    ],
)
def test_likely_duplicate_is_warned_then_created_when_confirmed(sign_in, session, practice, typed):
    existing = factories.make_patient(
        session,
        practice,
        family_name="Martin",
        birth_name="Rivière",
        given_names="Hélène",
        birth_date=date(1958, 3, 12),
    )
    session.commit()
    b, _ = sign_in("secretary")
    data = VALID | {"birth_name": ""} | typed
    warned = b.post("/patients/nouveau", data=data)
    assert warned.status_code == 422
    text = page_text(warned)
    assert "Doublon probable" in text and "Un patient semblable existe déjà" in text
    assert f"/patients/{existing.id}" in text
    assert _count(session, practice) == 1
    confirmed = b.post("/patients/nouveau", data=data | {"confirm_duplicate": "y"})
    assert confirmed.status_code == 302
    assert _count(session, practice) == 2


def test_same_names_another_birth_date_is_no_duplicate(sign_in, session, practice):
    factories.make_patient(
        session, practice, family_name="Martin", given_names="Hélène", birth_date=date(1958, 3, 12)
    )
    session.commit()
    b, _ = sign_in("secretary")
    response = b.post("/patients/nouveau", data=VALID | {"birth_date": "13/03/1958"})
    assert response.status_code == 302


def test_edit_updates_identity_and_search(sign_in, session, practice):
    patient = factories.make_patient(session, practice, family_name="Durand", given_names="Paul")
    session.commit()
    b, staff = sign_in("medical_assistant")
    response = b.post(
        f"/patients/{patient.id}/modifier",
        data=VALID | {"family_name": "Lemoine", "given_names": "Paul", "birth_name": ""},
    )
    assert response.status_code == 302
    session.refresh(patient)
    assert patient.family_name == "Lemoine"
    assert {t.token for t in patient.name_tokens} == {"lemoine", "paul"}
    [row] = _log(session, "patient.update")
    assert (row.staff_id, row.patient_id) == (staff.id, patient.id)
    found = b.get("/patients/?q=lemoine")
    assert "LEMOINE Paul" in page_text(found)
    assert "LEMOINE" not in page_text(b.get("/patients/?q=durand"))


def test_edit_form_shows_french_date_and_refuses_bad_email(sign_in, session, practice):
    patient = factories.make_patient(session, practice, birth_date=date(1990, 7, 14))
    session.commit()
    b, _ = sign_in("secretary")
    assert 'value="14/07/1990"' in b.get(f"/patients/{patient.id}/modifier").text
    response = b.post(f"/patients/{patient.id}/modifier", data=VALID | {"email": "x@"})
    assert response.status_code == 422
    assert "Adresse e-mail invalide." in page_text(response)


@pytest.mark.parametrize("profession", ["student", "coordinator"])
def test_professions_that_do_not_register_patients(sign_in, profession):
    b, _ = sign_in(profession, is_admin=profession == "coordinator")
    assert b.get("/patients/nouveau").status_code == 403
    assert b.api("POST", "/api/v1/patients", json=VALID).status_code == 403


def test_another_practices_patient_answers_404(sign_in, session):
    other = factories.make_practice(session)
    patient = factories.make_patient(session, other)
    session.commit()
    b, _ = sign_in("gp")
    for url in (
        f"/patients/{patient.id}",
        f"/patients/{patient.id}/modifier",
        f"/patients/{patient.id}/fiche-information",
        f"/api/v1/patients/{patient.id}",
    ):
        response = b.get(url)
        assert response.status_code == 404, url
    assert "Patient introuvable." in page_text(b.get(f"/patients/{patient.id}"))
    assert b.get("/api/v1/patients/999999").json["error"]["code"] == "not_found"


def test_anonymous_is_sent_to_login(client, session, practice):
    patient = factories.make_patient(session, practice)
    session.commit()
    assert client.get(f"/patients/{patient.id}").status_code == 302
    assert client.get(f"/api/v1/patients/{patient.id}").status_code == 401


# --- API ------------------------------------------------------------------------------

API_VALID = VALID | {"birth_date": "1958-03-12"}


def test_api_creates_reads_and_logs(app, session, practice, api_key_for):
    secretary = factories.make_staff(session, practice, profession="secretary")
    headers = api_key_for(secretary)
    api = app.test_client()
    response = api.post("/api/v1/patients", json=API_VALID, headers=headers)
    assert response.status_code == 201
    body = response.json
    assert body["display_name"] == "MARTIN Hélène"
    assert body["birth_date"] == "1958-03-12"
    assert body["treating_gp"] is None and body["has_sharing_objection"] is False
    read = api.get(f"/api/v1/patients/{body['id']}", headers=headers)
    assert read.status_code == 200 and read.json["phone"] == "06 12 34 56 78"
    [row] = _log(session, "patient.view")
    assert (row.patient_id, row.target) == (body["id"], f"api:patient:{body['id']}")


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        (API_VALID | {"birth_date": "12/03/1958"}, 422, "birth_date"),
        (API_VALID | {"birth_date": 19580312}, 422, "birth_date"),
        (API_VALID | {"family_name": ""}, 422, "family_name"),
        (API_VALID | {"family_name": 12}, 422, "family_name"),
        (API_VALID | {"sex": "X"}, 422, "sex"),
        (API_VALID | {"has_chronic_condition": "oui"}, 422, "has_chronic_condition"),
        (API_VALID | {"ins": "158037512345699"}, 422, "ins"),
    ],
)
def test_api_bad_input_is_a_french_4xx(sign_in, session, practice, payload, status, field):
    b, _ = sign_in("secretary")
    response = b.api("POST", "/api/v1/patients", json=payload)
    assert response.status_code == status
    assert response.json["error"]["field"] == field
    assert response.json["error"]["message"][0].isupper()
    assert _count(session, practice) == 0


def test_api_body_must_be_a_json_object(sign_in):
    b, _ = sign_in("secretary")
    response = b.api("POST", "/api/v1/patients", json=["x"])
    assert response.status_code == 400
    assert "objet JSON" in response.json["error"]["message"]


def test_api_likely_duplicate_is_409_until_confirmed(sign_in, session, practice):
    factories.make_patient(
        session, practice, family_name="Martin", given_names="Hélène", birth_date=date(1958, 3, 12)
    )
    session.commit()
    b, _ = sign_in("secretary")
    response = b.api("POST", "/api/v1/patients", json=API_VALID)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "likely_duplicate"
    confirmed = b.api("POST", "/api/v1/patients", json=API_VALID | {"confirm_duplicate": True})
    assert confirmed.status_code == 201


def test_openapi_describes_the_patients_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"get", "post"} <= set(paths["/patients"])
    assert "get" in paths["/patients/{patient_id}"]
    assert {"get", "post"} <= set(paths["/registration-requests"])
    assert "post" in paths["/registration-requests/{request_id}/decision"]
