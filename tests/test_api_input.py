"""One way to read API input (issue 10, item 3; issue 14, fix 3): one error policy for
every JSON endpoint — 400 for a body that cannot be read, 422 for a value of the wrong
type or out of range — with a French message and the field at fault."""

import inspect
from datetime import UTC, date, datetime

import pytest

from tests import factories
from umpro import create_app
from umpro.api import input as read
from umpro.errors import Invalid

# --- The readers, without HTTP ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("  Hélène ", "Hélène"), ("", ""), (None, "")],
)
def test_text_is_stripped_and_none_is_the_default(value, expected):
    assert read.text({"name": value}, "name") == expected


@pytest.mark.parametrize(
    ("value", "long", "message"),
    [
        (12, False, "chaîne de caractères"),
        (["a"], False, "chaîne de caractères"),
        ("a\tb", False, "caractère de contrôle"),
        ("a\x1bb", True, "caractère de contrôle"),
        ("a\x85b", True, "caractère de contrôle"),
        ("x" * 201, False, "dépasse 200 caractères"),
    ],
)
def test_text_refusals_are_422_on_the_field(value, long, message):
    with pytest.raises(Invalid) as refused:
        read.text({"note": value}, "note", long=long)
    assert refused.value.status == 422
    assert refused.value.field == "note"
    assert message in refused.value.message


def test_long_text_keeps_line_breaks_and_tabs():
    assert read.text({"n": "a\n\tb\r\nc"}, "n", long=True, max_length=50) == "a\n\tb\r\nc"


def test_lone_surrogates_are_malformed_400():
    with pytest.raises(read.Malformed) as refused:
        read.text({"n": "a\ud800"}, "n")
    assert refused.value.status == 400
    assert refused.value.field == "n"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (1, True),
        (2**31 - 1, True),
        (2**31, False),
        (2**63, False),
        (0, False),
        (-1, False),
        (True, False),
        (1.0, False),
        ("12", False),
        ([1], False),
    ],
)
def test_ids_in_a_body_are_json_integers_of_a_database_key(value, ok):
    if ok:
        assert read.identifier({"id": value}, "id") == value
        return
    with pytest.raises(Invalid) as refused:
        read.identifier({"id": value}, "id")
    assert refused.value.status == 422
    assert refused.value.field == "id"


def test_a_required_id_says_which_field():
    with pytest.raises(Invalid, match="Le patient : champ obligatoire"):
        read.identifier({}, "patient_id", required="Le patient")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("0", None), ("²", None), ("1e3", None), (str(2**31), None)],
)
def test_ids_typed_in_a_page_filter(raw, expected):
    assert read.id_or_none(raw) == expected


def test_id_lists_from_a_query_string():
    assert read.to_ids("12, 13,,14", field="staff") == [12, 13, 14]
    for raw in ("12,x", f"1,{2**31}", ",".join(["1"] * 51)):
        with pytest.raises(Invalid) as refused:
            read.to_ids(raw, field="staff")
        assert refused.value.field == "staff"


def test_booleans_enums_dates():
    assert read.boolean({"b": True}, "b") is True
    assert read.boolean({}, "b") is False
    assert read.choice({"c": "b"}, "c", ["a", "b"]) == "b"
    assert read.day({"d": "2026-11-30"}, "d") == date(2026, 11, 30)
    for call in (
        lambda: read.boolean({"b": "true"}, "b"),
        lambda: read.choice({"c": "z"}, "c", ["a", "b"]),
        lambda: read.day({"d": "30/11/2026"}, "d"),
        lambda: read.day({"d": "9999-01-01"}, "d"),
        lambda: read.day({"d": 20261130}, "d"),
        lambda: read.integer({"n": 11}, "n", minimum=0, maximum=10),
        lambda: read.strings({"s": "a"}, "s"),
        lambda: read.mapping({"m": []}, "m"),
    ):
        with pytest.raises(Invalid):
            call()


def test_instants_keep_the_scheduling_dst_messages():
    tz = "Europe/Paris"
    assert read.parse_instant("2026-11-30T10:00", tz=tz, field="start") == datetime(
        2026, 11, 30, 9, 0, tzinfo=UTC
    )
    assert read.parse_instant("2026-11-30T10:00+00:00", tz=tz, field="start").hour == 10
    with pytest.raises(Invalid, match="n'existe pas le 29/03/2026"):
        read.parse_instant("2026-03-29T02:30", tz=tz, field="start")
    with pytest.raises(Invalid, match="existe deux fois le 25/10/2026"):
        read.parse_instant("2026-10-25T02:30", tz=tz, field="start")
    for bad in ("demain", "", 12, None, "0001-01-01T00:00"):
        with pytest.raises(Invalid) as refused:
            read.parse_instant(bad, tz=tz, field="start")
        assert refused.value.status == 422


def test_scheduling_reads_through_the_one_parser():
    from umpro.scheduling import parsing

    assert parsing.parse_instant is read.parse_instant
    assert parsing.parse_bound is read.parse_bound


# --- Every JSON endpoint that takes a body ------------------------------------------


