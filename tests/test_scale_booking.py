"""Booking (``POST /api/v1/appointments``) runs the same SQL statements on a small practice
and on one ten times larger, and reads the staff member's rules and absences once (the
placement check and the same-day hold check share them), with the rules' types, and
reads no held-slot row when no hold is in the way."""

from sqlalchemy import select

from tests.conftest import Browser
from tests.test_scale_pages import two_practices  # noqa: F401 - the fixture
from umpro import generate
from umpro.patients.models import Patient


def _bookings(app, session, count_queries, number, ids) -> list[list[str]]:
    """The statements of each successful booking of two free slots of the practice's
    GPs (a slot whose patient is busy then is tried with the next patient)."""
    browser = Browser(app.test_client())
    assert browser.login(generate.account_email("marie.dubois", number)).status_code == 302
    found = browser.api("GET", f"/api/v1/slots?type={ids['consult']}&limit=20").json["items"]
    practice_id = session.get(Patient, ids["patient"]).practice_id
    patients = session.scalars(
        select(Patient.id).where(Patient.practice_id == practice_id).order_by(Patient.id).limit(20)
    ).all()
    booked = []
    for slot, patient_id in zip(found, patients, strict=False):
        body = {
            "patient_id": patient_id,
            "staff_id": slot["staff"]["id"],
            "type_id": slot["type_id"],
            "start": slot["start"],
        }
        with count_queries() as q:
            answer = browser.api("POST", "/api/v1/appointments", json=body)
        if answer.status_code == 201:
            booked.append(q.statements)
        if len(booked) == 2:
            break
    assert len(booked) == 2, "deux créneaux libres réservés"
    return booked


def test_booking_statements_do_not_grow_with_data(two_practices, app, session, count_queries):  # noqa: F811
    small = _bookings(app, session, count_queries, 1, two_practices[1])
    large = _bookings(app, session, count_queries, 2, two_practices[2])
    # The second booking of each practice (the first warms the process's caches).
    assert len(small[1]) == len(large[1])
    for statements in (small[1], large[1]):
        rules = [s for s in statements if "FROM availability_rule " in s]
        assert len(rules) == 1, "les plages de l'agenda sont lues une fois par réservation"
        flat = [" ".join(s.split()) for s in statements]
        # The rules' types come with the rules (one join); no policy holds blocks; no
        # written held slot is read for a booking outside held time.
        for table in ("availability_rule_type", "hold_block", "held_slot"):
            assert not [s for s in flat if f"FROM {table} " in s], table
