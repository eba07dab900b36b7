"""Property: a busy-only feed never carries a patient's name, whatever the names are. It is
in fact byte for byte the same whatever they are — and so is its ETag — for the feed of a
professional, of a room and of the practice. The .ics sent to a patient never names them."""

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.calendars_support import book, create_feed, day_in, make_team, render, unfold
from umpro.calendars import feeds, ics
from umpro.scheduling.models import CANCELLED, NOSHOW

NAME_CHARS = st.characters(
    whitelist_categories=("Lu", "Ll", "Lo", "Nd", "Zs", "Pd", "Po", "So"),
    whitelist_characters="\\;,:\"'\n",
    blacklist_characters="\x00",
)
NAMES = st.text(NAME_CHARS, min_size=1, max_size=40).filter(lambda s: s.strip())
PEOPLE = st.lists(st.tuples(NAMES, NAMES), min_size=3, max_size=3)


def _setup(session, practice):
    team = make_team(session, practice)
    others = [factories.make_patient(session, practice) for _ in range(2)]
    patients = [team.patient, *others]
    appointments = [
        book(session, team, day_in(1), "09:00", patient=patients[0]),
        book(session, team, day_in(1), "09:30", patient=patients[1], status=CANCELLED),
        book(session, team, day_in(-3), "10:00", patient=patients[2], status=NOSHOW),
    ]
    feeds_ = [
        create_feed(session, team.gp)[0],
        create_feed(session, team.gp, scope="room", target_id=team.room.id)[0],
        create_feed(session, team.gp, scope="practice")[0],
    ]
    return patients, appointments, feeds_


def test_busy_feed_never_contains_a_patient_name(session, practice):
    patients, appointments, busy_feeds = _setup(session, practice)
    now = datetime.now(UTC)
    settings_ = feeds.FeedSettings()
    baseline = [render(session, f, now=now) for f in busy_feeds]
    etags = [
        feeds.validators(session, feed=f, now=now, settings=settings_).etag for f in busy_feeds
    ]
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    sent_before = [ics.appointment_ics(a, now=stamp) for a in appointments]

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(PEOPLE)
    def check(people):
        for patient, (family, given_names) in zip(patients, people, strict=True):
            patient.family_name, patient.given_names = family, given_names
        session.flush()
        for feed, before, etag in zip(busy_feeds, baseline, etags, strict=True):
            body = render(session, feed, now=now)
            assert body == before
            assert feeds.validators(session, feed=feed, now=now, settings=settings_).etag == etag
            text = unfold(body)
            for family, given_names in people:
                for name in (family, given_names, ics.escape_text(family)):
                    if len(name.strip()) >= 3 and name not in unfold(before):
                        assert name not in text
        for appointment, before in zip(appointments, sent_before, strict=True):
            assert ics.appointment_ics(appointment, now=stamp) == before

    check()
