"""API foundation: API keys, /me, /staff, OpenAPI, JSON errors."""

from flask import Flask
from sqlalchemy import select

from tests import factories
from umpro.api import openapi
from umpro.auth.models import ApiKey


def test_cli_creates_a_key_that_acts_as_the_account(app, session, practice):
    staff = factories.make_staff(session, practice, profession="secretary")
    session.commit()
    result = app.test_cli_runner().invoke(args=["umpro", "api-key", "create", staff.email])
    assert result.exit_code == 0
    key = result.output.strip().splitlines()[-1]
    stored = session.scalars(select(ApiKey)).one()
    assert key not in stored.key_hash and stored.key_hash != key  # only a hash is kept
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200
    assert me.json == {
        "id": staff.id,
        "email": staff.email,
        "display_name": staff.display_name,
        "profession": "secretary",
        "is_admin": False,
    }


def test_cli_refuses_unknown_account(app):
    result = app.test_cli_runner().invoke(args=["umpro", "api-key", "create", "nobody@exemple.fr"])
    assert result.exit_code != 0
    assert "Aucun compte actif" in result.output


def test_bad_key_is_401_json(client):
    for header in ("Bearer umpro_abc_def", "Bearer nimportequoi", "Basic Zm9vOmJhcg=="):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthenticated"


def test_revoked_key_and_inactive_account_are_refused(app, session, practice, api_key_for):
    staff = factories.make_staff(session, practice)
    headers = api_key_for(staff)
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    staff.is_active = False
    session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    staff.is_active = True
    session.scalars(select(ApiKey)).one().revoked_at = staff.created_at
    session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_staff_list_is_the_practice_only(app, session, practice, api_key_for):
    me = factories.make_staff(session, practice, profession="gp")
    colleague = factories.make_staff(session, practice, profession="nurse")
    factories.make_staff(session, factories.make_practice(session), profession="gp")
    response = app.test_client().get("/api/v1/staff", headers=api_key_for(me))
    assert response.status_code == 200
    items = response.json["items"]
    assert {i["id"] for i in items} == {me.id, colleague.id}
    assert set(items[0]) >= {"id", "email", "display_name", "profession"}


def test_session_write_without_csrf_header_is_refused(sign_in):
    b, _ = sign_in("gp")
    response = b.client.post("/api/v1/me", json={})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


def test_api_404_and_405_are_json(sign_in):
    b, _ = sign_in("gp")
    missing = b.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json["error"]["message"] == "Cette page n'existe pas."
    wrong = b.api("post", "/api/v1/me")
    assert wrong.status_code == 405
    assert "error" in wrong.json


def test_an_operation_is_described_on_its_route():
    app = Flask(__name__)

    @app.post("/api/v1/tasks/<int:task_id>/notes/<kind>")
    @openapi.describe(
        "addNote", openapi.created("Note"), query=[openapi.param("draft")], body="NoteInput"
    )
    def add_note(task_id: int, kind: str):
        """Ajouter une note

        Longer text for the API reader."""

    @app.get("/api/v1/undescribed")
    def undescribed():
        return ""

    paths = openapi.paths(app, "/api/v1")
    assert list(paths) == ["/tasks/{task_id}/notes/{kind}"]
    operation = paths["/tasks/{task_id}/notes/{kind}"]["post"]
    assert operation["operationId"] == "addNote"
    assert operation["summary"] == "Ajouter une note"
    assert operation["description"] == "Longer text for the API reader."
    assert [(p["name"], p["in"], p["schema"]["type"]) for p in operation["parameters"]] == [
        ("task_id", "path", "integer"),
        ("kind", "path", "string"),
        ("draft", "query", "string"),
    ]
    assert operation["requestBody"]["required"] is True
    assert set(operation["responses"]) == {"201", "400", "401", "403", "404", "409", "422"}


def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = rule.rule[len("/api/v1") :].replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} missing from openapi.json"
