"""The iCal feed by secret token: RFC 5545 content read by two parsers, statuses, detail
levels, HTTP validators, throttling, 404s, the access log and bounded queries."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.calendars_support import (
    book,
    create_feed,
    day_in,
    make_team,
    parse_both,
    render,
    unfold,
)
from umpro.auth.models import AccessLog
from umpro.calendars.models import EventCache
from umpro.scheduling.models import CANCELLED, ENTERED_IN_ERROR, NOSHOW


@pytest.fixture
def team(session, practice):
    return make_team(session, practice)


def _edit(session, appointment, **changes):
    """A change as the booking service makes it: fields, sequence + 1, updated_at."""
    for name, value in changes.items():
        setattr(appointment, name, value)
    appointment.sequence += 1
    appointment.updated_at = datetime.now(UTC)
    session.commit()


def test_feed_is_rfc5545_text_that_both_parsers_read(client, session, team):
    first = book(session, team, day_in(1), "09:00")
    second = book(session, team, day_in(2), "14:30")
    _, url = create_feed(session, team.gp)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.data
    assert body.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert body.count(b"\n") == body.count(b"\r\n"), "every line ends with CRLF"
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/Paris" in body
    by_icalendar, by_vobject = parse_both(body)
    assert set(by_icalendar) == set(by_vobject) == {first.uid, second.uid}
    event = by_icalendar[second.uid]
    assert event["SUMMARY"] == "Consultation"
    assert event["LOCATION"] == "Cabinet 1"
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event.decoded("DTSTART").strftime("%H:%M") == "14:30"
    assert "DTSTAMP:" in unfold(body) and unfold(body).count("Z\r\nDTSTART;TZID=") == 2
    assert by_vobject[second.uid].dtstart.value.strftime("%H:%M") == "14:30"


def test_uids_are_stable_and_sequence_grows_on_edits(client, session, team):
    appointment = book(session, team, day_in(3), "10:00")
    _, url = create_feed(session, team.gp)
    before = parse_both(client.get(url).data)[0][appointment.uid]
    again = parse_both(client.get(url).data)[0][appointment.uid]
    assert again.to_ical() == before.to_ical()
    _edit(
        session,
        appointment,
        start_at=appointment.start_at + timedelta(hours=1),
        end_at=appointment.end_at + timedelta(hours=1),
    )
    by_icalendar, by_vobject = parse_both(client.get(url).data)
    after = by_icalendar[appointment.uid]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert int(by_vobject[appointment.uid].sequence.value) == after["SEQUENCE"]
    assert after.decoded("DTSTART").strftime("%H:%M") == "11:00"
    assert after.decoded("DTSTAMP") >= before.decoded("DTSTAMP")  # (to the second)


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_events_on_dst_change_days_keep_their_paris_wall_clock_time(session, team, day):
    morning = book(session, team, day, "09:00")
    evening = book(session, team, day, "18:45")
    feed, _ = create_feed(session, team.gp)
    now = datetime.combine(day - timedelta(days=10), datetime.min.time(), tzinfo=UTC)
    body = render(session, feed, now=now)
    text = unfold(body)
    assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T090000" in text
    assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T184500" in text
    by_icalendar, by_vobject = parse_both(body)
    for appointment, wall in ((morning, "09:00"), (evening, "18:45")):
        for start in (
            by_icalendar[appointment.uid].decoded("DTSTART"),
            by_vobject[appointment.uid].dtstart.value,
        ):
            assert start.strftime("%H:%M") == wall
            assert start.astimezone(UTC) == appointment.start_at


def test_cancelled_events_stay_as_cancelled_for_the_retention_window(session, team):
    cancelled = book(session, team, date(2026, 5, 4), "09:00", status=CANCELLED, sequence=1)
    cancelled.updated_at = datetime(2026, 5, 1, 12, tzinfo=UTC)
    session.commit()
    feed, _ = create_feed(session, team.gp)
    soon = datetime(2026, 5, 2, 8, tzinfo=UTC)
    by_icalendar, by_vobject = parse_both(render(session, feed, now=soon))
    event = by_icalendar[cancelled.uid]
    assert event["STATUS"] == "CANCELLED"
    assert by_vobject[cancelled.uid].status.value == "CANCELLED"
    assert event["SUMMARY"].startswith("Annulé : ")
    assert event["SEQUENCE"] == 1
    # 31 days after its cancellation, it is gone (default retention: 30 days).
    late = datetime(2026, 6, 1, 8, tzinfo=UTC)
    assert cancelled.uid not in parse_both(render(session, feed, now=late))[0]
    assert cancelled.uid in parse_both(render(session, feed, now=late, cancelled_days=60))[0]


def test_noshow_and_entered_in_error(session, team):
    noshow = book(session, team, day_in(-2), "09:00", status=NOSHOW)
    error = book(session, team, day_in(-2), "10:00", status=ENTERED_IN_ERROR)
    feed, _ = create_feed(session, team.gp, detail="initials")
    by_icalendar, _ = parse_both(render(session, feed))
    assert by_icalendar[noshow.uid]["STATUS"] == "CONFIRMED"
    assert by_icalendar[noshow.uid]["TRANSP"] == "TRANSPARENT"
    assert by_icalendar[noshow.uid]["SUMMARY"] == "Consultation — M. D. (non venu)"
    # Entered in error: withdrawn like a cancellation, and never with the patient's words.
    assert by_icalendar[error.uid]["STATUS"] == "CANCELLED"
    assert by_icalendar[error.uid]["SUMMARY"] == "Annulé : Consultation"


def test_window_is_configurable(session, team):
    near = book(session, team, day_in(5))
    far = book(session, team, day_in(200))
    past = book(session, team, day_in(-20))
    feed, _ = create_feed(session, team.gp)
    assert set(parse_both(render(session, feed))[0]) == {near.uid, far.uid, past.uid}
    narrow = render(session, feed, past_days=7, future_days=30)
    assert set(parse_both(narrow)[0]) == {near.uid}


@pytest.mark.parametrize(
    ("detail", "summary", "private"),
    [
        ("busy", "Consultation", False),
        ("initials", "Consultation — M. D.", True),
        ("full", "Consultation — DUPONT Marie-Hélène", True),
    ],
)
def test_detail_levels(client, session, team, detail, summary, private):
    appointment = book(session, team, day_in(1))
    _, url = create_feed(session, team.gp, detail=detail)
    body = client.get(url).data
    event = parse_both(body)[0][appointment.uid]
    assert event["SUMMARY"] == summary
    assert (event.get("CLASS") == "PRIVATE") is private
    assert ("Dupont" in unfold(body) or "DUPONT" in unfold(body)) is (detail == "full")


def test_room_and_practice_feeds_name_the_professional(session, team):
    other_room = factories.make_room(session, team.practice, name="Cabinet 2")
    here = book(session, team, day_in(1), "09:00")
    there = book(session, team, day_in(1), "10:00", room_id=other_room.id)
    room_feed, _ = create_feed(session, team.gp, scope="room", target_id=team.room.id)
    room_events = parse_both(render(session, room_feed))[0]
    assert set(room_events) == {here.uid}
    assert room_events[here.uid]["SUMMARY"] == "Consultation (Dr Claire Martin)"
    practice_feed, _ = create_feed(session, team.gp, scope="practice")
    assert set(parse_both(render(session, practice_feed))[0]) == {here.uid, there.uid}


def test_another_practice_never_appears(session, team):
    mine = book(session, team, day_in(1))
    elsewhere = make_team(session, factories.make_practice(session))
    theirs = book(session, elsewhere, day_in(1))
    feed, _ = create_feed(session, team.gp, scope="practice")
    uids = set(parse_both(render(session, feed))[0])
    assert mine.uid in uids and theirs.uid not in uids


def test_etag_last_modified_and_304(client, session, team):
    appointment = book(session, team, day_in(1))
    _, url = create_feed(session, team.gp)
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    unchanged = client.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    assert unchanged.headers["ETag"] == etag
    _edit(session, appointment, status=CANCELLED)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert b"STATUS:CANCELLED" in changed.data


def test_etag_follows_names_shown(client, session, team):
    book(session, team, day_in(1))
    _, url = create_feed(session, team.gp, detail="full")
    etag = client.get(url).headers["ETag"]
    team.patient.family_name = "Durand"
    session.commit()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "DURAND Marie-Hélène" in unfold(response.data)
    assert "DUPONT" not in unfold(response.data)


def test_cache_rebuilds_what_changed_anywhere(session, team):
    appointment = book(session, team, day_in(1))
    book(session, team, day_in(2))
    feed, _ = create_feed(session, team.gp)
    render(session, feed)
    session.commit()
    rows = session.scalar(select(func.count()).select_from(EventCache))
    assert rows == 2
    # A change made behind the feed's back (raw update of the appointment, a type relabelled).
    team.type.label = "Consultation longue"
    appointment.status = CANCELLED
    session.commit()
    text = unfold(render(session, feed))
    assert text.count("SUMMARY:Consultation longue") == 1
    assert "SUMMARY:Annulé : Consultation longue" in text
    assert session.scalar(select(func.count()).select_from(EventCache)) == 2


def test_unknown_revoked_and_malformed_tokens_all_get_the_same_404(client, session, team):
    book(session, team, day_in(1))
    feed, url = create_feed(session, team.gp)
    assert client.get(url).status_code == 200
    feed.revoked_at = datetime.now(UTC)
    session.commit()
    answers = [
        client.get(path)
        for path in (
            url,  # revoked
            "/calendriers/" + "A" * 43 + ".ics",  # never existed
            "/calendriers/court.ics",  # malformed
            "/calendriers/" + "%27%3B--" * 6 + ".ics",
            "/calendriers/nimporte-quoi",  # not even a feed URL
        )
    ]
    assert {r.status_code for r in answers} == {404}
    assert len({r.data for r in answers}) == 1
    assert len({r.headers["Content-Type"] for r in answers}) == 1


def test_feed_of_a_deactivated_owner_is_404(client, session, team):
    _, url = create_feed(session, team.gp)
    team.gp.is_active = False
    session.commit()
    assert client.get(url).status_code == 404


def test_throttled_per_token_in_the_database(app, client, session, team):
    app.config.update(UMPRO_FEED_RATE_LIMIT=3, UMPRO_FEED_RATE_WINDOW_SECONDS=600)
    feed, url = create_feed(session, team.gp)
    _, other_url = create_feed(session, team.gp)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert "Trop de requêtes" in refused.get_data(as_text=True)
    assert client.get(other_url).status_code == 200, "the throttle is per token"
    session.expire_all()
    assert feed.window_count == 4 and feed.last_used_at is not None


def test_each_download_is_logged_with_patients_only_when_shown(client, session, team):
    other = factories.make_patient(session, team.practice, family_name="Bernard")
    book(session, team, day_in(1), "09:00")
    book(session, team, day_in(1), "10:00", patient=other)
    busy, busy_url = create_feed(session, team.gp)
    named, named_url = create_feed(session, team.gp, detail="initials")
    client.get(busy_url)
    etag = client.get(named_url).headers["ETag"]
    client.get(named_url, headers={"If-None-Match": etag})  # nothing sent: not logged

    def rows(feed):
        return session.scalars(select(AccessLog).where(AccessLog.target == f"feed:{feed.id}")).all()

    assert [(r.action, r.patient_id, r.staff_id) for r in rows(busy)] == [
        ("calendars.feed", None, None)
    ]
    # One row per download, listing every patient shown.
    [row] = rows(named)
    assert row.patient_ids == ",".join(str(i) for i in sorted([team.patient.id, other.id]))


@pytest.mark.parametrize("count", [3, 60])
def test_feed_queries_are_bounded(client, session, team, count_queries, count):
    day = day_in(1)
    for i in range(count):
        patient = factories.make_patient(session, team.practice)
        book(
            session,
            team,
            day + timedelta(days=i // 20),
            f"{8 + (i % 20) // 2:02d}:{30 * (i % 2):02d}",
            patient=patient,
        )
    _, url = create_feed(session, team.gp, detail="full")
    with count_queries() as cold:
        assert client.get(url).status_code == 200
    with count_queries() as warm:
        response = client.get(url)
    with count_queries() as not_modified:
        assert (
            client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
        )
    assert response.data.count(b"BEGIN:VEVENT") == count

    def feed_queries(counter):
        # The access log writes one row per patient shown (umpro/auth/audit.py): not ours.
        return [s for s in counter.statements if not s.startswith("INSERT INTO access_log")]

    # (+ 1 each since the ETag's quick part: the practice's data version, one row)
    assert len(feed_queries(cold)) <= 13, feed_queries(cold)
    assert len(feed_queries(warm)) <= 12, feed_queries(warm)
    assert not_modified.count <= 8, not_modified.statements
