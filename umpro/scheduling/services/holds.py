"""Unscheduled-care holds (docs/domain.md §3): time kept aside each day for same-day demand.

A policy (a staff member's, else the practice default) holds either a share of each
opening or explicit weekly blocks. Holds are computed from the openings, so they follow
absences, public holidays and DST changes; a ``HeldSlot`` row is written when the day
comes near (the release job) or when the slot is booked, and its state leaves ``held``
only by a conditional UPDATE: used (booked), released (still free at the lead time,
now an ordinary slot) or lost (passed unused). A release racing a booking ends with
exactly one of them.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from sqlalchemy import Row, bindparam, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from umpro.acting import Acting
from umpro.auth.permissions import can
from umpro.errors import Forbidden, Invalid, NotFound
from umpro.scheduling.models import (
    HELD,
    HOLD_BLOCKS,
    HOLD_SHARE,
    LOST,
    RELEASED,
    USED,
    WEEKDAYS,
    Appointment,
    AvailabilityRule,
    HeldSlot,
    HoldBlock,
    HoldPolicy,
)
from umpro.scheduling.services.openings import (
    AgendaTemplate,
    days_between,
    load_template,
    openings_for,
    wall_clock,
)
from umpro.team.models import Staff
from umpro.timeutil import local_days_bounds, local_today, to_local

#: A held slot is never longer than this (``hold_policy.slot_minutes`` is capped): it
#: bounds the row queries from below.
MAX_SLOT = timedelta(minutes=120)
#: Sources of a same-day booking taken at the desk.
DESK_SOURCES = ("desk", "phone", "walk-in")


@dataclass(frozen=True)
class Hold:
    """One held slot with its current state (``held`` when no row says otherwise, or
    ``released`` once its release time has passed)."""

    staff_id: int
    start_at: datetime
    end_at: datetime
    room_id: int | None
    release_at: datetime | None
    state: str = HELD
    appointment_id: int | None = None


# --- Policies --------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyInput:
    """A policy as typed on the admin page or sent to the API."""

    mode: str
    share_percent: int = 0
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    slot_minutes: int = 15
    release_lead_minutes: int | None = 60
    #: (weekday, local start, local end)
    blocks: tuple[tuple[int, time, time], ...] = ()


_POLICIES = (
    select(HoldPolicy)
    .options(lazyload(HoldPolicy.blocks))
    .where(HoldPolicy.practice_id == bindparam("practice_id"))
)
_BLOCKS = (
    select(HoldBlock)
    .where(HoldBlock.policy_id.in_(bindparam("policy_ids", expanding=True)))
    .order_by(HoldBlock.policy_id, HoldBlock.weekday, HoldBlock.start_time)
)


def load_policies(session: Session, *, practice_id: int) -> dict[int | None, HoldPolicy]:
    """Every policy of the practice, by staff id (None: the practice default). The blocks
    of the policies that hold blocks are read in a second statement, only if there are
    any (a practice holding a share of its openings runs one statement)."""
    policies = session.scalars(_POLICIES, {"practice_id": practice_id}).all()
    unloaded = {
        p.id: p for p in policies if p.mode == HOLD_BLOCKS and "blocks" in inspect(p).unloaded
    }
    if unloaded:
        blocks = defaultdict(list)
        for block in session.scalars(_BLOCKS, {"policy_ids": list(unloaded)}):
            blocks[block.policy_id].append(block)
        for policy_id, policy in unloaded.items():
            set_committed_value(policy, "blocks", blocks[policy_id])
    return {p.staff_id: p for p in policies}


def policy_for(policies: dict[int | None, HoldPolicy], staff_id: int) -> HoldPolicy | None:
    return policies.get(staff_id) or policies.get(None)


def _check_policy(session: Session, *, staff: Staff | None, data: PolicyInput) -> None:
    if data.mode not in (HOLD_SHARE, HOLD_BLOCKS):
        raise Invalid("Choisissez une part des plages ou des blocs horaires.", field="mode")
    if not 0 <= data.share_percent <= 100:
        raise Invalid("La part réservée va de 0 à 100 %.", field="share_percent")
    if not 5 <= data.slot_minutes <= 120:
        raise Invalid("Un créneau réservé dure de 5 à 120 minutes.", field="slot_minutes")
    if data.release_lead_minutes is not None and not 0 <= data.release_lead_minutes <= 1440:
        raise Invalid("Le délai de libération va de 0 à 1 440 minutes.", field="release_lead")
    if not data.weekdays or any(not 0 <= d <= 6 for d in data.weekdays):
        raise Invalid("Choisissez au moins un jour.", field="weekdays")
    if data.mode != HOLD_BLOCKS:
        return
    if not data.blocks:
        raise Invalid("Ajoutez au moins un bloc horaire.", field="blocks")
    ordered = sorted(data.blocks)
    for weekday, start, end in ordered:
        if not 0 <= weekday <= 6 or start >= end:
            raise Invalid("Un bloc finit après son début, un jour de la semaine.", field="blocks")
    for (d1, _, e1), (d2, s2, _) in pairwise(ordered):
        if d1 == d2 and s2 < e1:
            raise Invalid(f"Deux blocs se chevauchent le {WEEKDAYS[d1].lower()}.", field="blocks")
    if staff is None:
        return
    rules = session.scalars(
        select(AvailabilityRule).where(AvailabilityRule.staff_id == staff.id)
    ).all()
    for weekday, start, end in ordered:
        if not any(
            r.weekday == weekday and r.start_time <= start and end <= r.end_time for r in rules
        ):
            raise Invalid(
                f"Le bloc du {WEEKDAYS[weekday].lower()} {start:%H:%M}–{end:%H:%M} sort des "
                f"plages horaires de {staff.display_name}.",
                field="blocks",
            )


def parse_blocks(text: str) -> tuple[tuple[int, time, time], ...]:
    """Blocks typed one a line, « lundi 11:00-12:00 » (French day names)."""
    days = {name.lower(): n for n, name in enumerate(WEEKDAYS)}
    blocks = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            day, hours = line.split(maxsplit=1)
            start, end = (part.strip() for part in hours.replace("–", "-").split("-"))
            blocks.append((days[day.lower()], time.fromisoformat(start), time.fromisoformat(end)))
        except (KeyError, ValueError):
            raise Invalid(
                f"Ligne {number} illisible : écrivez par exemple « lundi 11:00-12:00 ».",
                field="blocks",
            ) from None
    return tuple(blocks)


def set_policy(
    session: Session,
    *,
    actor: Staff | None,
    staff: Staff | None,
    data: PolicyInput,
    practice_id: int | None = None,
) -> HoldPolicy:
    """Create or replace the hold policy of ``staff`` (None: the practice default).

    Who may ``holds.manage`` it (admins; a GP for their own; ``actor=None``: the demo,
    with ``practice_id``). Refuses a share outside 0–100 %, overlapping blocks, blocks
    outside the staff member's openings, no day."""
    practice_id = practice_id if actor is None else actor.practice_id
    if staff is not None and staff.practice_id != practice_id:
        raise NotFound("Membre de l'équipe introuvable.", field="staff_id")
    if actor is not None and not can(actor, "holds.manage", staff):
        raise Forbidden("Vous ne pouvez pas modifier cette réservation de créneaux.")
    _check_policy(session, staff=staff, data=data)
    policy = session.scalar(
        select(HoldPolicy).where(
            HoldPolicy.practice_id == practice_id,
            HoldPolicy.staff_id.is_(None) if staff is None else HoldPolicy.staff_id == staff.id,
        )
    )
    if policy is None:
        policy = HoldPolicy(practice_id=practice_id, staff_id=staff.id if staff else None)
        session.add(policy)
    policy.mode = data.mode
    policy.share_percent = data.share_percent
    policy.weekdays = sorted(set(data.weekdays))
    policy.slot_minutes = data.slot_minutes
    policy.release_lead_minutes = data.release_lead_minutes
    policy.blocks = [
        HoldBlock(weekday=w, start_time=s, end_time=e) for w, s, e in sorted(data.blocks)
    ]
    session.flush()
    return policy


