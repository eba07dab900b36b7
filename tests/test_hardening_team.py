"""Fix 1 (issue 14): account changes are security events; an admin cannot grant
themselves clinical access, and a grant needs a second admin or stays shown."""

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import page_text
from umpro.auth.models import AccessLog
from umpro.team.models import Staff, StaffChange


def _form(staff, **overrides):
    values = {
        "given_name": staff.given_name,
        "family_name": staff.family_name,
        "email": staff.email,
        "profession": staff.profession,
        "rpps": staff.rpps or "",
        "supervisor_id": staff.supervisor_id or "",
    }
    if staff.is_admin:
        values["is_admin"] = "y"
    return values | overrides


def _log(session, action):
    session.expire_all()
    return session.scalars(select(AccessLog).where(AccessLog.action == action)).all()


def test_an_admin_cannot_give_themselves_clinical_access(frozen_now, sign_in, session):
    b, admin = sign_in("coordinator", is_admin=True)
    response = b.post(f"/equipe/{admin.id}", data=_form(admin, profession="gp"))
    assert response.status_code == 422
    assert "Vous ne pouvez pas modifier votre propre profession" in page_text(response)
    session.expire_all()
    assert session.get(Staff, admin.id).profession == "coordinator"
    assert b.get("/patients/").status_code in (200, 302, 403)  # still no clinical access


def test_an_admin_cannot_drop_their_own_admin_flag(frozen_now, sign_in, session):
    b, admin = sign_in("coordinator", is_admin=True)
    data = _form(admin)
    data.pop("is_admin")
    assert b.post(f"/equipe/{admin.id}", data=data).status_code == 422
    session.expire_all()
    assert session.get(Staff, admin.id).is_admin


def test_a_grant_waits_for_a_second_admin(frozen_now, sign_in, session, practice, app):
    b, admin = sign_in("coordinator", is_admin=True)
    b2, second = sign_in("secretary", is_admin=True)
    target = factories.make_staff(session, practice, profession="secretary")
    session.commit()
    response = b.post(f"/equipe/{target.id}", data=_form(target, profession="gp"))
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Staff, target.id).profession == "secretary"  # not applied yet
    change = session.scalar(select(StaffChange))
    assert change.status == "pending" and change.requested_by_id == admin.id
    assert [r.staff_id for r in _log(session, "security.access_grant_requested")] == [admin.id]
    # The admin who asked cannot confirm; the page shows the second admin a button.
    assert (
        b.post(
            f"/equipe/changements/{change.id}/decision", data={"decision": "confirm"}
        ).status_code
        == 403
    )
    page = page_text(b2.get("/equipe/"))
    assert "En attente de confirmation" in page and "Confirmer" in page
    ok = b2.post(f"/equipe/changements/{change.id}/decision", data={"decision": "confirm"})
    assert ok.status_code == 302
    session.expire_all()
    assert session.get(Staff, target.id).profession == "gp"
    rows = _log(session, "security.profession")
    assert [(r.staff_id, r.target) for r in rows] == [
        (second.id, f"staff:{target.id} secretary>gp")
    ]
    assert "En attente" not in page_text(b2.get("/equipe/"))


def test_a_refused_grant_is_never_applied(frozen_now, sign_in, session, practice):
    b, _ = sign_in("coordinator", is_admin=True)
    b2, _ = sign_in("secretary", is_admin=True)
    target = factories.make_staff(session, practice, profession="health_mediator")
    session.commit()
    b.post(f"/equipe/{target.id}", data=_form(target, profession="nurse"))
    change = session.scalar(select(StaffChange))
    unclear = b2.post(f"/equipe/changements/{change.id}/decision", data={"decision": "peut-être"})
    assert unclear.status_code == 422
    assert "Choisissez de confirmer ou de refuser" in page_text(unclear)
    b2.post(f"/equipe/changements/{change.id}/decision", data={"decision": "refuse"})
    session.expire_all()
    assert session.get(StaffChange, change.id).status == "refused"
    assert session.get(Staff, target.id).profession == "health_mediator"
    assert _log(session, "security.access_grant_refused")


