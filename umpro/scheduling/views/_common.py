"""What the agenda views share: the practice's day, choices, the grid builder."""

from collections import defaultdict
from datetime import date, datetime

from flask import request
from flask_login import current_user
from sqlalchemy import select

from umpro.auth.permissions import can
from umpro.db import utcnow
from umpro.errors import DomainError
from umpro.extensions import db
from umpro.scheduling.grid import (
    Column,
    Grid,
    bounds,
    column_blocks,
    mark_held,
    minute_of,
    place,
)
from umpro.scheduling.holidays import holiday_name
from umpro.scheduling.models import HOLD_STATES, Appointment
from umpro.scheduling.services import booking, catalogue, holds, junior
from umpro.scheduling.services.openings import AgendaTemplate, closures_for, openings_for
from umpro.team import services as team
from umpro.team.models import Room, Staff
from umpro.team.professions import Profession
from umpro.timeutil import local_days_bounds, local_to_utc, local_today, to_local
from umpro.web import acting

#: Column order of the team day view.
PROFESSION_ORDER = {p.value: n for n, p in enumerate(Profession)}
#: Service error fields → the form field that shows them.
FIELD_MAP = {"start": "time", "end": "time", "patient_id": "patient_query"}


def signed_in() -> Staff:
    """The signed-in staff member itself rather than the ``current_user`` proxy, whose every
    attribute read looks the user up again: for the checks repeated per column or per
    appointment of a page."""
    return current_user._get_current_object()


def tz() -> str:
    return current_user.practice.timezone


def today() -> date:
    return local_today(tz(), utcnow())


def day_arg(name: str, default: date) -> tuple[date, str | None]:
    """A ``YYYY-MM-DD`` query parameter, or the default and a French error."""
    raw = request.args.get(name, "")
    if not raw:
        return default, None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2200:
        return default, f"Date illisible « {raw[:20]} » : la date du jour est affichée."
    return day, None


def for_form(error: DomainError) -> DomainError:
    error.field = FIELD_MAP.get(error.field, error.field)
    return error


def form_version(form) -> int | None:
    """The appointment version a form was shown with (None when missing or unreadable)."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def move_from_form(appointment: Appointment, form) -> Appointment:
    """Move ``appointment`` to the day, time and (when changed) staff member of a posted
    MoveForm, as the signed-in user."""
    start_at = local_to_utc(form.day.data, form.time.data, tz(), field="time")
    staff = None
    if form.staff_id.data and form.staff_id.data != appointment.staff_id:
        staff = team.get_staff(
            db.session, practice_id=current_user.practice_id, staff_id=form.staff_id.data
        )
    return booking.update_appointment(
        db.session,
        appointment=appointment,
        version=form_version(form),
        start_at=start_at,
        staff=staff,
        acting=acting(),
    )


def members() -> list[Staff]:
    staff = team.list_staff(db.session, practice_id=current_user.practice_id, active_only=True)
    return sorted(staff, key=lambda s: (PROFESSION_ORDER.get(s.profession, 99), s.family_name))


def staff_choices(*, bookable_only: bool = False, empty: str | None = None) -> list[tuple]:
    choices = [
        (s.id, f"{s.display_name} — {s.profession_label}")
        for s in members()
        if not bookable_only or can(current_user, "agenda.book", s)
    ]
    return [("", empty), *choices] if empty else choices


def type_choices(empty: str | None = None) -> list[tuple]:
    types = catalogue.list_types(db.session, practice_id=current_user.practice_id, active_only=True)
    choices = [(t.id, f"{t.label} ({t.duration_minutes} min)") for t in types]
    return [("", empty), *choices] if empty else choices


def rooms_by_id() -> dict[int, Room]:
    rooms = db.session.scalars(select(Room).where(Room.practice_id == current_user.practice_id))
    return {r.id: r for r in rooms}


def build_grid(
    *,
    cells: list[tuple[Staff, date, str]],
    appointments: list[Appointment],
    template: AgendaTemplate,
    rooms: dict[int, Room],
    now: datetime,
) -> Grid:
    """One column per (staff, day) cell, blocks placed on 5-minute rows."""
    zone = tz()
    user = signed_in()
    by_cell = defaultdict(list)
    for appointment in appointments:
        by_cell[(appointment.staff_id, to_local(appointment.start_at, zone).date())].append(
            appointment
        )
    columns, spans = [], []
    held = _holds_of(cells, template, now)
    for staff, day, title in cells:
        openings = openings_for(template, staff_id=staff.id, day=day)
        blocks, apart = column_blocks(
            appointments=by_cell[(staff.id, day)],
            openings=openings,
            closures=closures_for(template, staff_id=staff.id, day=day),
            now=now,
        )
        mark_held(blocks, held.get(staff.id, []), HOLD_STATES)
        room_ids = {o.room_id for o in openings if o.room_id in rooms}
        columns.append(
            Column(
                staff=staff,
                day=day,
                title=title,
                rooms=sorted(rooms[r].name for r in room_ids),
                blocks=blocks,
                cancelled=apart,
                holiday=holiday_name(day),
                can_book=can(user, "agenda.book", staff),
            )
        )
        spans += [(b.start_at, b.end_at, day) for b in blocks]
    first, last = bounds(zone, [c.day for c in columns], spans)
    grid = Grid(first, last, columns)
    for column in columns:
        for block in column.blocks:
            place(grid, block, zone, column.day)
    now_minute = minute_of(now, zone, local_today(zone, now))
    if first <= now_minute < last:
        grid.now_row = grid.row_of_minute(now_minute)
    return grid


def _holds_of(cells, template, now) -> dict[int, list]:
    """Held slots of the cells' staff over the cells' days, by staff id (fixed queries)."""
    if not cells:
        return {}
    zone = tz()
    days = [day for _, day, _ in cells]
    start_at, end_at = local_days_bounds(min(days), max(days), zone)
    found = defaultdict(list)
    for hold in holds.holds_between(
        db.session,
        practice_id=current_user.practice_id,
        tz=zone,
        staff_ids={staff.id for staff, _, _ in cells} & template.staff_ids,
        start_at=start_at,
        end_at=end_at,
        now=now,
        template=template,
    ):
        found[hold.staff_id].append(hold)
    return found


def junior_counters(now: datetime) -> list[tuple[Staff, junior.ActsCounter]]:
    """Monthly acts of the docteurs juniors the user may follow (themself, supervised)."""
    juniors = db.session.scalars(
        select(Staff).where(
            Staff.practice_id == current_user.practice_id,
            Staff.profession == Profession.JUNIOR_DOCTOR,
            Staff.is_active.is_(True),
        )
    )
    return [
        (j, junior.monthly_acts(db.session, junior=j, month=local_today(tz(), now), tz=tz()))
        for j in juniors
        if can(current_user, "junior.acts", j)
    ]
