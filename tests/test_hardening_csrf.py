"""Fix 7 (issue 14): CSRF is skipped only for a request a valid API key authenticated."""

import pytest

from tests import factories


def _patients(session) -> int:
    from sqlalchemy import func, select

    from umpro.patients.models import Patient

    session.expire_all()
    return session.scalar(select(func.count(Patient.id)))


PATIENT = {"family_name": "Garnier", "given_names": "Paul", "birth_date": "1970-01-02", "sex": "M"}


@pytest.mark.parametrize(
    "header", ["Bearer nimportequoi", "Bearer umpro_abc_def", "Bearer ", "Bearer umpro_x_y_z"]
)
def test_a_bearer_header_that_does_not_authenticate_keeps_csrf(sign_in, session, header):
    b, _ = sign_in("secretary")
    before = _patients(session)
    response = b.client.post("/api/v1/patients", json=PATIENT, headers={"Authorization": header})
    assert response.status_code in (400, 401)
    assert _patients(session) == before


def test_a_revoked_key_with_a_session_cookie_keeps_csrf(sign_in, session, api_key_for):
    from umpro.auth.models import ApiKey
    from umpro.db import utcnow

    b, staff = sign_in("secretary")
    headers = api_key_for(staff)
    for key in session.query(ApiKey).filter_by(staff_id=staff.id):
        key.revoked_at = utcnow()
    session.commit()
    response = b.client.post("/api/v1/patients", json=PATIENT, headers=headers)
    assert response.status_code in (400, 401)
    assert _patients(session) == 0


def test_a_valid_key_needs_no_csrf_token_and_acts_as_its_account(
    app, sign_in, session, practice, api_key_for
):
    b, _ = sign_in("secretary")
    other = factories.make_staff(session, practice, profession="nurse")
    session.commit()
    headers = api_key_for(other)
    me = b.client.get("/api/v1/me", headers=headers)
    assert me.json["id"] == other.id  # the key, not the session cookie, says who acts
    response = app.test_client().post("/api/v1/patients", json=PATIENT, headers=headers)
    assert response.status_code == 201, response.text


def test_a_session_write_still_needs_its_csrf_token(sign_in, session):
    b, _ = sign_in("secretary")
    assert b.client.post("/api/v1/patients", json=PATIENT).status_code == 400
    assert b.api("POST", "/api/v1/patients", json=PATIENT).status_code == 201