def test_with_a_single_admin_a_grant_applies_and_stays_shown_until_acknowledged(
    frozen_now, sign_in, session, practice, app
):
    from tests.conftest import Browser

    b, _ = sign_in("coordinator", is_admin=True)
    target = factories.make_staff(session, practice, profession="secretary")
    session.commit()
    b.post(f"/equipe/{target.id}", data=_form(target, profession="gp", rpps="10100000042"))
    session.expire_all()
    assert session.get(Staff, target.id).profession == "gp"
    change = session.scalar(select(StaffChange))
    assert change.status == "applied" and change.acknowledged_at is None
    assert "Appliqué sans second administrateur" in page_text(b.get("/equipe/"))
    # The admin who made it cannot make it disappear; the account concerned can.
    assert b.post(f"/equipe/changements/{change.id}/prise-en-compte").status_code == 403
    tb = Browser(app.test_client())
    tb.login(target.email)
    assert "Appliqué sans second administrateur" in page_text(tb.get("/profil"))
    assert tb.post(f"/equipe/changements/{change.id}/prise-en-compte").status_code == 302
    assert "Appliqué sans second administrateur" not in page_text(b.get("/equipe/"))
    targets = {r.target for r in _log(session, "security.profession")}
    assert targets == {f"staff:{target.id} secretary>gp"}
    assert {r.target for r in _log(session, "security.rpps")} == {
        f"staff:{target.id} ->10100000042"
    }


@pytest.mark.parametrize(
    ("field", "value", "logged"),
    [("is_admin", "y", "0>1"), ("rpps", "10100000077", "->10100000077")],
)
def test_admin_flag_and_rpps_changes_are_logged(
    frozen_now, sign_in, session, practice, field, value, logged
):
    b, admin = sign_in("coordinator", is_admin=True)
    target = factories.make_staff(session, practice, profession="nurse")
    session.commit()
    assert b.post(f"/equipe/{target.id}", data=_form(target, **{field: value})).status_code == 302
    rows = _log(session, f"security.{field}")
    assert [(r.staff_id, r.target) for r in rows] == [(admin.id, f"staff:{target.id} {logged}")]


def test_supervisor_change_is_logged(frozen_now, sign_in, session, practice):
    b, admin = sign_in("coordinator", is_admin=True)
    gp = factories.make_staff(session, practice, profession="gp")
    junior = factories.make_staff(session, practice, profession="junior_doctor")
    session.commit()
    b.post(f"/equipe/{junior.id}", data=_form(junior, supervisor_id=gp.id))
    rows = _log(session, "security.supervisor_id")
    assert [(r.staff_id, r.target) for r in rows] == [(admin.id, f"staff:{junior.id} ->{gp.id}")]


def test_password_reset_of_another_account_is_logged(frozen_now, sign_in, session, practice):
    b, admin = sign_in("coordinator", is_admin=True)
    target = factories.make_staff(session, practice, profession="nurse")
    session.commit()
    b.post(f"/equipe/{target.id}/mot-de-passe", data={"password": "un-nouveau-mot-de-passe"})
    rows = _log(session, "security.password_reset")
    assert [(r.staff_id, r.target, r.ip) for r in rows] == [
        (admin.id, f"staff:{target.id}", "127.0.0.1")
    ]
    assert "Essai" not in rows[0].target  # ids, never names


def test_a_new_account_is_a_security_event_with_the_admins_address(frozen_now, sign_in, session):
    b, admin = sign_in("coordinator", is_admin=True)
    form = {
        "given_name": "Lina",
        "family_name": "Rousseau",
        "email": "lina.rousseau@exemple.fr",
        "profession": "gp",
        "rpps": "10100000099",
        "is_admin": "y",
        "password": "mot-de-passe-initial",
    }
    assert b.post("/equipe/nouveau", data=form).status_code == 302
    created = session.scalar(select(Staff).where(Staff.email == form["email"]))
    rows = _log(session, "security.created")
    assert [(r.staff_id, r.target, r.ip, r.at) for r in rows] == [
        (admin.id, f"staff:{created.id} gp admin", "127.0.0.1", frozen_now)
    ]


def test_every_account_change_carries_the_admins_address(frozen_now, sign_in, session, practice):
    b, _ = sign_in("coordinator", is_admin=True)
    target = factories.make_staff(session, practice, profession="nurse")
    session.commit()
    b.post(f"/equipe/{target.id}", data=_form(target, rpps="10100000099"))
    b.post(f"/equipe/{target.id}/activation")
    rows = _log(session, "security.rpps") + _log(session, "security.deactivated")
    assert [(r.action, r.ip) for r in rows] == [
        ("security.rpps", "127.0.0.1"),
        ("security.deactivated", "127.0.0.1"),
    ]
