"""Slot search: the next free slots of a type for one staff member or a set.

A slot lies inside an opening that allows the type, outside absences and public holidays,
after a minimum notice, and clear of live appointments of the staff member and of the
room. Other domains add busy periods (the unscheduled-care holds) by appending a provider
to ``BUSY_PROVIDERS``.
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.permissions import can
from umpro.patients.models import Patient
from umpro.scheduling.models import HELD, LIVE_STATUSES, Appointment, AppointmentType
from umpro.scheduling.services import holds
from umpro.scheduling.services.junior import supervised_periods, supervisor_absence
from umpro.scheduling.services.openings import days_between, load_template, openings_for
from umpro.team.models import Staff
from umpro.timeutil import local_day_bounds, local_today, to_local

#: Default minimum notice before a slot offered to booking.
MIN_NOTICE = timedelta(minutes=30)
#: Slots start on multiples of this step after an opening or a busy period.
STEP = timedelta(minutes=5)
#: Longest live period (appointment types are capped at 480 minutes by a constraint):
#: the lower bound of every overlap query and bisection.
MAX_DURATION = timedelta(minutes=480)


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
    #: A slot held for same-day care (offered by the same-day services only).
    is_held: bool = False


def _round_up(instant: datetime, origin: datetime) -> datetime:
    steps = -(-(instant - origin) // STEP)
    return origin + steps * STEP


def _busy(session, practice_id, staff_ids, room_ids, start_at, end_at) -> tuple[dict, dict]:
    """Live appointments of the staff members and of the rooms of their openings over
    [start_at, end_at), bounded on both sides (durations are capped at MAX_DURATION), as
    start-sorted (start, end) lists by staff and by room."""
    rows = session.execute(
        select(Appointment.staff_id, Appointment.room_id, Appointment.start_at, Appointment.end_at)
        .where(
            Appointment.practice_id == practice_id,
            Appointment.status.in_(LIVE_STATUSES),
            Appointment.start_at < end_at,
            Appointment.start_at > start_at - MAX_DURATION,
            Appointment.end_at > start_at,
            or_(Appointment.staff_id.in_(staff_ids), Appointment.room_id.in_(room_ids or [-1])),
        )
        .order_by(Appointment.start_at)
    )
    by_staff, by_room = defaultdict(list), defaultdict(list)
    # Plain tuples, not Busy objects: a fortnight of a team is a few thousand rows.
    for staff_id, room_id, busy_start, busy_end in rows:
        by_staff[staff_id].append((busy_start, busy_end))
        if room_id is not None:
            by_room[room_id].append((busy_start, busy_end))
    for provider in BUSY_PROVIDERS:
        for period in provider(session, staff_ids, start_at, end_at):
            if period.staff_id is not None:
                by_staff[period.staff_id].append((period.start_at, period.end_at))
            if period.room_id is not None:
                by_room[period.room_id].append((period.start_at, period.end_at))
    return by_staff, by_room


def _free_in(opening_start, limit, earliest, duration, busy, starts) -> Iterable[tuple]:
    """Free (start, end) of ``duration`` in [opening_start, limit): one pass over the
    start-sorted ``busy`` periods that can touch the opening (found by bisection)."""
    start = opening_start
    if start < earliest:
        start = _round_up(earliest, opening_start)
    first = bisect_left(starts, opening_start - MAX_DURATION)
    last = bisect_left(starts, limit)
    for busy_start, busy_end in busy[first:last]:
        if busy_end <= start:
            continue
        while start + duration <= min(busy_start, limit):
            yield start, start + duration
            start += duration
        start = max(start, _round_up(busy_end, opening_start))
    while start + duration <= limit:
        yield start, start + duration
        start += duration


def offer_slots(
    session: Session,
    *,
    acting: Acting,
    appointment_type: AppointmentType,
    start_from: datetime,
    until: datetime,
    min_notice_minutes: int,
    staff: list[Staff] | None = None,
    patient: Patient | None = None,
    preferred_staff_id: int | None = None,
    limit: int = 20,
) -> list[Slot]:
    """The free slots the actor may book, earliest first, the patient's médecin traitant
    first (or ``preferred_staff_id``): used by the booking page and ``GET /slots``.

    Leaves out staff the actor may not book for (``agenda.book``; the regulator's
    ``agenda.regulate``) and held slots (only the same-day search offers them). A search
    for a patient is written to the access log."""
    members = staff
    if members is None:
        members = session.scalars(
            select(Staff).where(
                Staff.practice_id == acting.actor.practice_id, Staff.is_active.is_(True)
            )
        ).all()
    members = [
        s
        for s in members
        if can(acting.actor, "agenda.book", s) or can(acting.actor, "agenda.regulate", s)
    ]
    if patient is not None:
        record_access_to(session, acting, "slots.search", patient)
        if preferred_staff_id is None and patient.treating_gp is not None:
            preferred_staff_id = patient.treating_gp.id
    return find_slots(
        session,
        practice_id=acting.actor.practice_id,
        tz=acting.actor.practice.timezone,
        appointment_type=appointment_type,
        staff=members,
        start_from=start_from,
        until=until,
        now=acting.now,
        min_notice=timedelta(minutes=min_notice_minutes),
        limit=limit,
        preferred_staff_id=preferred_staff_id,
    )


def next_slots(
    session: Session,
    *,
    staff: Staff,
    appointment_type: AppointmentType,
    now: datetime,
    days: int,
    limit: int = 6,
) -> list[Slot]:
    """Free slots of ``staff`` from ``now`` to the end of the ``days``-th local day after
    today (0: today), for a booking made from a task or a take-back."""
    tz = staff.practice.timezone
    _, until = local_day_bounds(local_today(tz, now) + timedelta(days=days), tz)
    return find_slots(
        session,
        practice_id=staff.practice_id,
        tz=tz,
        appointment_type=appointment_type,
        staff=[staff],
        start_from=now,
        until=until,
        now=now,
        limit=limit,
    )


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
    include_held: bool = False,
) -> list[Slot]:
    """Up to ``limit`` free slots, earliest first; ``preferred_staff_id``'s first (e.g. the
    patient's médecin traitant). Staff who may not perform the type are left out; held
    slots still held are busy unless ``include_held``. Query count is bounded: rules
    with their types, absences, weekly absences, appointments, hold policies (and
    blocks) and rows. The days are worked out in order and the search stops once it has
    its answer: linear in the openings, busy periods and slots of the days it needed."""
    staff = [s for s in staff if s.is_active and appointment_type.allows(s.profession)]
    if not staff or until <= start_from:
        return []
    earliest = max(start_from, now + min_notice)
    if until <= earliest:
        return []
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
    room_ids = sorted({r.room_id for i in ids for r in template.rules.get(i, []) if r.room_id})
    by_staff, by_room = _busy(session, practice_id, ids, room_ids, earliest, until)
    holds_on = holds.no_holds
    if not include_held:
        holds_on = holds.holds_by_day(
            session,
            practice_id=practice_id,
            tz=tz,
            staff_ids=ids,
            start_at=earliest,
            end_at=until,
            now=now,
            template=template,
        )
    search = _Search(
        template=template,
        appointment_type=appointment_type,
        earliest=earliest,
        until=until,
        by_staff=by_staff,
        by_room=by_room,
        holds_on=holds_on,
        session=session,
    )
    days = days_between(first_day, last_day)
    # The answer is sorted by (not the preferred staff member, start, staff id): the
    # preferred member's slots first, then the others'. Each group is worked out day by
    # day and stops once it has ``limit`` slots before the next day begins (a later day's
    # slots all start after its local midnight, so they could not come in the answer).
    preferred = [m for m in staff if m.id == preferred_staff_id]
    others = [m for m in staff if m.id != preferred_staff_id]
    slots: list[Slot] = []
    for group in (preferred, others):
        need = limit - len(slots)
        if not group or need <= 0:
            continue
        found: list[Slot] = []
        for day in days:
            for member in group:
                search.add_day(found, member, day)
            next_midnight = local_day_bounds(day, tz)[1]
            if sum(1 for slot in found if slot.start_at < next_midnight) >= need:
                break
        found.sort(key=lambda s: (s.start_at, s.staff.id))
        slots += found[:need]
    return slots


class _Search:
    """The free slots of one staff member on one day, from the loaded rules, live
    periods and holds (``find_slots``)."""

    def __init__(
        self,
        *,
        template,
        appointment_type,
        earliest,
        until,
        by_staff,
        by_room,
        holds_on,
        session,
    ):
        self.template = template
        self.type = appointment_type
        self.duration = timedelta(minutes=appointment_type.duration_minutes)
        self.earliest = earliest
        self.until = until
        self.by_staff = by_staff
        self.by_room = by_room
        self.holds_on = holds_on
        self.session = session
        #: start-sorted live periods and their starts, by staff id and by room id
        self._sorted: dict[tuple[str, int], tuple[list, list]] = {}

    def _periods(self, kind: str, key: int) -> tuple[list, list]:
        known = self._sorted.get((kind, key))
        if known is None:
            source = self.by_staff if kind == "staff" else self.by_room
            periods = sorted(source.get(key, ()))
            known = self._sorted[(kind, key)] = (periods, [p[0] for p in periods])
        return known

    def add_day(self, found: list[Slot], member: Staff, day) -> None:
        """Append ``member``'s free slots of the local ``day`` to ``found``."""
        template, tz = self.template, self.template.tz
        type_id = self.type.id
        openings = [
            o for o in openings_for(template, staff_id=member.id, day=day) if o.allows(type_id)
        ]
        if not openings:
            return
        if supervisor_absence(self.session, junior=member, day=day, tz=tz, template=template):
            return
        # A docteur junior consults only while their supervisor is on duty.
        supervised = supervised_periods(template, junior=member, day=day)
        # The live periods that can touch the day's openings (_free_in looks back
        # MAX_DURATION from an opening's start), and the day's holds: a hold lies inside
        # an opening of its own day.
        low = min(o.start_at for o in openings) - MAX_DURATION
        high = min(max(o.end_at for o in openings), self.until)
        held = [(h.start_at, h.end_at) for h in self.holds_on(member.id, day) if h.state == HELD]
        staff_periods, staff_starts = self._periods("staff", member.id)
        own = staff_periods[bisect_left(staff_starts, low) : bisect_left(staff_starts, high)]
        merged: dict[int | None, tuple[list, list]] = {}
        for opening in openings:
            pieces = [(opening.start_at, opening.end_at)]
            if supervised is not None:
                pieces = [
                    (max(s, opening.start_at), min(e, opening.end_at))
                    for s, e in supervised
                    if s < opening.end_at and opening.start_at < e
                ]
            room_id = opening.room_id if self.type.needs_room else None
            if room_id not in merged:  # once per room of the day, not per opening
                busy = own + held
                if room_id:
                    room_periods, room_starts = self._periods("room", room_id)
                    busy += room_periods[
                        bisect_left(room_starts, low) : bisect_left(room_starts, high)
                    ]
                if held or room_id:
                    busy.sort()
                merged[room_id] = (busy, [b[0] for b in busy])
            busy, starts = merged[room_id]
            for piece_start, piece_end in pieces:
                for start, end in _free_in(
                    piece_start,
                    min(piece_end, self.until),
                    self.earliest,
                    self.duration,
                    busy,
                    starts,
                ):
                    found.append(Slot(member, start, end, room_id))
