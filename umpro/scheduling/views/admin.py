"""Agenda templates pages: appointment types, weekly rules, absences (and the docteur
junior's weekly teaching half-day)."""

from datetime import time, timedelta

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from umpro.auth.permissions import require
from umpro.db import utcnow
from umpro.extensions import db
from umpro.forms import attach_error, attempt, save_or_show, status_of, values_of
from umpro.scheduling.forms import AbsenceForm, RuleForm, TypeForm, WeeklyAbsenceForm
from umpro.scheduling.models import ABSENCE_KINDS, COLOURS, WEEKDAYS
from umpro.scheduling.services import catalogue, templates
from umpro.scheduling.views import bp
from umpro.scheduling.views._common import rooms_by_id, staff_choices, today, type_choices, tz
from umpro.team.professions import LABELS
from umpro.timeutil import local_to_utc

#: Form fields passed as they are to the services' inputs (same names on both sides).
TYPE_FIELDS = (
    "label",
    "duration_minutes",
    "colour",
    "is_home_visit",
    "is_teleconsultation",
    "is_unscheduled",
    "is_active",
)
WEEKLY_HOURS = ("weekday", "start_time", "end_time", "valid_from", "valid_until")
RULE_FIELDS = (*WEEKLY_HOURS, "room_id", "open_on_holidays")


def _edit_page(form, save, *, message: str, next_url: str, template: str, **context):
    """A posted, valid ``form`` goes through ``save`` then redirects; otherwise (or when
    ``save`` refuses) ``template`` is shown again with the form, 422 when it has errors."""
    status = None
    if form.validate_on_submit():
        done, status = save_or_show(form, save, message=message, next_url=next_url)
        if done:
            return done
    return render_template(template, form=form, **context), status or status_of(form)


@bp.get("/types")
@require("agenda.templates")
def type_list():
    types = catalogue.list_types(db.session, practice_id=current_user.practice_id)
    return render_template(
        "scheduling/type_list.html", types=types, colours=COLOURS, professions=LABELS
    )


@bp.route("/types/nouveau", methods=["GET", "POST"])
@bp.route("/types/<int:type_id>", methods=["GET", "POST"])
@require("agenda.templates")
def type_edit(type_id: int | None = None):
    item = (
        catalogue.get_type(db.session, practice_id=current_user.practice_id, type_id=type_id)
        if type_id
        else None
    )
    form = TypeForm(obj=item)
    return _edit_page(
        form,
        lambda: catalogue.save_type(
            db.session,
            actor=current_user,
            practice_id=current_user.practice_id,
            appointment_type=item,
            data=catalogue.TypeInput(
                **values_of(form, *TYPE_FIELDS), professions=form.professions.data or []
            ),
        ),
        message="Type de rendez-vous enregistré.",
        next_url=url_for("scheduling.type_list"),
        template="scheduling/type_form.html",
        item=item,
    )


@bp.get("/plages")
@require("agenda.templates")
def rule_list():
    rules = templates.list_rules(db.session, practice_id=current_user.practice_id)
    return render_template(
        "scheduling/rule_list.html", rules=rules, weekdays=WEEKDAYS, rooms=rooms_by_id()
    )


@bp.route("/plages/nouvelle", methods=["GET", "POST"])
@bp.route("/plages/<int:rule_id>", methods=["GET", "POST"])
@require("agenda.templates")
def rule_edit(rule_id: int | None = None):
    rule = (
        templates.get_rule(db.session, practice_id=current_user.practice_id, rule_id=rule_id)
        if rule_id
        else None
    )
    form = RuleForm(obj=rule)
    form.staff_id.choices = staff_choices(empty="— choisir —")
    form.room_id.choices = [("", "— aucune (domicile, téléconsultation) —")] + [
        (r.id, r.name) for r in rooms_by_id().values() if r.is_active
    ]
    form.type_ids.choices = type_choices()
    if not form.is_submitted():
        form.type_ids.data = [t.id for t in rule.types] if rule else []
        if rule is None:
            form.valid_from.data = today()  # the practice's date, not UTC's
    return _edit_page(
        form,
        lambda: templates.save_rule(
            db.session,
            actor=current_user,
            practice_id=current_user.practice_id,
            rule=rule,
            data=templates.RuleInput(
                **values_of(form, *RULE_FIELDS),
                staff_id=form.staff_id.data or 0,
                type_ids=form.type_ids.data or [],
            ),
        ),
        message="Plage horaire enregistrée.",
        next_url=url_for("scheduling.rule_list"),
        template="scheduling/rule_form.html",
        rule=rule,
    )


