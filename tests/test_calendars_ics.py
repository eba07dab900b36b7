"""RFC 5545 text (umpro/calendars/ics.py): escaping, folding, VTIMEZONE, the .ics of one
appointment (METHOD:REQUEST and METHOD:CANCEL)."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from tests import factories
from tests.calendars_support import PARIS, book, make_team, read_vobject, unfold
from umpro.calendars import ics
from umpro.scheduling.models import CANCELLED


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Suivi, tension; bilan", "Suivi\\, tension\\; bilan"),
        ("C:\\dossier", "C:\\\\dossier"),
        ("ligne 1\nligne 2", "ligne 1\\nligne 2"),
        ("ligne 1\r\nligne 2\rligne 3", "ligne 1\\nligne 2\\nligne 3"),
        ("rien à échapper", "rien à échapper"),
    ],
)
def test_text_values_are_escaped(raw, escaped):
    assert ics.escape_text(raw) == escaped


@pytest.mark.parametrize("text", ["é" * 80, "a" + "€" * 60, "x" * 200, "🩺" * 40])
def test_folding_keeps_75_octets_and_whole_characters(text):
    folded = ics.fold(f"SUMMARY:{text}")
    assert folded.endswith("\r\n")
    lines = folded[:-2].split("\r\n")
    assert len(lines) > 1
    for i, line in enumerate(lines):
        assert len(line.encode()) <= 75
        assert i == 0 or line.startswith(" ")
        line.encode().decode()  # each physical line is valid UTF-8 on its own
    assert "".join(lines[:1] + [line[1:] for line in lines[1:]]) == f"SUMMARY:{text}"


def test_short_lines_are_not_folded():
    assert ics.fold("SUMMARY:" + "a" * 67) == "SUMMARY:" + "a" * 67 + "\r\n"


def test_paris_vtimezone_has_yearly_rules_at_the_real_changes():
    text = ics.vtimezone("Europe/Paris", 2026, 2027)
    assert "DTSTART:20260329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in text
    assert "DTSTART:20261025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" in text
    assert "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200" in text


def test_a_zone_without_dst_gets_one_standard_observance():
    text = ics.vtimezone("Asia/Tokyo", 2026, 2026)
    assert text.count("BEGIN:STANDARD") == 1 and "DAYLIGHT" not in text
    assert "TZOFFSETTO:+0900" in text


def _event_at(day, hour):
    start = factories.local(day, hour)
    return ics.EventText(
        uid="u-1",
        start_at=start,
        end_at=start + timedelta(minutes=15),
        stamp_at=datetime(2026, 1, 1, tzinfo=UTC),
        sequence=0,
        status="CONFIRMED",
        summary="Consultation",
    )


@pytest.mark.parametrize(
    ("day", "hour", "utc_hour"),
    [
        (date(2026, 3, 28), "09:00", 8),
        (date(2026, 3, 29), "09:00", 7),  # first day of summer time
        (date(2026, 3, 29), "01:30", 0),  # before the change, that night
        (date(2026, 10, 25), "09:00", 8),  # first day of winter time
        (date(2026, 10, 24), "09:00", 7),
    ],
)
def test_wall_clock_time_survives_dst_changes_in_both_parsers(day, hour, utc_hour):
    head = ics.calendar_head(tzid="Europe/Paris", first_year=2026, last_year=2026)
    body = head + ics.vevent(_event_at(day, hour), PARIS, "Europe/Paris") + ics.CALENDAR_TAIL
    body = body.encode()
    wall = f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T{hour.replace(':', '')}00"
    assert wall in unfold(body)
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert start.astimezone(UTC).hour == utc_hour
    assert start.astimezone(PARIS).strftime("%H:%M") == hour
    parsed = read_vobject(body).vevent.dtstart.value
    assert parsed.astimezone(UTC).hour == utc_hour


# --- The .ics sent to the patient --------------------------------------------------------


@pytest.fixture
def team(session, practice):
    practice.address = "12 rue des Lilas, 69003 Lyon"
    practice.phone = "04 00 00 00 00"
    team = make_team(session, practice)
    team.patient.email = "marie.dupont@exemple.fr"
    return team


def test_appointment_ics_request_names_type_professional_and_address_not_the_patient(session, team):
    appointment = book(session, team, date(2026, 3, 29), "10:30")
    body = ics.appointment_ics(appointment)
    text = unfold(body)
    assert "METHOD:REQUEST" in text
    assert "SUMMARY:Consultation — Dr Claire Martin" in text
    assert (
        "LOCATION:" + ics.escape_text(f"{team.practice.name}, 12 rue des Lilas, 69003 Lyon") in text
    )
    assert "DTSTART;TZID=Europe/Paris:20260329T103000" in text
    assert (
        "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:marie.dupont@exemple.fr" in text
    )
    assert "Dupont" not in text and "DUPONT" not in text and "Marie-Hélène" not in text
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["UID"]) == appointment.uid
    assert event["STATUS"] == "CONFIRMED"
    assert read_vobject(body).vevent.summary.value.startswith("Consultation")


def test_appointment_ics_cancel_keeps_uid_and_raises_sequence(session, team):
    appointment = book(session, team, date(2026, 10, 25), "09:00", sequence=3)
    request = icalendar.Calendar.from_ical(ics.appointment_ics(appointment))
    # A cancellation prepared before the appointment's status changes…
    early = icalendar.Calendar.from_ical(ics.appointment_ics(appointment, method="CANCEL"))
    # … and after it (the cancellation itself raised the sequence).
    appointment.status = CANCELLED
    appointment.sequence = 4
    session.flush()
    late = icalendar.Calendar.from_ical(ics.appointment_ics(appointment, method="cancel"))
    sent = request.walk("VEVENT")[0]
    for cancel in (early, late):
        assert cancel["METHOD"] == "CANCEL"
        event = cancel.walk("VEVENT")[0]
        assert event["UID"] == sent["UID"]
        assert event["STATUS"] == "CANCELLED"
        assert event["SEQUENCE"] > sent["SEQUENCE"] == 3
        assert event.decoded("DTSTART").strftime("%H:%M") == "09:00"


def test_appointment_ics_refuses_other_methods(session, team):
    appointment = book(session, team, date(2026, 6, 1))
    with pytest.raises(ValueError, match="unsupported"):
        ics.appointment_ics(appointment, method="PUBLISH")


@pytest.mark.parametrize(
    ("flags", "location"),
    [
        ({"is_teleconsultation": True}, "Téléconsultation"),
        ({"is_home_visit": True}, "À domicile"),
    ],
)
def test_appointment_ics_location_of_remote_and_home_visits(session, team, flags, location):
    kind = factories.make_appointment_type(session, team.practice, label="Visite", **flags)
    appointment = book(session, team, date(2026, 6, 2), type=kind, room_id=None)
    assert f"LOCATION:{location}\r\n" in ics.appointment_ics(appointment).decode()
