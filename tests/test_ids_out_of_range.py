"""Ids out of range never answer 500 (issue 14, fix 2): past 2**31-1 a PostgreSQL
``integer`` query overflows, past 2**63-1 SQLite's too. In a URL path they answer 404
(the app's ``int`` converter), in a query string or a JSON body 422 or 404."""

import pytest

from tests import factories
from umpro import create_app
from umpro.web import IdConverter

HUGE = [2**31, 2**63, 2**64]
MAX_ID = 2**31 - 1


def _id_rules():
    """(rule, method) of every route of the app that takes an id in its path."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    found = []
    for rule in app.url_map.iter_rules():
        if any(isinstance(c, IdConverter) for c in rule._converters.values()):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.rule, method))
    return found


ID_RULES = _id_rules()


def _url(rule: str, value: int) -> str:
    """The rule with every ``<int:…>`` set to ``value`` and any other argument to ``x``."""
    parts = []
    for chunk in rule.split("<"):
        if ">" not in chunk:
            parts.append(chunk)
            continue
        spec, rest = chunk.split(">", 1)
        parts.append(("x" if not spec.startswith("int:") else str(value)) + rest)
    return "".join(parts)


@pytest.fixture
def admin(sign_in):
    browser, _staff = sign_in("gp", is_admin=True)
    return browser


def _send(browser, method: str, url: str):
    if url.startswith("/api/"):
        return browser.api(method, url, json={})
    if method == "GET":
        return browser.get(url)
    return browser.post(url, data={})


def test_every_id_route_is_covered():
    # The sweep below covers the whole URL map: a new route with an id joins it by itself.
    assert len(ID_RULES) >= 50
    assert ("/api/v1/appointments/<int:appointment_id>", "PATCH") in ID_RULES


def test_ids_past_an_integer_key_are_404_in_every_path(admin):
    # One sweep over the URL map (one sign-in): a new route with an id joins it by itself.
    failures = []
    for rule, method in ID_RULES:
        for value in HUGE:
            response = _send(admin, method, _url(rule, value))
            # 404; werkzeug answers 405 when another method's rule of the same path exists.
            if response.status_code not in (404, 405):
                failures.append((method, rule, value, response.status_code))
        # The largest id names no object either: refused or unknown, never an error.
        response = _send(admin, method, _url(rule, MAX_ID))
        if response.status_code >= 500 or (
            method == "GET" and response.status_code not in (403, 404)
        ):
            failures.append((method, rule, MAX_ID, response.status_code))
    assert failures == []


QUERY_URLS = [
    "/api/v1/slots?type={v}",
    "/api/v1/slots?type={type}&staff={v}",
    "/api/v1/slots?type={type}&prefer={v}",
    "/api/v1/slots?type={type}&patient={v}",
    "/api/v1/appointments?staff={v}",
    "/api/v1/registration-requests?gp={v}",
    "/api/v1/patients?q=a&limit={v}",
    "/agenda/?staff={v}",
    "/agenda/impression?staff={v}",
    "/agenda/semaine?personne={v}",
    "/agenda/rendez-vous/nouveau?staff={v}&type={v}",
    "/patients/demandes?gp={v}",
    "/patients/{patient}?page={v}",
    "/admin/journal?staff={v}&patient={v}",
    "/delegation/indicateurs?annee={v}",
]


@pytest.fixture
def scene(session, practice, sign_in):
    browser, _staff = sign_in("gp", is_admin=True)
    patient = factories.make_patient(session, practice)
    kind = factories.make_appointment_type(session, practice)
    session.commit()
    return browser, {"patient": patient.id, "type": kind.id}


def test_ids_in_query_strings_are_refused_or_unknown(scene):
    browser, ids = scene
    failures = []
    for template in QUERY_URLS:
        for value in [*HUGE, -1, 0, "abc", "²", "1e3", " "]:
            response = browser.get(template.format(v=value, **ids))
            if response.status_code >= 500:
                failures.append((template, value, response.status_code))
            elif template.startswith("/api/") and value in HUGE:
                error = response.json["error"]
                assert response.status_code in (404, 422), (template, value)
                assert error["message"] and error["field"]
    assert failures == []


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/registration-requests", {"patient_id": "P"}, "patient_id"),
        ("/api/v1/registration-requests", {"patient_id": "{patient}", "gp_id": "G"}, "gp_id"),
        ("/api/v1/tasks", {"patient_id": "P", "protocol_code": "dt2"}, "patient_id"),
        ("/api/v1/feeds", {"target_id": "T"}, "target_id"),
        ("/api/v1/appointments", {"patient_id": "P"}, "patient_id"),
        ("/api/v1/appointments", {"patient_id": "{patient}", "staff_id": "S"}, "staff_id"),
        (
            "/api/v1/appointments",
            {"patient_id": "{patient}", "staff_id": "{staff}", "type_id": "T"},
            "type_id",
        ),
    ],
)
def test_ids_in_json_bodies_are_422(app, session, practice, api_key_for, url, body, field):
    staff = factories.make_staff(session, practice, profession="gp", is_admin=True)
    patient = factories.make_patient(session, practice)
    session.commit()
    headers = api_key_for(staff)
    known = {"{patient}": patient.id, "{staff}": staff.id}
    for value in [*HUGE, 0, -5, 1.5, True, "12"]:
        sent = {k: value if v in "PGTS" else known.get(v, v) for k, v in body.items()}
        response = app.test_client().post(url, json=sent, headers=headers)
        assert response.status_code == 422, (value, response.json)
        error = response.json["error"]
        assert error["field"] == field
        assert "dentifiant" in error["message"]
