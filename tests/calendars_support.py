"""Helpers shared by the calendar tests (tests/test_calendars_*.py, issue 7)."""

import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import vobject

from tests import factories
from umpro.acting import Acting
from umpro.calendars import feeds, services
from umpro.db import utcnow

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Team:
    practice: object
    gp: object
    patient: object
    type: object
    room: object


def make_team(session, practice, **gp_overrides) -> Team:
    gp = factories.make_staff(
        session, practice, given_name="Claire", family_name="Martin", **gp_overrides
    )
    patient = factories.make_patient(
        session, practice, family_name="Dupont", given_names="Marie-Hélène"
    )
    kind = factories.make_appointment_type(session, practice, label="Consultation")
    room = factories.make_room(session, practice, name="Cabinet 1")
    return Team(practice, gp, patient, kind, room)


def day_in(days: int) -> date:
    """A date ``days`` from today, in the practice zone."""
    return utcnow().astimezone(PARIS).date() + timedelta(days=days)


def book(session, team: Team, day: date, hour: str = "09:00", **overrides):
    values = {"type": team.type, "room_id": team.room.id} | overrides
    staff = values.pop("staff", team.gp)
    patient = values.pop("patient", team.patient)
    return factories.make_appointment(
        session, staff, patient, start_at=factories.local(day, hour), **values
    )


def create_feed(session, owner, **data):
    feed, secret = services.create_feed(
        session, acting=Acting(None, utcnow()), owner=owner, data=services.FeedInput(**data)
    )
    session.commit()
    return feed, f"/calendriers/{secret}.ics"


def render(session, feed, *, now: datetime | None = None, **settings) -> bytes:
    """The feed's body built by the service (no HTTP), at ``now``."""
    return feeds.render(
        session, feed=feed, now=now or utcnow(), settings=feeds.FeedSettings(**settings)
    ).body


def unfold(body: bytes) -> str:
    return body.decode().replace("\r\n ", "")


def read_vobject(body: bytes):
    """The calendar as vobject reads it, as a calendar app reading only this one would.

    vobject keeps the first VTIMEZONE it meets for a TZID in a process-wide registry: a
    feed read earlier, whose VTIMEZONE covers other years, would otherwise be used for
    this one's events (08:00 UTC for 09:00 Paris in summer). Start from an empty registry.
    """
    registry = vobject.icalendar.__dict__["__tzidMap"]
    registry.clear()
    vobject.icalendar.registerTzid("UTC", vobject.icalendar.utc)
    return vobject.readOne(body.decode())


def parse_both(body: bytes) -> tuple[dict, dict]:
    """The events of a feed read by two independent parsers: uid → event, for each."""
    by_icalendar = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    calendar = read_vobject(body)
    by_vobject = {e.uid.value: e for e in getattr(calendar, "vevent_list", [])}
    return by_icalendar, by_vobject


def radicale_command(config: Path, port: int, storage: Path) -> list[str]:
    """The command of a quiet Radicale on 127.0.0.1:``port`` storing in ``storage``, with no
    authentication and no web pages. ``config`` is written empty, so that no system or user
    configuration is read."""
    config.write_text("")
    return [
        sys.executable,
        "-m",
        "radicale",
        "--config",
        str(config),
        "--server-hosts",
        f"127.0.0.1:{port}",
        "--storage-filesystem-folder",
        str(storage),
        "--auth-type",
        "none",
        "--web-type",
        "none",
        "--logging-level",
        "error",
    ]
