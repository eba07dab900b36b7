"""Two agenda rules tightened with same-day care: a docteur junior consults only while
the supervisor is on duty (an opening covering the time, no absence); an opening rule
whose start or end falls in a DST gap or fold is refused, not shifted."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import (
    local,
    make_appointment_type,
    make_open_staff,
    make_patient,
    make_rule,
    make_staff,
)
from umpro.acting import Acting
from umpro.errors import Invalid
from umpro.scheduling.models import Appointment, AvailabilityRule
from umpro.scheduling.services import booking, slots

MONDAY = date(2027, 1, 11)
NOW = local(MONDAY - timedelta(days=7), "08:00")


@pytest.fixture
def pair(session, practice):
    # The supervisor works Monday mornings only; the junior is open all week.
    supervisor = make_staff(session, practice, profession="gp")
    make_rule(session, supervisor, weekday=0, start="08:00", end="12:00")
    junior = make_open_staff(
        session, practice, profession="junior_doctor", supervisor_id=supervisor.id
    )
    kind = make_appointment_type(session, practice, professions=["gp", "junior_doctor"])
    secretary = make_staff(session, practice, profession="secretary")
    return junior, kind, secretary, make_patient(session, practice)


def _book(session, pair, day, hour):
    junior, kind, secretary, patient = pair
    return booking.book_appointment(
        session,
        acting=Acting(secretary, NOW),
        patient=patient,
        staff=junior,
        appointment_type=kind,
        start_at=local(day, hour),
    )


def test_a_junior_is_booked_only_while_the_supervisor_consults(session, pair):
    assert _book(session, pair, MONDAY, "09:00").id
    with pytest.raises(Invalid, match="ne consulte pas à cette heure-là"):
        _book(session, pair, MONDAY, "15:00")  # the supervisor's afternoon off
    with pytest.raises(Invalid, match="ne consulte pas à cette heure-là"):
        _book(session, pair, MONDAY + timedelta(days=1), "09:00")  # a day he never works
    assert session.scalar(select(func.count(Appointment.id))) == 1


def test_slot_search_offers_a_junior_only_supervised_times(session, pair):
    junior, kind, *_ = pair
    found = slots.find_slots(
        session,
        practice_id=junior.practice_id,
        tz="Europe/Paris",
        appointment_type=kind,
        staff=[junior],
        start_from=local(MONDAY, "00:00"),
        until=local(MONDAY + timedelta(days=2), "00:00"),
        now=NOW,
        limit=500,
    )
    assert found and all(
        local(MONDAY, "08:00") <= s.start_at and s.end_at <= local(MONDAY, "12:00") for s in found
    )


@pytest.mark.parametrize(
    ("start", "end", "valid_from", "message"),
    [
        ("02:00", "04:00", date(2027, 1, 1), "L'heure 02:00 n'existe pas le 28/03/2027"),
        ("01:00", "02:30", date(2027, 1, 1), "L'heure 02:30 n'existe pas le 28/03/2027"),
        ("02:30", "05:00", date(2027, 4, 1), "L'heure 02:30 existe deux fois le 31/10/2027"),
    ],
)
def test_an_opening_rule_in_a_dst_gap_or_fold_is_refused(
    session, practice, start, end, valid_from, message
):
    gp = make_staff(session, practice, profession="gp")
    with pytest.raises(Invalid, match=message):
        make_rule(session, gp, weekday=6, start=start, end=end, valid_from=valid_from)
    assert session.scalar(select(func.count(AvailabilityRule.id))) == 0
    # The same hours on Sundays that never meet a DST change are accepted.
    rule = make_rule(
        session, gp, weekday=6, start=start, end=end, valid_from=date(2027, 4, 1),
        valid_until=date(2027, 9, 30),
    )  # fmt: skip
    assert rule.start_time == time.fromisoformat(start)
