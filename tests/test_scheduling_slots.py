"""The docteur junior's rules (supervisor present, monthly acts) and the slot search."""

from datetime import date, timedelta

import pytest

from tests.factories import (
    local,
    make_absence,
    make_appointment_type,
    make_open_staff,
    make_patient,
)
from tests.scheduling_support import DAY, NOW, book
from umpro.acting import Acting
from umpro.errors import Invalid
from umpro.scheduling.services import booking, junior, slots
from umpro.scheduling.services.holds import PolicyInput, set_policy
from umpro.timeutil import to_local

# --- docteur junior ------------------------------------------------------------------


def test_junior_is_refused_when_the_supervisor_is_absent_that_day(session, t):
    junior_doctor = make_open_staff(
        session, t.practice, profession="junior_doctor", supervisor_id=t.gp.id
    )
    make_absence(
        session, t.gp, start_at=local(DAY, "14:00"), end_at=local(DAY, "18:00"), kind="training"
    )
    with pytest.raises(Invalid, match=r"maître de stage .* est absent ce jour-là \(formation\)"):
        book(session, t, "09:00", staff=junior_doctor)
    tuesday = DAY + timedelta(days=1)
    assert book(session, t, "09:00", staff=junior_doctor, day=tuesday).staff_id == junior_doctor.id
    found = slots.find_slots(
        session,
        practice_id=t.practice.id,
        tz="Europe/Paris",
        appointment_type=t.consult,
        staff=[junior_doctor],
        start_from=local(DAY, "00:00"),
        until=local(tuesday, "23:00"),
        now=NOW,
        limit=500,
    )
    assert found and {s.start_at.date() for s in found} == {tuesday}


def test_junior_monthly_count_of_fulfilled_acts(session, t):
    junior_doctor = make_open_staff(
        session, t.practice, profession="junior_doctor", supervisor_id=t.gp.id
    )
    for n, start in enumerate(["09:00", "09:15", "09:30"]):
        appointment = book(
            session, t, start, staff=junior_doctor, patient=make_patient(session, t.practice)
        )
        if n < 2:
            booking.set_status(
                session,
                acting=Acting(junior_doctor, local(DAY, "12:00")),
                appointment=appointment,
                status="fulfilled",
            )
    february = book(session, t, "09:00", staff=junior_doctor, day=date(2027, 2, 1))
    booking.set_status(
        session,
        acting=Acting(junior_doctor, local(date(2027, 2, 1), "10:00")),
        appointment=february,
        status="fulfilled",
    )
    counter = junior.monthly_acts(session, junior=junior_doctor, month=DAY, tz="Europe/Paris")
    assert (counter.count, counter.target, counter.percent) == (2, 200, 1)


# --- slot search ----------------------------------------------------------------------


def find(session, t, **kwargs):
    values = (
        dict(
            practice_id=t.practice.id,
            tz="Europe/Paris",
            appointment_type=t.consult,
            staff=[t.gp],
            start_from=local(DAY, "00:00"),
            until=local(DAY, "23:00"),
            now=NOW,
            limit=3,
        )
        | kwargs
    )
    return slots.find_slots(session, **values)


def hours(found):
    return [f"{to_local(s.start_at, 'Europe/Paris'):%H:%M}" for s in found]


def test_slots_skip_booked_times_and_respect_notice(session, t):
    book(session, t, "08:00", appointment_type=t.long)
    assert hours(find(session, t)) == ["08:30", "08:45", "09:00"]
    assert hours(find(session, t, now=local(DAY, "09:02"))) == ["09:35", "09:50", "10:05"]


def test_slots_skip_a_room_taken_by_someone_else(session, t):
    book(session, t, "08:00", staff=t.gp2, room_id=t.gp.test_room.id)
    found = find(session, t)
    assert hours(found) == ["08:15", "08:30", "08:45"]
    assert found[0].room_id == t.gp.test_room.id


def test_slots_prefer_the_treating_gp_and_leave_out_absent_staff(session, t):
    found = find(session, t, staff=[t.gp, t.gp2], preferred_staff_id=t.gp2.id)
    assert {s.staff.id for s in found} == {t.gp2.id}
    make_absence(session, t.gp2, start_at=local(DAY, "00:00"), end_at=local(DAY, "23:00"))
    found = find(session, t, staff=[t.gp, t.gp2], preferred_staff_id=t.gp2.id)
    assert {s.staff.id for s in found} == {t.gp.id}


def test_slots_of_a_type_nobody_performs_are_none(session, t):
    nursing = make_appointment_type(session, t.practice, professions=["nurse"])
    assert find(session, t, appointment_type=nursing) == []


def test_a_short_answer_is_the_start_of_the_long_one(session, t):
    """The search stops once it has its slots (day by day, the preferred member's first):
    a short answer is the start of the fortnight's, held slots and bookings included."""
    set_policy(
        session, actor=None, staff=None, data=PolicyInput("share", 25), practice_id=t.practice.id
    )
    for n, start in enumerate(["08:00", "08:15", "14:00", "15:30"]):
        book(
            session, t, start, staff=(t.gp, t.gp2)[n % 2], patient=make_patient(session, t.practice)
        )
    fortnight = dict(staff=[t.gp, t.gp2], until=local(DAY + timedelta(days=14), "00:00"))
    for preferred in (None, t.gp.id, t.gp2.id):
        whole = find(session, t, limit=2000, preferred_staff_id=preferred, **fortnight)
        days = {s.start_at.date() for s in whole}
        assert len(days) == 10 and len(whole) < 2000, "deux semaines ouvrées"
        order = [(s.staff.id != preferred, s.start_at, s.staff.id) for s in whole]
        assert order == sorted(order)
        for limit in (1, 20, 31, 60, 61, 100, 400, len(whole) - 1):
            short = find(session, t, limit=limit, preferred_staff_id=preferred, **fortnight)
            assert short == whole[:limit], (preferred, limit)
        if preferred is not None:
            assert whole[0].staff.id == preferred


def test_a_slot_search_reads_rules_with_their_types_once(session, t, count_queries):
    set_policy(
        session, actor=None, staff=None, data=PolicyInput("share", 25), practice_id=t.practice.id
    )
    session.flush()
    with count_queries() as q:
        found = find(session, t, staff=[t.gp, t.gp2], limit=20)
    assert len(found) == 20
    tables = [
        " ".join(statement.split()).split(" FROM ")[1].split()[0] for statement in q.statements
    ]
    # Rules with their types (one join), absences, weekly absences, live appointments,
    # hold policies (no blocks: none is held by blocks), written held slots.
    assert sorted(tables) == sorted(
        [
            "availability_rule",
            "absence",
            "weekly_absence",
            "appointment",
            "hold_policy",
            "held_slot",
        ]
    ), q.statements
