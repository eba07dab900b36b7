"""Sweeps (issue 14): every unsafe route refuses a request without or with a wrong CSRF
token; a script typed in text fields is shown escaped on every page that displays it."""

import html

import pytest

from tests import factories, sweep_support
from tests.conftest import Browser
from tests.test_sweep_authorisation import UNSAFE

PAYLOAD = "<script>alert(1)</script>"


def _url(app, session, rule, ids, practice_id):
    values = {}
    for argument in rule.arguments:
        if argument in ids and isinstance(ids[argument], str):
            values[argument] = ids[argument]
        elif argument in ("filename", "section", "name"):
            return None  # static files, placeholders, job names: no object behind them
        else:
            values[argument] = sweep_support.id_for(session, argument, ids, practice_id)
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def ours(frozen_now, app, session, practice):
    ids = sweep_support.populate(session, practice, name=PAYLOAD)
    admin = factories.make_staff(session, practice, profession="gp", is_admin=True)
    session.commit()
    b = Browser(app.test_client())
    assert b.login(admin.email).status_code == 302
    return b, ids


@pytest.mark.parametrize("token", [None, "jeton-faux"], ids=["no-token", "wrong-token"])
def test_every_unsafe_route_refuses_a_missing_or_wrong_csrf_token(
    app, session, practice, ours, token
):
    b, ids = ours
    before = sweep_support.fingerprint(session)
    refused = 0
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & UNSAFE):
            url = _url(app, session, rule, ids, practice.id)
            if url is None:
                url = rule.build(dict.fromkeys(rule.arguments, "x"), append_unknown=False)[1]
            headers = {"X-CSRFToken": token} if token else {}
            data = {"csrf_token": token} if token else {}
            if rule.rule.startswith("/api/"):
                response = b.client.open(url, method=method, json={}, headers=headers)
            else:
                response = b.client.open(url, method=method, data=data)
            assert response.status_code == 400, f"{method} {url} → {response.status_code}"
            refused += 1
    session.expire_all()
    assert sweep_support.fingerprint(session) == before
    print(f"sweep: {refused} unsafe routes refused")
    assert refused >= 60


def test_script_payloads_are_escaped_on_every_page(app, session, practice, ours):
    b, ids = ours
    escaped = html.escape(PAYLOAD, quote=False)
    pages = shown = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = _url(app, session, rule, ids, practice.id)
        if url is None:
            continue
        response = b.get(url)
        assert response.status_code < 500, f"GET {url} → {response.status_code}"
        if response.mimetype != "text/html":
            continue  # JSON, iCal and CSV are data: a browser never runs them as a page
        pages += 1
        body = response.get_data(as_text=True)
        assert PAYLOAD not in body, f"GET {url} shows the script unescaped"
        shown += escaped in body or html.escape(PAYLOAD) in body
    print(f"sweep: {pages} HTML pages, payload shown escaped on {shown}")
    assert pages >= 40 and shown >= 10, (pages, shown)


def test_script_payloads_stay_data_in_feeds_and_exports(app, session, practice, ours):
    b, ids = ours
    feed = app.test_client().get(f"/calendriers/{ids['token']}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    csv = b.get("/delegation/indicateurs.csv")
    assert csv.mimetype == "text/csv"
    assert PAYLOAD.replace(",", "\\,") in feed.get_data(as_text=True).replace("\r\n ", "")
    for response in (feed, csv):
        assert "text/html" not in response.headers["Content-Type"]
        assert response.headers.get("X-Content-Type-Options") == "nosniff"
