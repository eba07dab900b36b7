"""Fix 5 (issue 14): API keys are listed, revoked, may expire, show their last use, and die
with a password reset or a deactivation; each use is logged with the key's id."""

import logging
from datetime import timedelta

from sqlalchemy import select

from tests import factories
from tests.conftest import page_text
from umpro.auth.models import AccessLog, ApiKey
from umpro.auth.services import create_api_key


def _bearer(key):
    return {"Authorization": f"Bearer {key}"}


def test_admin_page_lists_and_revokes_a_key(frozen_now, sign_in, session, practice, client):
    b, admin = sign_in("coordinator", is_admin=True)
    nurse = factories.make_staff(session, practice, profession="nurse")
    key = create_api_key(session, staff=nurse, label="script-labo")
    session.commit()
    assert client.get("/api/v1/me", headers=_bearer(key)).status_code == 200
    page = page_text(b.get("/equipe/cles-api"))
    assert "script-labo" in page and "Active" in page and "30/11/2026 10:00" in page
    key_id = session.scalar(select(ApiKey.id))
    assert b.post(f"/equipe/cles-api/{key_id}/revocation").status_code == 302
    assert client.get("/api/v1/me", headers=_bearer(key)).status_code == 401
    assert "Révoquée le" in page_text(b.get("/equipe/cles-api"))
    session.expire_all()
    rows = session.scalars(select(AccessLog).where(AccessLog.action == "api_key.revoke")).all()
    assert [(r.staff_id, r.target, r.ip) for r in rows] == [
        (admin.id, f"api_key:{key_id} staff:{nurse.id}", "127.0.0.1")
    ]


def test_only_an_admin_sees_the_keys_page(sign_in):
    b, _ = sign_in("gp")
    assert b.get("/equipe/cles-api").status_code == 403


def test_another_practices_key_cannot_be_revoked(frozen_now, sign_in, session):
    b, _ = sign_in("coordinator", is_admin=True)
    other = factories.make_practice(session)
    stranger = factories.make_staff(session, other)
    create_api_key(session, staff=stranger)
    session.commit()
    key_id = session.scalar(select(ApiKey.id))
    assert b.post(f"/equipe/cles-api/{key_id}/revocation").status_code == 404
    assert "Aucune clé d'API." in page_text(b.get("/equipe/cles-api"))
    session.expire_all()
    assert session.get(ApiKey, key_id).revoked_at is None


def test_an_expired_key_opens_nothing(frozen_now, session, practice, client):
    staff = factories.make_staff(session, practice)
    live = create_api_key(session, staff=staff, expires_at=frozen_now + timedelta(minutes=1))
    dead = create_api_key(session, staff=staff, expires_at=frozen_now)
    session.commit()
    assert client.get("/api/v1/me", headers=_bearer(live)).status_code == 200
    assert client.get("/api/v1/me", headers=_bearer(dead)).status_code == 401


def test_password_reset_and_deactivation_revoke_the_keys(
    frozen_now, sign_in, session, practice, client
):
    b, _ = sign_in("coordinator", is_admin=True)
    reset = factories.make_staff(session, practice, profession="nurse")
    gone = factories.make_staff(session, practice, profession="gp")
    reset_key, gone_key = create_api_key(session, staff=reset), create_api_key(session, staff=gone)
    session.commit()
    b.post(f"/equipe/{reset.id}/mot-de-passe", data={"password": "un-nouveau-mot-de-passe"})
    b.post(f"/equipe/{gone.id}/activation")
    session.expire_all()
    assert client.get("/api/v1/me", headers=_bearer(reset_key)).status_code == 401
    assert all(k.revoked_at == frozen_now for k in session.scalars(select(ApiKey)))
    # Reactivating the account does not bring its old key back.
    b.post(f"/equipe/{gone.id}/activation")
    assert client.get("/api/v1/me", headers=_bearer(gone_key)).status_code == 401


def test_key_use_sets_last_used_and_is_logged_with_its_id(
    frozen_now, session, practice, client, caplog
):
    staff = factories.make_staff(session, practice)
    key = create_api_key(session, staff=staff)
    session.commit()
    key_id = session.scalar(select(ApiKey.id))
    with caplog.at_level(logging.INFO, logger="umpro.auth.services"):
        client.get("/api/v1/me", headers=_bearer(key))
    assert f"api key {key_id} used by staff {staff.id}" in caplog.text
    assert key not in caplog.text
    session.expire_all()
    assert session.get(ApiKey, key_id).last_used_at == frozen_now


def test_cli_lists_and_revokes_keys(frozen_now, app, session, practice, client):
    staff = factories.make_staff(session, practice)
    session.commit()
    runner = app.test_cli_runner()
    created = runner.invoke(args=["umpro", "api-key", "create", staff.email, "--days", "30"])
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    listed = runner.invoke(args=["umpro", "api-key", "list"])
    key_id, email, label, state, used, expires = listed.output.strip().split("\t")
    assert (email, label, state, used) == (staff.email, "cli", "active", "-")
    assert expires.startswith("2026-12-30")
    assert runner.invoke(args=["umpro", "api-key", "revoke", key_id]).exit_code == 0
    assert "revoked:" in runner.invoke(args=["umpro", "api-key", "list"]).output
    assert client.get("/api/v1/me", headers=_bearer(key)).status_code == 401
    missing = runner.invoke(args=["umpro", "api-key", "revoke", "999999"])
    assert missing.exit_code != 0 and "Aucune clé" in missing.output
