"""The generator writes the same-day held slots: past ones used (by their same-day
appointment), released or lost, the next days' still held, and ordinary bookings stay
out of held time."""

from datetime import timedelta

from sqlalchemy import func, select

from tests import factories
from umpro import generate
from umpro.scheduling.models import (
    HELD,
    LIVE_STATUSES,
    LOST,
    RELEASED,
    USED,
    Appointment,
    HeldSlot,
)
from umpro.scheduling.services import holds

TINY = {"patients": 200, "years": 2 / 12}


def test_held_slots_in_every_state_and_used_ones_point_at_their_booking(frozen_now, session):
    summary = generate.generate(
        session, seed=1, password=factories.PASSWORD, now=frozen_now, **TINY
    )
    session.commit()
    states = dict(
        session.execute(select(HeldSlot.state, func.count()).group_by(HeldSlot.state)).all()
    )
    assert set(states) == {HELD, USED, RELEASED, LOST}, states
    assert summary.counts["held_slots"] == sum(states.values())
    # Rows are written up to the release job's horizon, not beyond.
    last = session.scalar(select(func.max(HeldSlot.start_at)))
    assert last < frozen_now + timedelta(days=generate.HOLD_AHEAD_DAYS + 1)
    assert (
        session.scalar(
            select(func.count()).where(HeldSlot.state == HELD, HeldSlot.end_at <= frozen_now)
        )
        == 0
    )
    for row in session.scalars(select(HeldSlot).where(HeldSlot.state == USED)):
        appointment = session.get(Appointment, row.appointment_id)
        assert appointment.is_unscheduled
        assert (appointment.staff_id, appointment.start_at) == (row.staff_id, row.start_at)
    # No ordinary booking lies in held time (same-day ones only).
    held = session.scalars(select(HeldSlot)).all()
    for row in held:
        clash = session.scalar(
            select(func.count()).where(
                Appointment.staff_id == row.staff_id,
                Appointment.status.in_(LIVE_STATUSES),
                Appointment.is_unscheduled.is_(False),
                Appointment.start_at < row.end_at,
                Appointment.end_at > row.start_at,
                Appointment.start_at > row.start_at - timedelta(hours=12),
            )
        )
        assert clash == 0, row.start_at


def test_slot_search_of_a_generated_day_sees_the_holds(frozen_now, session):
    generate.generate(session, seed=1, password=factories.PASSWORD, now=frozen_now, **TINY)
    session.commit()
    staff_id = session.scalar(select(HeldSlot.staff_id).where(HeldSlot.state == HELD).limit(1))
    practice_id = session.scalar(select(HeldSlot.practice_id).limit(1))
    found = holds.holds_between(
        session,
        practice_id=practice_id,
        tz="Europe/Paris",
        staff_ids=[staff_id],
        start_at=frozen_now,
        end_at=frozen_now + timedelta(days=3),
        now=frozen_now,
    )
    assert any(h.state == HELD for h in found)
