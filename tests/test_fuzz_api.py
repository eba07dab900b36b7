"""Property-based tests (issue 14): random JSON of wrong shapes and random strings sent to
every JSON endpoint that takes a body never get a 5xx, on SQLite and PostgreSQL.

Bounded: a few dozen examples per endpoint, so the file runs in well under a minute."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_api_input import BODY_ENDPOINTS, _url
from tests.test_api_input import world as _world_fixture

#: The fields the endpoints read, so random values reach the readers and the services.
FIELDS = [
    "patient_id",
    "staff_id",
    "type_id",
    "room_id",
    "gp_id",
    "target_id",
    "version",
    "start",
    "end",
    "status",
    "source",
    "reason",
    "note",
    "decision",
    "oriented_to",
    "channel",
    "received_on",
    "due_on",
    "given_on",
    "birth_date",
    "family_name",
    "given_names",
    "sex",
    "scope",
    "detail",
    "label",
    "protocol_code",
    "instructions",
    "priority",
    "inclusion_met",
    "exclusions_present",
    "results",
    "to",
    "has_chronic_condition",
    "confirm_duplicate",
    "is_unscheduled",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300)
    | st.sampled_from(["2026-11-30", "2026-03-29T02:30", "2026-11-30T10:00+01:00", "", " "])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=6)
raw_bodies = st.binary(max_size=200) | st.text(max_size=200).map(
    lambda t: t.encode("utf-8", "surrogatepass")
)

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


world = _world_fixture  # fixture


def _callers(client, world, method, url):
    allowed = []
    for headers in world.headers:
        response = client.open(url, method=method, json=[], headers=headers)
        if response.status_code != 403:
            allowed.append(headers)
    assert allowed, f"nobody may call {method} {url}"
    return allowed[0]


def _objects(client, method: str, url: str, headers: dict) -> set[int]:
    seen = set()

    @FUZZ
    @given(body=bodies)
    def check(body):
        response = client.open(url, method=method, json=body, headers=headers)
        seen.add(response.status_code)
        assert response.status_code < 500, (method, url, body, response.text[:300])
        if response.status_code >= 400:
            error = response.json["error"]
            assert error["message"] and error["code"]

    check()
    return seen


def _bytes(client, method: str, url: str, headers: dict) -> None:
    @FUZZ
    @given(data=raw_bodies)
    def check(data):
        response = client.open(url, method=method, data=data, headers=headers)
        assert response.status_code < 500, (method, url, data, response.text[:300])

    check()


def test_random_json_objects_never_get_a_5xx(client, world):
    for method, rule, _optional in BODY_ENDPOINTS:
        url = _url(rule, world)
        seen = _objects(client, method, url, _callers(client, world, method, url))
        assert seen, (method, rule)  # the property ran


def test_random_bytes_never_get_a_5xx(client, world):
    for method, rule, _optional in BODY_ENDPOINTS:
        url = _url(rule, world)
        headers = _callers(client, world, method, url) | {"Content-Type": "application/json"}
        _bytes(client, method, url, headers)
