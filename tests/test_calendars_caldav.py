"""A round trip through a real CalDAV server: every event of a feed is stored in Radicale
(started here on 127.0.0.1, no authentication, a temporary folder) and read back with the
caldav client, unchanged."""

import re
import socket
import subprocess
import time
from datetime import date

import icalendar
import pytest

from tests import factories
from tests.calendars_support import book, create_feed, day_in, make_team, radicale_command
from tests.conftest import require_module
from umpro.scheduling.models import CANCELLED


@pytest.fixture(autouse=True)
def _caldav_and_radicale():
    """Both come with the dev extra: skipped on a partial install, failed in CI."""
    require_module("caldav")
    require_module("radicale")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def radicale_url(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        radicale_command(tmp_path / "radicale.conf", port, tmp_path / "collections"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("Radicale n'a pas démarré")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _compare(event) -> tuple:
    return (
        str(event["UID"]),
        str(event["SUMMARY"]),
        str(event.get("LOCATION", "")),
        str(event["STATUS"]),
        int(event["SEQUENCE"]),
        event.decoded("DTSTART"),
        event.decoded("DTEND"),
        event.decoded("DTSTART").strftime("%H:%M"),
    )


def test_feed_round_trip_through_radicale(client, session, practice, radicale_url):
    team = make_team(session, practice)
    long_room = factories.make_room(
        session, practice, name="Salle « Hélène Boucher », rez-de-chaussée; accès PMR"
    )
    book(session, team, date(2026, 3, 29), "09:00")
    book(session, team, date(2026, 10, 25), "17:30", room_id=long_room.id)
    book(session, team, day_in(1), "08:15", status=CANCELLED, sequence=2)
    book(session, team, day_in(2), "11:45", sequence=5)
    session.commit()
    _, url = create_feed(session, team.gp, detail="initials")
    client.application.config.update(UMPRO_FEED_PAST_DAYS=400, UMPRO_FEED_FUTURE_DAYS=400)
    body = client.get(url).data
    sent = {str(e["UID"]): _compare(e) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert len(sent) == 4

    text = body.decode()
    head = text[: text.index("BEGIN:VEVENT")]
    blocks = re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", text, flags=re.S)
    caldav = require_module("caldav")
    dav = caldav.DAVClient(url=radicale_url, username="umpro", password="umpro")
    calendar = dav.principal().make_calendar(name="UMPro", cal_id="umpro")
    for block in blocks:  # one resource per event, as a CalDAV server wants
        # As stored: the client would otherwise raise SEQUENCE itself on save.
        calendar.add_event(head + block + "END:VCALENDAR\r\n", increase_seqno=False)

    stored = calendar.events()
    back = {}
    for item in stored:
        for event in icalendar.Calendar.from_ical(item.data).walk("VEVENT"):
            back[str(event["UID"])] = _compare(event)
    assert back == sent
    assert {v[3] for v in back.values()} == {"CONFIRMED", "CANCELLED"}
    assert any("Hélène Boucher" in v[2] for v in back.values())