@bp.post("/plages/<int:rule_id>/supprimer")
@require("agenda.templates")
def rule_delete(rule_id: int):
    rule = templates.get_rule(db.session, practice_id=current_user.practice_id, rule_id=rule_id)
    templates.delete_rule(db.session, actor=current_user, rule=rule)
    flash("Plage horaire supprimée (les rendez-vous déjà pris restent).", "success")
    return redirect(url_for("scheduling.rule_list"))


def _absence_page(absence_form=None, weekly_form=None, status=200):
    absence_form = absence_form or AbsenceForm(formdata=None)
    weekly_form = weekly_form or WeeklyAbsenceForm(formdata=None)
    absence_form.staff_id.choices = staff_choices(empty="— choisir —")
    weekly_form.staff_id.choices = staff_choices(empty="— choisir —")
    now = utcnow()
    return render_template(
        "scheduling/absences.html",
        absences=templates.list_absences(
            db.session, practice_id=current_user.practice_id, since=now - timedelta(days=1)
        ),
        weekly=templates.list_weekly_absences(db.session, practice_id=current_user.practice_id),
        absence_form=absence_form,
        weekly_form=weekly_form,
        kinds=ABSENCE_KINDS,
        weekdays=WEEKDAYS,
    ), status


@bp.get("/absences")
@require("absence.manage")
def absence_list():
    return _absence_page()


@bp.post("/absences")
@require("absence.manage")
def absence_new():
    form = AbsenceForm()
    form.staff_id.choices = staff_choices(empty="— choisir —")
    if not form.validate_on_submit():
        return _absence_page(absence_form=form, status=422)

    def save():
        zone = tz()
        start_at = local_to_utc(
            form.start_day.data, form.start_time.data or time(0), zone, field="start_time"
        )
        if form.end_time.data:
            end_at = local_to_utc(form.end_day.data, form.end_time.data, zone, field="end_time")
        else:
            end_at = local_to_utc(form.end_day.data + timedelta(days=1), time(0), zone)
        return templates.save_absence(
            db.session,
            actor=current_user,
            practice_id=current_user.practice_id,
            data=templates.AbsenceInput(
                staff_id=form.staff_id.data or 0,
                kind=form.kind.data,
                start_at=start_at,
                end_at=end_at,
                note=form.note.data or "",
            ),
        )

    absence, error = attempt(save, show=False)
    if error is not None:
        if error.field == "end_on":
            error.field = "end_day"
        attach_error(form, error)
        return _absence_page(absence_form=form, status=error.status)
    pending = templates.appointments_during(
        db.session, staff_id=absence.staff_id, start_at=absence.start_at, end_at=absence.end_at
    )
    flash("Absence enregistrée.", "success")
    if pending:
        flash(f"{pending} rendez-vous déjà pris pendant cette absence restent à déplacer.", "error")
    return redirect(url_for("scheduling.absence_list"))


@bp.post("/absences/<int:absence_id>/supprimer")
@require("absence.manage")
def absence_delete(absence_id: int):
    absence = templates.get_absence(
        db.session, practice_id=current_user.practice_id, absence_id=absence_id
    )
    templates.delete_absence(db.session, actor=current_user, absence=absence)
    flash("Absence supprimée.", "success")
    return redirect(url_for("scheduling.absence_list"))


@bp.post("/absences/hebdomadaires")
@require("agenda.templates")
def weekly_new():
    form = WeeklyAbsenceForm()
    form.staff_id.choices = staff_choices(empty="— choisir —")
    if not form.validate_on_submit():
        return _absence_page(weekly_form=form, status=422)
    _, error = attempt(
        lambda: templates.save_weekly_absence(
            db.session,
            actor=current_user,
            practice_id=current_user.practice_id,
            data=templates.WeeklyAbsenceInput(
                **values_of(form, "kind", *WEEKLY_HOURS), staff_id=form.staff_id.data or 0
            ),
        ),
        form=form,
    )
    if error is not None:
        return _absence_page(weekly_form=form, status=error.status)
    flash("Absence hebdomadaire enregistrée.", "success")
    return redirect(url_for("scheduling.absence_list"))


@bp.post("/absences/hebdomadaires/<int:item_id>/supprimer")
@require("agenda.templates")
def weekly_delete(item_id: int):
    item = templates.get_weekly_absence(
        db.session, practice_id=current_user.practice_id, item_id=item_id
    )
    templates.delete_weekly_absence(db.session, actor=current_user, item=item)
    flash("Absence hebdomadaire supprimée.", "success")
    return redirect(url_for("scheduling.absence_list"))
