"""Fix 8 (issue 14): a database outage answers 503 with Retry-After, in French, logged
once; pointing the app at a stopped server or an unreachable file."""

import logging
import re
import socket

import pytest

from tests.conftest import page_text
from umpro import errors_wiring


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed at once: nobody listens there


@pytest.fixture(params=["stopped-server", "missing-file"])
def down_app(request, tmp_path, monkeypatch):
    from umpro import create_app

    if request.param == "stopped-server":
        url = f"postgresql+psycopg://umpro@127.0.0.1:{_free_port()}/umpro?connect_timeout=2"
    else:
        url = f"sqlite:///{tmp_path / 'absent' / 'umpro.sqlite3'}"  # its folder does not exist
    monkeypatch.setattr(errors_wiring, "_last_outage_logged", [float("-inf")], raising=False)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        yield app


def test_a_page_answers_503_in_french_with_retry_after(down_app, caplog):
    client = down_app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    with caplog.at_level(logging.ERROR):
        response = client.post(
            "/login", data={"email": "a@exemple.fr", "password": "x" * 12, "csrf_token": token}
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Service momentanément indisponible" in page_text(response)


def test_the_api_answers_503_json_and_the_outage_is_logged_once(down_app, caplog):
    client = down_app.test_client()
    with caplog.at_level(logging.ERROR):
        responses = [
            client.get("/api/v1/me", headers={"Authorization": "Bearer umpro_abc_def"})
            for _ in range(3)
        ]
    for response in responses:
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert response.json["error"]["code"] == "unavailable"
        assert "indisponible" in response.json["error"]["message"]
    outage_lines = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(outage_lines) == 1
    assert not [r for r in caplog.records if "unhandled error" in r.getMessage()]
