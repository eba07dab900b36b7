"""The team day view (and moving an appointment from it), one person's week, the print
view."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from umpro.api import input as read
from umpro.auth.permissions import ensure, require
from umpro.db import utcnow
from umpro.extensions import db
from umpro.forms import attach_error, attempt
from umpro.page_cache import cached_page
from umpro.scheduling.forms import MoveForm
from umpro.scheduling.parsing import week_start
from umpro.scheduling.services import reading
from umpro.scheduling.services.openings import load_template, openings_for
from umpro.scheduling.services.reading import SEE_APPOINTMENT
from umpro.scheduling.views import bp
from umpro.scheduling.views._common import (
    build_grid,
    day_arg,
    for_form,
    junior_counters,
    members,
    move_from_form,
    rooms_by_id,
    staff_choices,
    today,
    tz,
)
from umpro.team import services as team
from umpro.timeutil import local_day_bounds, local_days_bounds, to_local
from umpro.web import acting

DAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def _day_data(day, selected: list[int], with_cancelled: bool, *, action: str):
    """Staff shown on ``day`` (chosen, else open or busy), the template, and the agenda
    page of their appointments (read and logged with ``action``)."""
    zone = tz()
    team_members = members()
    start_at, end_at = local_day_bounds(day, zone)
    template = load_template(
        db.session,
        practice_id=current_user.practice_id,
        staff_ids=[m.id for m in team_members],
        first_day=day,
        last_day=day,
        tz=zone,
    )

    def columns(appointments):
        busy = {a.staff_id for a in appointments}
        return [
            m.id
            for m in team_members
            if (m.id in selected)
            or (not selected and (m.id in busy or openings_for(template, staff_id=m.id, day=day)))
        ]

    agenda = reading.read_agenda(
        db.session,
        acting=acting(),
        start_at=start_at,
        end_at=end_at,
        include_cancelled=with_cancelled,
        columns=columns,
        action=action,
        target=f"agenda:{day.isoformat()}",
    )
    shown = [m for m in team_members if m.id in agenda.columns]
    return team_members, shown, template, agenda


def _day_param():
    day, error = day_arg("jour", today())
    if error:
        flash(error, "error")
    return day


def _grid_page(page: str, *, cells, agenda, template, now, **context):
    """A page of the agenda grid (the team's day, a person's week): the grid of ``cells``
    and the appointments of ``agenda`` (``reading.read_agenda``, which logged them)."""
    grid = build_grid(
        cells=cells,
        appointments=agenda.appointments,
        template=template,
        rooms=rooms_by_id(),
        now=now,
    )
    return render_template(page, grid=grid, visible=agenda.visible, today=today(), **context)


@bp.get("/")
@require("agenda.view")
@cached_page
def day_view():
    day = _day_param()
    with_cancelled = request.args.get("annules") == "1"
    selected = read.arg_ids("staff")
    team_members, shown, template, agenda = _day_data(
        day, selected, with_cancelled, action="agenda.read"
    )
    now = utcnow()
    return _grid_page(
        "scheduling/day.html",
        cells=[(m, day, m.display_name) for m in shown],
        agenda=agenda,
        template=template,
        now=now,
        day=day,
        team_members=team_members,
        selected=selected,
        with_cancelled=with_cancelled,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        counters=junior_counters(now),
    )


@bp.get("/semaine")
@require("agenda.view")
def my_week():
    """The user's own week, or the person picked in the week view's form."""
    args = {k: v for k, v in request.args.items() if k in ("semaine", "annules")}
    staff_id = read.arg_id("personne") or current_user.id
    return redirect(url_for("scheduling.week_view", staff_id=staff_id, **args))


@bp.get("/semaine/<int:staff_id>")
@require("agenda.view")
@cached_page
def week_view(staff_id: int):
    staff = team.get_staff(db.session, practice_id=current_user.practice_id, staff_id=staff_id)
    anchor, error = day_arg("semaine", today())
    if error:
        flash(error, "error")
    monday = week_start(anchor)
    days = [monday + timedelta(days=n) for n in range(7)]
    zone = tz()
    template = load_template(
        db.session,
        practice_id=current_user.practice_id,
        staff_ids=[staff.id],
        first_day=days[0],
        last_day=days[-1],
        tz=zone,
    )
    with_cancelled = request.args.get("annules") == "1"
    start_at, end_at = local_days_bounds(days[0], days[-1], zone)
    agenda = reading.read_agenda(
        db.session,
        acting=acting(),
        start_at=start_at,
        end_at=end_at,
        staff_ids=[staff.id],
        include_cancelled=with_cancelled,
        action="agenda.read",
        target=f"agenda:staff:{staff.id}:{monday}",
    )
    busy_days = {to_local(a.start_at, zone).date() for a in agenda.appointments}
    days = [
        d
        for d in days
        if d.weekday() < 5 or d in busy_days or openings_for(template, staff_id=staff.id, day=d)
    ]
    now = utcnow()
    return _grid_page(
        "scheduling/week.html",
        cells=[(staff, d, f"{DAY_NAMES[d.weekday()]} {d:%d/%m}") for d in days],
        agenda=agenda,
        template=template,
        now=now,
        staff=staff,
        monday=monday,
        team_members=members(),
        with_cancelled=with_cancelled,
        previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
        counters=[c for c in junior_counters(now) if c[0].id == staff.id],
    )


@bp.get("/impression")
@require("agenda.view")
def print_view():
    day = _day_param()
    selected = read.arg_ids("staff")
    _, shown, _, agenda = _day_data(day, selected, with_cancelled=False, action="agenda.print")
    by_staff = {m.id: [] for m in shown}
    for appointment in agenda.appointments:
        by_staff[appointment.staff_id].append(appointment)
    page = render_template(
        "scheduling/print.html", day=day, shown=shown, by_staff=by_staff, visible=agenda.visible
    )
    return page


@bp.route("/deplacer/<int:appointment_id>", methods=["GET", "POST"])
@require("agenda.view")
def day_move(appointment_id: int):
    """Move an appointment from the day view: the form drag-and-drop and the keyboard move
    fill in and post (agenda.js), and the page shown without JavaScript. Same service and
    checks as the appointment page's « Déplacer » (booking.update_appointment)."""
    appointment = reading.get_appointment(
        db.session, actor=current_user, appointment_id=appointment_id
    )
    ensure(current_user, "appointment.patient", appointment, SEE_APPOINTMENT)
    selected = read.arg_ids("staff")
    form = MoveForm() if request.method == "POST" else MoveForm(formdata=None)
    form.staff_id.choices = staff_choices(bookable_only=True)
    status = 200
    if request.method == "GET":
        local = to_local(appointment.start_at, tz())
        form.day.data, form.time.data = local.date(), local.time()
        form.staff_id.data = appointment.staff_id
    elif not form.validate_on_submit():
        status = 422
    else:
        moved, error = attempt(lambda: move_from_form(appointment, form), show=False)
        if error is None:
            local = to_local(moved.start_at, tz())
            flash(
                f"Rendez-vous déplacé au {local:%d/%m/%Y à %H:%M} avec {moved.staff.display_name}.",
                "success",
            )
            return redirect(
                url_for("scheduling.day_view", jour=local.date().isoformat(), staff=selected)
            )
        if error.status == 403:
            raise error
        attach_error(form, for_form(error))
        status = error.status
    form.version.data = appointment.version  # after a refusal too: the page shows it afresh
    reading.log_appointment_shown(
        db.session, acting=acting(), appointment=appointment, action="agenda.read"
    )
    page = render_template(
        "scheduling/move.html",
        appointment=appointment,
        form=form,
        selected=selected,
        back_day=to_local(appointment.start_at, tz()).date(),
    )
    return page, status
