"""Slot search: the next free slots of a type for one staff member or a set.

A slot lies inside an opening that allows the type, outside absences and public holidays,
after a minimum notice, and clear of live appointments of the staff member and of the
room. Other domains add busy periods (the unscheduled-care holds) by appending a provider
to ``BUSY_PROVIDERS``.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from umpro.scheduling.models import LIVE_STATUSES, Appointment, AppointmentType
from umpro.scheduling.services.junior import supervisor_absence
from umpro.scheduling.services.openings import days_between, load_template, openings_for
from umpro.team.models import Staff
from umpro.timeutil import to_local

#: Default minimum notice before a slot offered to booking.
MIN_NOTICE = timedelta(minutes=30)
#: Slots start on multiples of this step after an opening or a busy period.
STEP = timedelta(minutes=5)


@dataclass(frozen=True)
class Busy:
    """A period during which a staff member (or a room) cannot take a new booking."""

    staff_id: int | None
    room_id: int | None
    start_at: datetime
    end_at: datetime


#: ``provider(session, staff_ids, start_at, end_at) -> Iterable[Busy]``
BUSY_PROVIDERS: list[Callable[[Session, list[int], datetime, datetime], Iterable[Busy]]] = []


@dataclass(frozen=True)
class Slot:
    staff: Staff
    start_at: datetime
    end_at: datetime
    room_id: int | None


def _round_up(instant: datetime, origin: datetime) -> datetime:
    steps = -(-(instant - origin) // STEP)
    return origin + steps * STEP


def _busy(session, practice_id, staff_ids, start_at, end_at) -> tuple[dict, dict]:
    rows = session.execute(
        select(Appointment.staff_id, Appointment.room_id, Appointment.start_at, Appointment.end_at)
        .where(
            Appointment.practice_id == practice_id,
            Appointment.status.in_(LIVE_STATUSES),
            Appointment.start_at < end_at,
            Appointment.end_at > start_at,
            or_(Appointment.staff_id.in_(staff_ids), Appointment.room_id.is_not(None)),
        )
        .order_by(Appointment.start_at)
    )
    by_staff, by_room = defaultdict(list), defaultdict(list)
    periods = [Busy(*row) for row in rows]
    for provider in BUSY_PROVIDERS:
        periods += list(provider(session, staff_ids, start_at, end_at))
    for period in periods:
        if period.staff_id is not None:
            by_staff[period.staff_id].append((period.start_at, period.end_at))
        if period.room_id is not None:
            by_room[period.room_id].append((period.start_at, period.end_at))
    return by_staff, by_room


def find_slots(
    session: Session,
    *,
    practice_id: int,
    tz: str,
    appointment_type: AppointmentType,
    staff: list[Staff],
    start_from: datetime,
    until: datetime,
    now: datetime,
    min_notice: timedelta = MIN_NOTICE,
    limit: int = 20,
    preferred_staff_id: int | None = None,
) -> list[Slot]:
    """Up to ``limit`` free slots, earliest first; ``preferred_staff_id``'s first (e.g. the
    patient's médecin traitant). Staff who may not perform the type are left out. Query
    count is bounded: rules, absences, weekly absences, appointments."""
    staff = [s for s in staff if s.is_active and appointment_type.allows(s.profession)]
    if not staff or until <= start_from:
        return []
    earliest = max(start_from, now + min_notice)
    first_day, last_day = to_local(earliest, tz).date(), to_local(until, tz).date()
    ids = [s.id for s in staff]
    supervisors = [s.supervisor_id for s in staff if s.supervisor_id]
    template = load_template(
        session,
        practice_id=practice_id,
        staff_ids=ids + supervisors,
        first_day=first_day,
        last_day=last_day,
        tz=tz,
    )
    by_staff, by_room = _busy(session, practice_id, ids, earliest, until)
    duration = timedelta(minutes=appointment_type.duration_minutes)
    slots: list[Slot] = []
    for member in staff:
        for day in days_between(first_day, last_day):
            if supervisor_absence(session, junior=member, day=day, tz=tz, template=template):
                continue
            for opening in openings_for(template, staff_id=member.id, day=day):
                if not opening.allows(appointment_type.id):
                    continue
                room_id = opening.room_id if appointment_type.needs_room else None
                busy = by_staff[member.id] + (by_room[room_id] if room_id else [])
                start = opening.start_at
                if start < earliest:
                    start = _round_up(earliest, opening.start_at)
                while start + duration <= min(opening.end_at, until):
                    end = start + duration
                    clash = max((e for s, e in busy if s < end and start < e), default=None)
                    if clash is not None:
                        start = _round_up(clash, opening.start_at)
                        continue
                    slots.append(Slot(member, start, end, room_id))
                    start = end
    slots.sort(key=lambda s: (s.staff.id != preferred_staff_id, s.start_at, s.staff.id))
    return slots[:limit]