def _body_endpoints():
    """(method, rule) of every API route whose view reads a JSON body."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        source = inspect.getsource(app.view_functions[rule.endpoint])
        if "read.body(" not in source:
            continue
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            found.append((method, rule.rule, "optional=True" in source))
    return found


BODY_ENDPOINTS = _body_endpoints()
IDS = [f"{m} {r}" for m, r, _ in BODY_ENDPOINTS]


def test_every_body_endpoint_is_swept():
    assert len(BODY_ENDPOINTS) >= 11
    assert ("PATCH", "/api/v1/appointments/<int:appointment_id>", False) in BODY_ENDPOINTS


@pytest.fixture
def world(app, session, practice, api_key_for):
    built = factories.api_world(session, practice)
    session.commit()
    # The GP (an admin) may call every body endpoint but the booking ones' secretary…
    built.headers = [api_key_for(staff) for staff in built.callers]
    return built


def _url(rule: str, world) -> str:
    for name, value in world.ids.items():
        rule = rule.replace(f"<int:{name}>", str(value))
    return rule


def _caller(client, world, method: str, url: str) -> dict:
    """The headers of the first account allowed to call the endpoint."""
    for headers in world.headers:
        response = client.open(url, method=method, json=[], headers=headers)
        if response.status_code != 403:
            return headers
    pytest.fail(f"nobody may call {method} {url}")


MALFORMED = [
    (b"pas du json", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"texte"', "application/json"),
    (b"null", "application/json"),
    (b'{"a": 1}', "text/plain"),
    (b'{"a": 1}', None),
    (b"[" * 100_000, "application/json"),
    (b'{"a": ' + b"[" * 30 + b"]" * 30 + b"}", "application/json"),
    (b'\xff\xfe{"a": 1}', "application/json"),
    (b'{"a": "\\ud800"}', "application/json"),
    (b'{"\\udfff": 1}', "application/json"),
    (b'{"a": NaN}', "application/json"),
    (b'{"a": ' + b"9" * 5000 + b"}", "application/json"),
]


@pytest.mark.parametrize(("method", "rule", "optional"), BODY_ENDPOINTS, ids=IDS)
def test_a_body_that_cannot_be_read_is_400_in_french(client, world, method, rule, optional):
    url = _url(rule, world)
    headers = _caller(client, world, method, url)
    cases = MALFORMED + ([] if optional else [(b"", "application/json")])
    for data, content_type in cases:
        sent = dict(headers)
        if content_type:
            sent["Content-Type"] = content_type
        response = client.open(url, method=method, data=data, headers=sent)
        assert response.status_code == 400, (data[:40], response.status_code, response.json)
        error = response.json["error"]
        assert error["code"] == "bad_request"
        assert error["message"].startswith(("Le corps de la requête", "Le texte envoyé"))


@pytest.mark.parametrize(("method", "rule", "optional"), BODY_ENDPOINTS, ids=IDS)
def test_a_nul_character_anywhere_is_422_on_its_field(client, world, method, rule, optional):
    url = _url(rule, world)
    headers = _caller(client, world, method, url)
    response = client.open(url, method=method, json={"zz": ["a\u0000b"]}, headers=headers)
    assert response.status_code == 422
    assert response.json["error"] == {
        "code": "invalid",
        "message": "Le texte envoyé contient un caractère nul.",
        "field": "zz",
    }


#: For each endpoint, a field it reads and a value of the wrong type for it.
WRONG_TYPES = {
    ("POST", "/api/v1/patients"): [("family_name", 12), ("birth_date", 20260101)],
    ("POST", "/api/v1/registration-requests"): [("patient_id", "1"), ("note", ["a"])],
    ("POST", "/api/v1/registration-requests/<int:request_id>/decision"): [
        ("decision", 1),
        ("note", {}),
    ],
    ("POST", "/api/v1/tasks"): [("patient_id", 1.5), ("inclusion_met", "dt2")],
    ("POST", "/api/v1/tasks/<int:task_id>/transition"): [("to", 3), ("results", [1])],
    ("POST", "/api/v1/patients/<int:patient_id>/consents"): [
        ("protocol_code", 3),
        ("given_on", True),
    ],
    ("DELETE", "/api/v1/patients/<int:patient_id>/consents"): [
        ("protocol_code", []),
        ("note", 5),
    ],
    ("POST", "/api/v1/feeds"): [("target_id", "3"), ("label", 5)],
    ("POST", "/api/v1/appointments"): [("patient_id", [1]), ("start", 900)],
    ("PATCH", "/api/v1/appointments/<int:appointment_id>"): [("version", "1"), ("start", 9)],
    ("POST", "/api/v1/appointments/<int:appointment_id>/cancel"): [
        ("version", "x"),
        ("reason", 5),
    ],
}


def test_every_body_endpoint_has_its_wrong_types():
    assert {(m, r) for m, r, _ in BODY_ENDPOINTS} == set(WRONG_TYPES)


def _valid(world, method: str, rule: str) -> dict:
    """A body the endpoint reads past its first fields (so the wrong one is reached)."""
    team = world.team
    return {
        "/api/v1/patients": {"family_name": "Durand", "given_names": "Léa", "sex": "F"},
        "/api/v1/registration-requests": {"patient_id": team.patient.id, "gp_id": team.gp.id},
        "/api/v1/tasks": {"patient_id": team.patient.id, "protocol_code": "asalee-dt2"},
        "/api/v1/patients/<int:patient_id>/consents": {"protocol_code": "asalee-dt2"},
        "/api/v1/appointments": {
            "patient_id": team.patient.id,
            "staff_id": team.gp.id,
            "type_id": world.kind.id,
        },
        "/api/v1/appointments/<int:appointment_id>": {"version": 1},
    }.get(rule, {})


@pytest.mark.parametrize(("method", "rule"), sorted(WRONG_TYPES), ids=sorted(map(str, WRONG_TYPES)))
def test_a_value_of_the_wrong_type_is_422_on_its_field(client, world, method, rule):
    url = _url(rule, world)
    headers = _caller(client, world, method, url)
    for field, value in WRONG_TYPES[(method, rule)]:
        body = _valid(world, method, rule) | {field: value}
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 422, (field, response.status_code, response.json)
        error = response.json["error"]
        assert error["field"] == field
        assert error["code"] == "invalid"
        assert error["message"][0].isupper() and error["message"].endswith((".", ")"))
