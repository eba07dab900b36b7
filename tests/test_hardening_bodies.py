"""Oversized bodies (issue 14): a body past the limits of config.py gets a clean 413 with
a French page (forms) or JSON error (API), never a 500, never a hang, never a silent cut;
chunked bodies (``Transfer-Encoding: chunked``, no length) included. Checked through the
Flask test client, then with a raw socket against the servers that run the app: gunicorn
(production) and Werkzeug's server (``make run``)."""

import io
import json
import re
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.test_auth import secretary as _secretary_fixture
from tests.test_jobs_processes import BIN, production_env, wait_for
from tests.test_jobs_processes import processes as _processes_fixture
from tests.test_jobs_support import free_port

processes = _processes_fixture  # fixture

PATIENT = {"family_name": "Garnier", "given_names": "Paul", "birth_date": "1970-01-02", "sex": "M"}
FRENCH = "Le contenu envoyé est trop volumineux."
FORM = "application/x-www-form-urlencoded"


def _patients(session) -> int:
    from umpro.patients.models import Patient

    session.expire_all()
    return session.scalar(select(func.count(Patient.id)))


def _chunked(client, url, body: bytes, headers: dict, content_type: str):
    """Send ``body`` as a server hands a chunked request to the app: no Content-Length,
    the stream ended by the server (``wsgi.input_terminated``, as gunicorn and Werkzeug
    set it for a chunked request)."""
    return client.post(
        url,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked", **headers},
        environ_overrides={"wsgi.input_terminated": True},
    )


def _assert_french_413(response, *, api: bool) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.headers["Connection"] == "close"
    if api:
        assert response.json["error"] == {"code": "too_large", "message": FRENCH}
    else:
        assert response.mimetype == "text/html"
        assert FRENCH in response.text.replace("&#39;", "'")
        assert '<html lang="fr"' in response.text


secretary = _secretary_fixture  # fixture


def test_the_limits_are_set_and_sane(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    assert 0 < app.config["MAX_FORM_MEMORY_SIZE"] < app.config["MAX_CONTENT_LENGTH"]
    assert app.config["MAX_FORM_PARTS"] == 1000


def test_a_form_longer_than_the_limit_is_413_in_french(app, sign_in, session):
    b, _ = sign_in("secretary")
    before = _patients(session)
    pad = "x" * app.config["MAX_CONTENT_LENGTH"]
    response = b.post("/patients/nouveau", data={"family_name": "Garnier", "pad": pad})
    _assert_french_413(response, api=False)
    assert _patients(session) == before


def test_a_json_body_longer_than_the_limit_is_413_in_json(app, client, session, api_key_for):
    staff = factories.make_staff(session, factories.make_practice(session), profession="gp")
    headers = api_key_for(staff)
    body = {**PATIENT, "pad": "x" * app.config["MAX_CONTENT_LENGTH"]}
    response = client.post("/api/v1/patients", json=body, headers=headers)
    _assert_french_413(response, api=True)
    assert _patients(session) == 0


def test_a_content_length_past_the_limit_is_refused_before_the_body_is_read(client):
    # The header alone decides: the body is never read, whatever its real size.
    response = client.post(
        "/login",
        data=b"email=a",
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"CONTENT_LENGTH": str(50 * 1024 * 1024)},
    )
    _assert_french_413(response, api=False)


def test_a_chunked_form_past_the_limit_is_413_not_cut_short(app, sign_in, session):
    """Werkzeug alone cut the body at the limit and parsed the start: the CSRF token
    placed last was lost (400), fields past the cut silently dropped."""
    b, _ = sign_in("secretary")
    pad = "x" * app.config["MAX_CONTENT_LENGTH"]
    body = f"family_name=Garnier&pad={pad}&csrf_token={b.csrf()}".encode()
    response = _chunked(b.client, "/patients/nouveau", body, {}, FORM)
    _assert_french_413(response, api=False)
    assert _patients(session) == 0


