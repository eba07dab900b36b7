"""A conditional GET of an unchanged iCal feed is answered 304 from the validators alone:
the feed is not built, the patients' names are not worked out, and the statements do
not grow with the number of events."""

import pytest

from tests import factories
from tests.calendars_support import book, create_feed, day_in, make_team
from umpro.calendars import feeds, http_cache

#: token + practice, throttle, the appointments' aggregate, types, rooms, staff, patients
MAX_304_STATEMENTS = 7


@pytest.fixture
def team(frozen_now, session):
    return make_team(session, factories.make_practice(session))


def _statements_of_304(client, count_queries, url) -> int:
    etag = client.get(url).headers["ETag"]
    with count_queries() as q:
        answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 304
    assert answer.data == b""
    return q.count


def _feed_of_one_booking(client, session, team, detail):
    """A feed of one appointment tomorrow: its URL and the ETag of a first GET."""
    book(session, team, day_in(1))
    _, url = create_feed(session, team.gp, detail=detail)
    return url, client.get(url).headers["ETag"]


def _forbid(monkeypatch, reason, *targets):
    """Replaces each (owner, name) of ``targets`` by a function that fails the test."""

    def forbidden(*args, **kwargs):
        raise AssertionError(reason)

    for owner, name in targets:
        monkeypatch.setattr(owner, name, forbidden)


@pytest.mark.parametrize("detail", ["busy", "full"])
def test_a_304_runs_the_same_few_statements_for_10_or_100_events(
    frozen_now, client, session, team, count_queries, detail
):
    _, url = create_feed(session, team.gp, detail=detail)
    for n in range(10):
        book(session, team, day_in(1 + n))
    session.commit()
    few = _statements_of_304(client, count_queries, url)
    for n in range(90):
        patient = factories.make_patient(session, team.practice, family_name=f"Patient{n}")
        book(session, team, day_in(20 + n), patient=patient)
    session.commit()
    many = _statements_of_304(client, count_queries, url)
    assert few == many
    assert many <= MAX_304_STATEMENTS


def test_a_304_builds_nothing(frozen_now, client, session, team, monkeypatch):
    url, etag = _feed_of_one_booking(client, session, team, "full")
    _forbid(
        monkeypatch,
        "a 304 must not build the feed",
        (feeds, "render"),
        (http_cache, "show_patients"),
    )
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_renamed_patient_still_changes_the_etag(frozen_now, client, session, team):
    url, etag = _feed_of_one_booking(client, session, team, "initials")
    team.patient.given_names = "Anne"  # initials change: M. → A.
    session.commit()
    answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 200
    assert answer.headers["ETag"] != etag


def test_validators_read_names_without_working_them_out(frozen_now, session, team):
    book(session, team, day_in(1))
    feed, _ = create_feed(session, team.gp, detail="full")
    checked = http_cache.validators(
        session, feed=feed, now=frozen_now, settings=http_cache.FeedSettings()
    )
    assert checked.context.patient_rows == ((team.patient.id, "Dupont", "Marie-Hélène"),)
    assert checked.context.patients == {}  # display names: only when the feed is built
    shown = http_cache.show_patients(feed, checked.context)
    assert shown.patients[team.patient.id] == "DUPONT Marie-Hélène"


def test_an_unchanged_practice_answers_304_from_its_data_version_alone(
    frozen_now, client, session, team, count_queries, monkeypatch
):
    url, etag = _feed_of_one_booking(client, session, team, "full")
    _forbid(
        monkeypatch, "the quick path must not compute the aggregate", (http_cache, "validators")
    )
    with count_queries() as q:
        answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 304
    assert answer.headers["ETag"] == etag
    # token + owner, the throttle's update, the data version
    assert q.count <= 4, q.statements


def test_a_change_elsewhere_in_the_practice_still_ends_in_a_304(frozen_now, client, session, team):
    url, etag = _feed_of_one_booking(client, session, team, "full")
    factories.make_patient(session, team.practice, family_name="Ailleurs")  # not in the feed
    session.commit()
    answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 304
    quick, content = answer.headers["ETag"].strip('"').split(".")
    assert content == etag.strip('"').split(".")[1] and quick != etag.strip('"').split(".")[0]
    # The new tag is then answered on the quick path.
    again = client.get(url, headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == answer.headers["ETag"]
