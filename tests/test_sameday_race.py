"""A release racing a booking of the same held slot, in threads, on SQLite and
PostgreSQL: each slot ends used (linked to the appointment) or released, never both,
never still held or lost; the job's rows are written once."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import (
    local,
    make_appointment_type,
    make_hold_policy,
    make_open_staff,
    make_patient,
    make_staff,
)
from tests.scheduling_support import book_from_ids, thread_session
from umpro.scheduling.models import HELD, RELEASED, USED, Appointment, HeldSlot
from umpro.scheduling.services import holds

MONDAY = date(2027, 1, 11)
STARTS = ["11:00", "11:15", "11:30", "11:45", "17:45", "18:00", "18:15", "18:30"]


@pytest.fixture
def scene(session, practice):
    gp = make_open_staff(session, practice)
    secretary = make_staff(session, practice, profession="secretary")
    kind = make_appointment_type(session, practice, duration_minutes=15)
    patients = [make_patient(session, practice) for _ in STARTS]
    make_hold_policy(session, practice, release_lead_minutes=30)
    holds.materialise(
        session,
        practice_id=practice.id,
        tz="Europe/Paris",
        first_day=MONDAY,
        last_day=MONDAY,
        now=local(MONDAY, "07:00"),
    )
    session.commit()
    ids = {
        "practice": practice.id,
        "gp": gp.id,
        "secretary": secretary.id,
        "type": kind.id,
        "patients": [p.id for p in patients],
    }
    session.close()
    return ids


def _book(app, scene, n):
    start = local(MONDAY, STARTS[n])
    with thread_session(app) as session:
        book_from_ids(
            session,
            scene,
            n,
            start_at=start,
            source="phone",
            # A second before the release time: the booking may still claim it.
            now=start - timedelta(minutes=30, seconds=1),
        )
        session.commit()
        return "booked"


def _release(app, scene, n):
    with thread_session(app) as session:
        result = holds.release_due(
            session,
            practice_id=scene["practice"],
            now=local(MONDAY, STARTS[n]) - timedelta(minutes=30),
        )
        session.commit()
        return result


def test_a_release_racing_a_booking_ends_one_way(app, session, scene):
    results: dict = {}
    # One race per slot, in time order (a release at a later instant would rightly mark
    # an earlier slot still held as lost).
    for n in range(len(STARTS)):
        barrier = threading.Barrier(2)

        def run(kind, n=n, barrier=barrier):
            try:
                barrier.wait()
                target = _book if kind == "book" else _release
                results[(kind, n)] = target(app, scene, n)
            except Exception as error:  # reported by the assertions below
                results[(kind, n)] = repr(error)

        threads = [threading.Thread(target=run, args=(k,)) for k in ("book", "release")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert all(results[("book", n)] == "booked" for n in range(len(STARTS))), results
    rows = session.scalars(select(HeldSlot).where(HeldSlot.start_at < local(MONDAY, "18:45")))
    states = {}
    for row in rows:
        states[row.state] = states.get(row.state, 0) + 1
        assert row.state in (USED, RELEASED), row.state
        assert (row.state == USED) == (row.appointment_id is not None)
    assert sum(states.values()) == len(STARTS)
    # Every booking stands, on a slot used or, when the release won, on a released one.
    assert session.scalar(select(func.count(Appointment.id))) == len(STARTS)
    # The last, un-raced slot is still held; a rerun of the job writes no second row.
    assert (
        session.scalar(select(HeldSlot.state).where(HeldSlot.start_at == local(MONDAY, "18:45")))
        == HELD
    )
    again = holds.materialise(
        session,
        practice_id=scene["practice"],
        tz="Europe/Paris",
        first_day=MONDAY,
        last_day=MONDAY,
        now=local(MONDAY, "07:00"),
    )
    assert again == 0
