from tests.conftest import page_text

"""Security headers, error pages, body size limits."""


def test_security_headers_on_every_response(client):
    for url in ("/login", "/nope", "/api/v1/openapi.json"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script(repo_root):
    for path in (repo_root / "templates").rglob("*.html"):
        text = path.read_text()
        assert "<script>" not in text and "onclick=" not in text, path


def test_french_404_page(sign_in):
    b, _ = sign_in("secretary")
    response = b.get("/nulle-part")
    assert response.status_code == 404
    assert "Cette page n'existe pas." in page_text(response)


def test_oversized_body_gets_413(app, sign_in):
    b, _ = sign_in("secretary")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = b.post("/profil/preferences", data={"prefs-locale": "fr", "pad": "x" * 5000})
    assert response.status_code == 413
    assert "trop volumineux" in response.text


def test_static_files_are_served_without_signing_in(client):
    response = client.get("/static/css/umpro.css")
    assert response.status_code == 200
    assert "text/css" in response.content_type
    response.close()


def test_access_log_lines_never_keep_query_strings():
    import logging

    from umpro import RedactQueryStrings

    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - [%s] "%s" %s',
        ("127.0.0.1", "now", "GET /api/v1/patients?q=martin HTTP/1.1", "200"),
        None,
    )
    assert RedactQueryStrings().filter(record)
    line = record.getMessage()
    assert "martin" not in line
    assert "GET /api/v1/patients?… HTTP/1.1" in line
