"""Requests to become a patient's médecin traitant: intake, queue order, decisions (the
decline rules), the printable record of declines, the API."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.errors import Conflict, Forbidden, Invalid
from umpro.patients import services
from umpro.patients.models import RegistrationRequest, TreatingDeclaration
from umpro.timeutil import local_today


@pytest.fixture
def gp(session, practice):
    return factories.make_staff(session, practice, profession="gp", family_name="Benali")


@pytest.fixture
def patient(session, practice):
    return factories.make_patient(session, practice, family_name="Traoré", given_names="Awa")


def _requests(session):
    return session.scalar(select(func.count()).select_from(RegistrationRequest))


def _actions(session):
    return session.scalars(select(AccessLog.action).order_by(AccessLog.id)).all()


@pytest.mark.parametrize("profession", ["secretary", "health_mediator"])
def test_intake_by_secretary_or_mediator(sign_in, session, gp, patient, profession):
    session.commit()
    b, staff = sign_in(profession)
    form = b.get(f"/patients/{patient.id}/demandes/nouvelle")
    assert form.status_code == 200 and "Demande de médecin traitant" in page_text(form)
    response = b.post(
        f"/patients/{patient.id}/demandes/nouvelle",
        data={
            "gp_id": str(gp.id),
            "channel": "mediator" if profession == "health_mediator" else "phone",
            "received_on": f"{local_today('Europe/Paris', utcnow()):%d/%m/%Y}",
            "has_chronic_condition": "y",
            "note": "Diabète, sans médecin depuis le départ du Dr Roy",
        },
    )
    assert response.status_code == 302
    request = session.scalar(select(RegistrationRequest))
    assert (request.status, request.recorded_by_id, request.has_chronic_condition) == (
        "pending",
        staff.id,
        True,
    )
    assert "registration_request.create" in _actions(session)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"gp_id": ""}, "Choisissez un médecin généraliste"),
        ({"channel": ""}, "Choisissez le canal de la demande."),
        ({"received_on": "2999-01-01"}, "La date de la demande ne peut pas être dans le futur."),
        ({"received_on": "hier"}, "Date invalide"),
    ],
)
def test_intake_bad_input(sign_in, session, gp, patient, changes, message):
    session.commit()
    b, _ = sign_in("secretary")
    data = {"gp_id": str(gp.id), "channel": "desk", "received_on": "01/02/2025"} | changes
    response = b.post(f"/patients/{patient.id}/demandes/nouvelle", data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert _requests(session) == 0


def test_intake_to_a_junior_doctor_is_refused(session, practice, patient):
    junior = factories.make_staff(session, practice, profession="junior_doctor")
    with pytest.raises(Invalid, match="médecin généraliste"):
        factories.make_request(session, patient, junior)


def test_a_second_pending_request_to_the_same_gp_is_refused(session, gp, patient):
    factories.make_request(session, patient, gp)
    with pytest.raises(Conflict, match="déjà en attente"):
        factories.make_request(session, patient, gp)
    assert _requests(session) == 1


def test_asking_ones_own_treating_gp_is_refused(session, gp, patient):
    factories.make_declaration(session, patient, gp)
    with pytest.raises(Conflict, match="déjà le médecin traitant"):
        factories.make_request(session, patient, gp)


def test_queue_puts_ald_patients_without_a_gp_first_then_by_date(session, practice, gp):
    other_gp = factories.make_staff(session, practice, profession="gp")
    today = utcnow().date()

    def ask(name, days_ago, ald, has_gp=False):
        p = factories.make_patient(session, practice, family_name=name)
        if has_gp:
            factories.make_declaration(session, p, other_gp)
        factories.make_request(
            session,
            p,
            gp,
            received_on=today - timedelta(days=days_ago),
            has_chronic_condition=ald,
        )
        return p

    ask("Ancien", 30, ald=False)
    ask("AldAvecMedecin", 40, ald=True, has_gp=True)
    ask("AldRecente", 2, ald=True)
    ask("Recent", 1, ald=False)
    ask("AldAncienne", 10, ald=True)
    items = services.queue(session, acting=Acting(gp, utcnow()), gp_id=gp.id)
    assert [i.request.patient.family_name for i in items] == [
        "AldAncienne",
        "AldRecente",
        "AldAvecMedecin",
        "Ancien",
        "Recent",
    ]
    assert [i.is_priority for i in items] == [True, True, False, False, False]
    rows = session.scalars(
        select(AccessLog).where(AccessLog.action == "registration_request.list")
    ).all()
    # One row for the list, naming every patient in it.
    [row] = rows
    assert row.patient_ids == ",".join(
        str(pid) for pid in sorted(i.request.patient_id for i in items)
    )


def test_queue_page_for_the_gp(sign_in, session, practice, patient):
    b, gp = sign_in("gp")
    factories.make_request(session, patient, gp, has_chronic_condition=True)
    session.commit()
    page = page_text(b.get("/patients/demandes"))
    assert "TRAORÉ Awa" in page and "ALD sans médecin traitant" in page and "Décider" in page


def test_accepting_creates_the_declaration(sign_in, session, patient):
    b, gp = sign_in("gp")
    request = factories.make_request(session, patient, gp)
    session.commit()
    response = b.post(f"/patients/demandes/{request.id}/decision", data={"decision": "accept"})
    assert response.status_code == 302
    session.refresh(request)
    declaration = session.get(TreatingDeclaration, request.declaration_id)
    assert (request.status, declaration.gp_id, declaration.end_on) == ("accepted", gp.id, None)
    assert request.decided_by_id == gp.id
    assert {"registration_request.accept", "declaration.create"} <= set(_actions(session))


def test_accepting_transfers_from_the_previous_gp(session, practice, gp, patient):
    previous = factories.make_staff(session, practice, profession="gp")
    factories.make_declaration(session, patient, previous, start_on=date(2015, 1, 1))
    request = factories.make_request(session, patient, gp)
    services.decide(session, acting=Acting(gp, utcnow()), request=request, decision="accept")
    rows = session.scalars(select(TreatingDeclaration).order_by(TreatingDeclaration.start_on)).all()
    assert [(r.gp_id, r.end_reason) for r in rows] == [(previous.id, "transfer"), (gp.id, "")]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": "", "oriented_to": "CPTS"}, "reason", "Un refus doit être motivé"),
        ({"reason": "cmu", "oriented_to": "CPTS"}, "reason", "n'est pas autorisé"),
        ({"reason": "capacity", "oriented_to": " "}, "oriented_to", "Indiquez vers quel"),
    ],
)
def test_a_decline_needs_a_lawful_reason_and_an_orientation(
    sign_in, session, patient, data, field, message
):
    b, gp = sign_in("gp")
    request = factories.make_request(session, patient, gp)
    session.commit()
    with pytest.raises(Invalid, match=message) as refused:
        services.decide(
            session, acting=Acting(gp, utcnow()), request=request, decision="decline", **data
        )
    assert refused.value.field == field
    session.rollback()
    page = b.post(f"/patients/demandes/{request.id}/decision", data={"decision": "decline", **data})
    assert page.status_code == 422
    assert message in page_text(page)
    api = b.api(
        "POST",
        f"/api/v1/registration-requests/{request.id}/decision",
        json={"decision": "decline", **data},
    )
    assert api.status_code == 422 and api.json["error"]["field"] == field
    session.refresh(request)
    assert request.status == "pending" and request.decided_at is None


def test_a_lawful_decline_is_recorded_and_printable(sign_in, session, patient):
    b, gp = sign_in("gp")
    request = factories.make_request(session, patient, gp)
    session.commit()
    response = b.post(
        f"/patients/demandes/{request.id}/decision",
        data={
            "decision": "decline",
            "reason": "capacity",
            "oriented_to": "Dr Roy, centre de santé Moncey",
            "note": "Liste d'attente",
        },
    )
    assert response.status_code == 302
    session.refresh(request)
    assert (request.status, request.decline_reason) == ("declined", "capacity")
    assert session.scalar(select(func.count()).select_from(TreatingDeclaration)) == 0
    sheet = b.get(f"/patients/{patient.id}/refus")
    text = page_text(sheet)
    assert sheet.status_code == 200
    assert gp.display_name in text
    assert "Patientèle complète" in text and "Dr Roy, centre de santé Moncey" in text
    assert "registration_request.print" in _actions(session)


def test_the_database_refuses_a_decline_without_lawful_reason(session, gp, patient):
    request = factories.make_request(session, patient, gp)
    session.commit()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            update(RegistrationRequest)
            .where(RegistrationRequest.id == request.id)
            .values(status="declined", decline_reason="cmu", oriented_to="ailleurs")
        )


def test_only_the_gp_asked_decides_but_the_desk_may_record_a_withdrawal(
    sign_in, session, practice, gp, patient
):
    request = factories.make_request(session, patient, gp)
    other_gp = factories.make_staff(session, practice, profession="gp")
    with pytest.raises(Forbidden):
        services.decide(
            session, acting=Acting(other_gp, utcnow()), request=request, decision="accept"
        )
    secretary = factories.make_staff(session, practice, profession="secretary")
    with pytest.raises(Forbidden):
        services.decide(
            session,
            acting=Acting(secretary, utcnow()),
            request=request,
            decision="decline",
            reason="capacity",
            oriented_to="CPTS",
        )
    services.decide(
        session, acting=Acting(secretary, utcnow()), request=request, decision="withdraw"
    )
    assert request.status == "withdrawn"


def test_a_request_is_decided_once(session, gp, patient):
    request = factories.make_request(session, patient, gp)
    services.decide(session, acting=Acting(gp, utcnow()), request=request, decision="withdraw")
    with pytest.raises(Conflict, match="déjà été traitée"):
        services.decide(session, acting=Acting(gp, utcnow()), request=request, decision="accept")


def test_a_raced_decision_is_refused(session, gp, patient):
    request = factories.make_request(session, patient, gp)
    session.execute(
        update(RegistrationRequest)
        .where(RegistrationRequest.id == request.id)
        .values(status="withdrawn")
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(Conflict):
        services.decide(session, acting=Acting(gp, utcnow()), request=request, decision="accept")
    assert session.scalar(select(func.count()).select_from(TreatingDeclaration)) == 0


# --- API ------------------------------------------------------------------------------


def test_api_intake_queue_and_decision(sign_in, session, practice, patient, api_key_for, app):
    _, secretary = sign_in("secretary")
    gp = factories.make_staff(session, practice, profession="gp")
    headers = api_key_for(secretary)
    client = app.test_client()
    created = client.post(
        "/api/v1/registration-requests",
        json={"patient_id": patient.id, "gp_id": gp.id, "channel": "conciliator"},
        headers=headers,
    )
    assert created.status_code == 201
    body = created.json
    assert (body["status"], body["gp"]["id"], body["patient"]["id"]) == (
        "pending",
        gp.id,
        patient.id,
    )
    assert body["received_on"] == local_today("Europe/Paris", utcnow()).isoformat()
    listed = client.get(f"/api/v1/registration-requests?gp={gp.id}", headers=headers)
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json["items"]] == [body["id"]]
    assert listed.json["items"][0]["is_priority"] is False
    refused = client.post(
        f"/api/v1/registration-requests/{body['id']}/decision",
        json={"decision": "accept"},
        headers=headers,
    )
    assert refused.status_code == 403
    gp_headers = api_key_for(gp)
    decided = client.post(
        f"/api/v1/registration-requests/{body['id']}/decision",
        json={"decision": "decline", "reason": "out_of_area", "oriented_to": "CPTS Lyon 3e"},
        headers=gp_headers,
    )
    assert decided.status_code == 200
    assert (decided.json["status"], decided.json["decline_reason"]) == ("declined", "out_of_area")


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"gp_id": "GP", "channel": "phone"}, 422, "patient_id"),
        ({"patient_id": "1", "gp_id": "GP", "channel": "phone"}, 422, "patient_id"),
        ({"patient_id": "P", "gp_id": "GP", "channel": "fax"}, 422, "channel"),
        (
            {"patient_id": "P", "gp_id": "GP", "channel": "phone", "received_on": "01/02/2025"},
            422,
            "received_on",
        ),
        ({"patient_id": "P", "channel": "phone"}, 422, "gp_id"),
        ({"patient_id": 999999, "gp_id": "GP", "channel": "phone"}, 404, None),
    ],
)
def test_api_intake_bad_input(sign_in, session, gp, patient, payload, status, field):
    session.commit()
    b, _ = sign_in("secretary")
    payload = {k: {"GP": gp.id, "P": patient.id}.get(v, v) for k, v in payload.items()}
    response = b.api("POST", "/api/v1/registration-requests", json=payload)
    assert response.status_code == status
    assert response.json["error"].get("field") == field
    assert _requests(session) == 0


def test_api_queue_needs_a_gp(sign_in):
    b, _ = sign_in("secretary")
    response = b.get("/api/v1/registration-requests")
    assert response.status_code == 422 and response.json["error"]["field"] == "gp"


def test_students_cannot_see_the_queue(sign_in, gp):
    b, _ = sign_in("student")
    assert b.get(f"/api/v1/registration-requests?gp={gp.id}").status_code == 403
    assert b.get("/patients/demandes").status_code == 403