def test_a_chunked_json_body_past_the_limit_is_413(app, client, session, api_key_for, secretary):
    body = json.dumps({**PATIENT, "pad": "x" * app.config["MAX_CONTENT_LENGTH"]}).encode()
    response = _chunked(
        client, "/api/v1/patients", body, api_key_for(secretary), "application/json"
    )
    _assert_french_413(response, api=True)
    assert _patients(session) == 0


def test_a_chunked_body_within_the_limit_is_read_whole(client, session, api_key_for, secretary):
    body = json.dumps({**PATIENT, "note": "y" * 100_000}).encode()
    response = _chunked(
        client, "/api/v1/patients", body, api_key_for(secretary), "application/json"
    )
    assert response.status_code in (201, 422), response.text[:300]  # read, then judged
    form = f"email={secretary.email}&password={factories.PASSWORD}".encode()
    anonymous = _chunked(client, "/login", form, {}, FORM)
    assert anonymous.status_code == 400  # the form was read whole: no CSRF token in it


def test_a_chunked_login_within_the_limit_signs_in(app, session, secretary):
    from tests.conftest import Browser

    b = Browser(app.test_client())
    body = (f"email={secretary.email}&password={factories.PASSWORD}&csrf_token={b.csrf()}").encode()
    response = _chunked(b.client, "/login", body, {}, FORM)
    assert response.status_code == 302, response.text[:300]


def test_a_form_field_past_the_form_memory_limit_is_413(app, sign_in, session):
    b, _ = sign_in("secretary")
    size = app.config["MAX_FORM_MEMORY_SIZE"] + 1
    assert size < app.config["MAX_CONTENT_LENGTH"]  # under the body limit: the form limit
    url_encoded = b.post("/patients/nouveau", data={"family_name": "G", "notes": "x" * size})
    _assert_french_413(url_encoded, api=False)
    multipart = b.post(
        "/patients/nouveau",
        data={"family_name": "G", "notes": "x" * size},
        content_type="multipart/form-data",
    )
    _assert_french_413(multipart, api=False)
    assert _patients(session) == 0


def test_a_form_with_too_many_fields_is_413(app, sign_in, session):
    b, _ = sign_in("secretary")
    parts = app.config["MAX_FORM_PARTS"]
    data = {f"f{i}": "1" for i in range(parts)} | {"family_name": "G"}
    _assert_french_413(b.post("/patients/nouveau", data=data), api=False)
    multipart = b.post("/patients/nouveau", data=data, content_type="multipart/form-data")
    _assert_french_413(multipart, api=False)
    assert _patients(session) == 0
    # Just under the limit (the CSRF token is one of the fields): read and judged.
    data = {f"f{i}": "1" for i in range(parts - 2)}
    assert b.post("/profil/preferences", data=data).status_code != 413


# --- Real servers, raw sockets --------------------------------------------------------