# --- Computing holds -------------------------------------------------------------------


def _chunks(start_at, end_at, size):
    while start_at + size <= end_at:
        yield start_at, start_at + size
        start_at += size


def compute_holds(
    template: AgendaTemplate,
    policies: dict[int | None, HoldPolicy],
    *,
    staff_id: int,
    day: date,
) -> list[Hold]:
    """The held slots of ``staff_id`` on the local ``day``, from the openings.

    A share is held at the END of each opening: same-day calls come in the morning and
    are seen later in the half-day."""
    policy = policy_for(policies, staff_id)
    if policy is None or day.weekday() not in (policy.weekdays or []):
        return []
    size = timedelta(minutes=policy.slot_minutes)
    lead = policy.release_lead_minutes
    periods = []
    for opening in openings_for(template, staff_id=staff_id, day=day):
        if policy.mode == HOLD_SHARE:
            length = opening.end_at - opening.start_at
            count = int(length * policy.share_percent / 100 // size)
            if count:
                periods.append((opening.end_at - count * size, opening.end_at, opening.room_id))
            continue
        for block in policy.blocks:
            if block.weekday != day.weekday():
                continue
            start = max(wall_clock(day, block.start_time, template.tz), opening.start_at)
            end = min(wall_clock(day, block.end_time, template.tz), opening.end_at)
            if start < end:
                periods.append((start, end, opening.room_id))
    return [
        Hold(staff_id, s, e, room_id, s - timedelta(minutes=lead) if lead is not None else None)
        for start, end, room_id in periods
        for s, e in _chunks(start, end, size)
    ]


def load_rows(
    session: Session, *, practice_id: int, staff_ids, start_at: datetime, end_at: datetime
) -> dict[tuple[int, datetime], Row]:
    """Written held slots starting in [start_at - MAX_SLOT, end_at): bounded both sides.
    Their state and appointment only (``row.state``, ``row.appointment_id``), not
    ``HeldSlot`` objects: a fortnight of a team is hundreds of rows."""
    rows = session.execute(
        select(HeldSlot.staff_id, HeldSlot.start_at, HeldSlot.state, HeldSlot.appointment_id).where(
            HeldSlot.practice_id == practice_id,
            HeldSlot.staff_id.in_(list(staff_ids)),
            HeldSlot.start_at < end_at,
            HeldSlot.start_at > start_at - MAX_SLOT,
        )
    )
    return {(r.staff_id, r.start_at): r for r in rows}


def no_holds(staff_id: int, day: date) -> list[Hold]:
    """``holds_by_day``'s answer when no staff member holds slots."""
    return []


def holds_by_day(
    session: Session,
    *,
    practice_id: int,
    tz: str,
    staff_ids,
    start_at: datetime,
    end_at: datetime,
    now: datetime,
    template: AgendaTemplate | None = None,
    policies: dict | None = None,
) -> Callable[[int, date], list[Hold]]:
    """``holds(staff_id, day)``: the held slots of one of ``staff_ids`` on one local day
    that overlap [start_at, end_at), with their state, worked out when asked (a slot
    search stops once it has its slots). Query count is fixed: policies (and blocks, if
    any policy holds blocks), template (unless given), rows (once, when a hold is
    found)."""
    ids = list(staff_ids)
    if not ids:
        return no_holds
    policies = load_policies(session, practice_id=practice_id) if policies is None else policies
    if not any(policy_for(policies, i) for i in ids):
        return no_holds
    if template is None:
        template = load_template(
            session,
            practice_id=practice_id,
            staff_ids=ids,
            first_day=to_local(start_at, tz).date(),
            last_day=to_local(end_at, tz).date(),
            tz=tz,
        )
    rows = None

    def holds_on(staff_id: int, day: date) -> list[Hold]:
        nonlocal rows
        found = []
        for hold in compute_holds(template, policies, staff_id=staff_id, day=day):
            if not (hold.start_at < end_at and start_at < hold.end_at):
                continue
            if rows is None:  # read once, when a hold is found (most bookings have none)
                rows = load_rows(
                    session,
                    practice_id=practice_id,
                    staff_ids=ids,
                    start_at=start_at,
                    end_at=end_at,
                )
            row = rows.get((staff_id, hold.start_at))
            if row is not None:
                hold = replace(hold, state=row.state, appointment_id=row.appointment_id)
            if hold.state == HELD and hold.release_at is not None and hold.release_at <= now:
                # Due for release: ordinary already, whether the job has run or not.
                hold = replace(hold, state=RELEASED)
            found.append(hold)
        return found

    return holds_on


def holds_between(
    session: Session,
    *,
    practice_id: int,
    tz: str,
    staff_ids,
    start_at: datetime,
    end_at: datetime,
    now: datetime,
    template: AgendaTemplate | None = None,
    policies: dict | None = None,
) -> list[Hold]:
    """Held slots of ``staff_ids`` overlapping [start_at, end_at), with their state.
    Query count is fixed: see ``holds_by_day``."""
    ids = list(staff_ids)
    holds_on = holds_by_day(
        session,
        practice_id=practice_id,
        tz=tz,
        staff_ids=ids,
        start_at=start_at,
        end_at=end_at,
        now=now,
        template=template,
        policies=policies,
    )
    if holds_on is no_holds:
        return []
    days = days_between(to_local(start_at, tz).date(), to_local(end_at, tz).date())
    found = [hold for staff_id in ids for day in days for hold in holds_on(staff_id, day)]
    return sorted(found, key=lambda h: (h.start_at, h.staff_id))


def is_own_day(hold: Hold, *, tz: str, now: datetime) -> bool:
    return to_local(hold.start_at, tz).date() == local_today(tz, now)


# --- Writing rows: materialise, claim, release -----------------------------------------


def _row_for(session: Session, *, practice_id: int, hold: Hold) -> HeldSlot:
    """The row of ``hold``, written if missing (a concurrent writer may win: then read)."""
    existing = select(HeldSlot).where(
        HeldSlot.staff_id == hold.staff_id, HeldSlot.start_at == hold.start_at
    )
    row = session.scalar(existing)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = HeldSlot(
                practice_id=practice_id,
                staff_id=hold.staff_id,
                start_at=hold.start_at,
                end_at=hold.end_at,
                room_id=hold.room_id,
                release_at=hold.release_at,
                state=HELD,
            )
            session.add(row)
    except IntegrityError:
        row = session.scalar(existing)
    return row


def materialise(
    session: Session, *, practice_id: int, tz: str, first_day: date, last_day: date, now: datetime
) -> int:
    """Write the rows of the held slots between two local days (idempotent). Answers
    how many rows were written."""
    staff_ids = session.scalars(
        select(Staff.id).where(Staff.practice_id == practice_id, Staff.is_active.is_(True))
    ).all()
    start_at, end_at = local_days_bounds(first_day, last_day, tz)
    holds = holds_between(
        session,
        practice_id=practice_id,
        tz=tz,
        staff_ids=staff_ids,
        start_at=start_at,
        end_at=end_at,
        now=now,
    )
    rows = load_rows(
        session, practice_id=practice_id, staff_ids=staff_ids, start_at=start_at, end_at=end_at
    )
    written = 0
    for hold in holds:
        if (hold.staff_id, hold.start_at) in rows or hold.end_at <= now:
            continue
        _row_for(session, practice_id=practice_id, hold=hold)
        written += 1
    session.flush()
    return written


def _transition(session: Session, row_id: int, *, to: str, now: datetime, **values) -> bool:
    """held → ``to``, only if still held: the one way a held slot's state changes."""
    result = session.execute(
        update(HeldSlot)
        .where(HeldSlot.id == row_id, HeldSlot.state == HELD)
        .values(state=to, changed_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def plan_claim(
    session: Session,
    *,
    acting: Acting,
    staff: Staff,
    start_at: datetime,
    end_at: datetime,
    source: str,
    template: AgendaTemplate | None = None,
) -> list[Hold]:
    """The holds a booking of [start_at, end_at) would take. Refuses (422) taking a hold
    before its own day, except by the regulator (whose 48 h rule is checked apart) and
    by the holder themself (a GP taking back a red flag in their own held time).
    ``template``: the staff member's rules and absences of the booking's day, if the
    caller has them (the placement check loaded them)."""
    tz = staff.practice.timezone
    holds = [
        h
        for h in holds_between(
            session,
            practice_id=staff.practice_id,
            tz=tz,
            staff_ids=[staff.id],
            start_at=start_at,
            end_at=end_at,
            now=acting.now,
            template=template,
        )
        if h.state == HELD
    ]
    for hold in holds:
        if source == "regulator" or acting.actor.id == staff.id:
            continue
        if source in DESK_SOURCES and is_own_day(hold, tz=tz, now=acting.now):
            continue
        day = to_local(hold.start_at, tz)
        raise Invalid(
            f"Le créneau de {day:%H:%M} le {day:%d/%m/%Y} est gardé pour les soins non "
            "programmés : il se prend le jour même à l'accueil, ou par la régulation SAS "
            "dans les 48 heures.",
            field="start",
        )
    return holds


def claim(
    session: Session, *, holds: list[Hold], appointment_id: int, practice_id: int, now: datetime
) -> int:
    """Mark ``holds`` used by the appointment (conditional: a hold released meanwhile
    stays released, the booking stands on what is now an ordinary slot). Answers how
    many were used."""
    used = 0
    for hold in holds:
        row = _row_for(session, practice_id=practice_id, hold=hold)
        used += _transition(session, row.id, to=USED, now=now, appointment_id=appointment_id)
    return used


def give_back(session: Session, *, appointment: Appointment, now: datetime) -> int:
    """A cancelled booking's held slots that have not started are held again (the release
    job then releases or loses them as usual); those already begun stay used. Answers
    how many came back. Bounded by the appointment's own staff and times (the unique
    ``(staff_id, start_at)`` index)."""
    return session.execute(
        update(HeldSlot)
        .where(
            HeldSlot.staff_id == appointment.staff_id,
            HeldSlot.start_at >= appointment.start_at,
            HeldSlot.start_at < appointment.end_at,
            HeldSlot.start_at > now,
            HeldSlot.appointment_id == appointment.id,
            HeldSlot.state == USED,
        )
        .values(state=HELD, appointment_id=None, changed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def release_due(session: Session, *, practice_id: int, now: datetime) -> tuple[int, int]:
    """Release the held slots still free at their release time, and mark lost those
    that passed unused (no release time, or the job did not run). Conditional updates:
    a booking that took the slot first wins. Answers (released, lost)."""
    released = session.execute(
        update(HeldSlot)
        .where(
            HeldSlot.practice_id == practice_id,
            HeldSlot.state == HELD,
            HeldSlot.release_at <= now,
            HeldSlot.end_at > now,
        )
        .values(state=RELEASED, changed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    lost = session.execute(
        update(HeldSlot)
        .where(HeldSlot.practice_id == practice_id, HeldSlot.state == HELD, HeldSlot.end_at <= now)
        .values(state=LOST, changed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return released, lost