def _exchange(port: int, head: str, chunks, *, half_close: bool, timeout: float = 15):
    """Send a request (its head, then its body's pieces), then read the answer until
    the server closes or has sent Content-Length bytes: ``(answer, seconds)``. A server
    that waits for the rest of a body it refuses shows as a timeout here.

    ``half_close``: say the body is over (shut the writing side) once it is sent.
    Werkzeug's server reads what is left of a refused body until the client does so."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode())
        try:
            for chunk in chunks:
                s.sendall(chunk)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:  # the server answered and closed before reading it all
            pass
        data = b""
        try:
            while (d := s.recv(65536)) and not _complete(data := data + d):
                pass
        except ConnectionResetError:  # closed with the rest of the body unread
            pass
        except TimeoutError:
            pytest.fail(f"no answer within {timeout} s (the server waits): {data[:200]!r}")
    return data, time.monotonic() - start


def _complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def _parse(data: bytes) -> tuple[int, dict, str]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body.decode("utf-8", "replace")


def _chunks(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield b"%x\r\n" % n + b"x" * n + b"\r\n"
        sent += n
    yield b"0\r\n\r\n"


def _request(path: str, headers: dict) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return "\r\n".join(lines) + "\r\n\r\n"


def _check_server(port: int, key: str, email: str, limit: int, *, half_close: bool) -> None:
    form = {"Content-Type": FORM}
    api = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    cases = [
        # A length past the limit, and only a few bytes of body: answered at once.
        ("/login", form | {"Content-Length": str(100 * limit)}, [b"email=x"], "html"),
        ("/api/v1/patients", api | {"Content-Length": str(100 * limit)}, [b"{"], "json"),
        # Chunked, larger than the limit (three times): 413, not a cut-short read.
        ("/login", form | {"Transfer-Encoding": "chunked"}, _chunks(3 * limit), "html"),
        ("/api/v1/patients", api | {"Transfer-Encoding": "chunked"}, _chunks(3 * limit), "json"),
    ]
    for path, headers, chunks, kind in cases:
        # A server that waits for the rest of the body fails in _exchange (its timeout):
        # no wall time is asserted here.
        data, _ = _exchange(port, _request(path, headers), chunks, half_close=half_close)
        status, answer_headers, body = _parse(data)
        assert status == 413, (path, headers, data[:300])
        assert answer_headers.get("connection") == "close"
        if kind == "json":
            assert json.loads(body)["error"] == {"code": "too_large", "message": FRENCH}
        else:
            assert FRENCH in body.replace("&#39;", "'")
    # Within the limit, chunked: read whole (the CSRF token sent last included).
    assert _sign_in_chunked(port, email, half_close=half_close) == 302


def _sign_in_chunked(port: int, email: str, *, half_close: bool) -> int:
    """Open the sign-in page, then send the form in three chunks: the answer's status."""
    head = "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    status, headers, body = _parse(_exchange(port, head, [], half_close=half_close)[0])
    assert status == 200, body[:300]
    cookie = headers["set-cookie"].split(";")[0]
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', body).group(1)
    form = urlencode({"email": email, "password": factories.PASSWORD, "csrf_token": token})
    pieces = [form[:10], form[10:-5], form[-5:]]
    chunks = [b"%x\r\n%s\r\n" % (len(p), p.encode()) for p in pieces] + [b"0\r\n\r\n"]
    head = _request(
        "/login",
        {"Content-Type": FORM, "Transfer-Encoding": "chunked", "Cookie": cookie}
        | {"Connection": "close"},
    )
    status, _, body = _parse(_exchange(port, head, chunks, half_close=half_close)[0])
    return status


@pytest.mark.processes
def test_gunicorn_answers_413_to_oversized_and_chunked_bodies(
    frozen_now, session, practice, database_url, processes, tmp_path
):
    from umpro.auth.services import create_api_key

    staff = factories.make_staff(session, practice, profession="secretary")
    key, email = create_api_key(session, staff=staff), staff.email
    session.commit()
    session.close()
    env = production_env(
        database_url,
        tmp_path,
        UMPRO_SECRET_KEY="cle-des-essais-de-corps",
        UMPRO_AUDIT_KEY="cle-du-journal-des-essais-de-corps",
    )
    port = free_port()
    args = [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    processes("web", args, env)

    def up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    wait_for(up, what="gunicorn répond", processes=processes)
    _check_server(port, key, email, 2 * 1024 * 1024, half_close=False)


def test_werkzeug_server_answers_413_to_oversized_and_chunked_bodies(
    frozen_now, app, session, practice
):
    from werkzeug.serving import make_server

    from umpro.auth.services import create_api_key

    staff = factories.make_staff(session, practice, profession="secretary")
    key, email = create_api_key(session, staff=staff), staff.email
    session.commit()
    session.close()  # no read transaction left open beside the server's writes
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        limit = app.config["MAX_CONTENT_LENGTH"]
        _check_server(server.server_port, key, email, limit, half_close=True)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
