"""Team administration pages (admin only): staff members and rooms."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from umpro.auth import services as auth_services
from umpro.auth.permissions import require
from umpro.db import utcnow
from umpro.errors import Invalid
from umpro.extensions import db
from umpro.forms import attempt, flash_form_errors, form_page, status_of, values_of
from umpro.scheduling.services import catalogue
from umpro.team import security, services
from umpro.team.forms import NewStaffForm, ResetPasswordForm, RoomForm, StaffForm
from umpro.team.models import ROOM_KINDS
from umpro.team.professions import Profession
from umpro.web import acting

bp = Blueprint("team", __name__, url_prefix="/equipe")


def _fill_choices(form: StaffForm) -> None:
    members = services.list_staff(db.session, practice_id=current_user.practice_id)
    gps = [(s.id, s.display_name) for s in members if s.profession == Profession.GP]
    form.supervisor_id.choices = [("", "— aucun —"), *gps]
    form.assisted_gp_ids.choices = gps
    types = catalogue.list_types(db.session, practice_id=current_user.practice_id, active_only=True)
    form.default_type_id.choices = [("", "— aucun —"), *((t.id, t.label) for t in types)]


def _input(form: StaffForm) -> services.StaffInput:
    return services.StaffInput(
        email=form.email.data,
        given_name=form.given_name.data,
        family_name=form.family_name.data,
        profession=form.profession.data,
        rpps=(form.rpps.data or "").strip() or None,
        supervisor_id=form.supervisor_id.data,
        assisted_gp_ids=form.assisted_gp_ids.data or [],
        is_admin=form.is_admin.data,
        default_type_id=form.default_type_id.data,
    )


@bp.get("/")
@require("team.manage")
def staff_list():
    members = services.list_staff(db.session, practice_id=current_user.practice_id)
    changes = security.changes_to_show(db.session, viewer=current_user)
    return render_template("team/staff_list.html", members=members, changes=changes)


@bp.route("/nouveau", methods=["GET", "POST"])
@require("team.manage")
def staff_new():
    form = NewStaffForm()
    _fill_choices(form)
    return form_page(
        form,
        lambda: services.create_staff(
            db.session,
            acting=acting(),
            practice=current_user.practice,
            data=_input(form),
            password=form.password.data,
        ),
        done=lambda staff: f"{staff.display_name} a été ajouté(e) à l'équipe.",
        next_url=url_for("team.staff_list"),
        template="team/staff_form.html",
        staff=None,
    )


@bp.route("/<int:staff_id>", methods=["GET", "POST"])
@require("team.manage")
def staff_edit(staff_id: int):
    staff = services.get_staff(db.session, practice_id=current_user.practice_id, staff_id=staff_id)
    form = StaffForm(obj=staff)
    _fill_choices(form)
    if not form.is_submitted():
        form.assisted_gp_ids.data = [g.id for g in staff.assisted_gps]
    if form.validate_on_submit():
        change, error = attempt(
            lambda: services.update_staff(
                db.session, acting=acting(), staff=staff, data=_input(form)
            ),
            form=form,
        )
        if error is None:
            flash(_saved_message(change), "success" if change is None else "warning")
            return redirect(url_for("team.staff_list"))
    return render_template(
        "team/staff_form.html", form=form, staff=staff, reset=ResetPasswordForm()
    ), status_of(form)


def _saved_message(change) -> str:
    if change is None:
        return "Modifications enregistrées."
    if change.status == security.PENDING:
        return (
            "Ce changement donne accès aux données cliniques : il attend la confirmation "
            "d'un autre administrateur et n'est pas encore appliqué."
        )
    return (
        "Modifications enregistrées. Ce changement donne accès aux données cliniques sans "
        "second administrateur : il reste signalé jusqu'à sa prise en compte."
    )


@bp.post("/changements/<int:change_id>/decision")
@require("staff_change.decide")
def change_decide(change_id: int):
    change = security.get_change(db.session, actor=current_user, change_id=change_id)
    decision = request.form.get("decision")
    if decision not in ("confirm", "refuse"):
        raise Invalid("Choisissez de confirmer ou de refuser ce changement.", field="decision")
    confirm = decision == "confirm"
    security.decide_change(db.session, acting=acting(), change=change, confirm=confirm)
    flash("Changement d'accès confirmé." if confirm else "Changement d'accès refusé.", "success")
    return redirect(url_for("team.staff_list"))


@bp.post("/changements/<int:change_id>/prise-en-compte")
@require("staff_change.acknowledge")
def change_acknowledge(change_id: int):
    change = security.get_change(db.session, actor=current_user, change_id=change_id)
    security.acknowledge_change(db.session, acting=acting(), change=change)
    flash("Changement d'accès pris en compte.", "success")
    target = "team.staff_list" if current_user.is_admin else "auth.profile"
    return redirect(url_for(target))


@bp.get("/cles-api")
@require("api_keys.manage")
def api_key_list():
    keys = auth_services.list_api_keys(db.session, practice_id=current_user.practice_id)
    return render_template("team/api_key_list.html", keys=keys, now=utcnow())


@bp.post("/cles-api/<int:key_id>/revocation")
@require("api_keys.manage")
def api_key_revoke(key_id: int):
    auth_services.revoke_api_key(db.session, acting=acting(), key_id=key_id)
    flash("Clé d'API révoquée.", "success")
    return redirect(url_for("team.api_key_list"))


@bp.post("/<int:staff_id>/activation")
@require("team.manage")
def staff_toggle(staff_id: int):
    staff = services.get_staff(db.session, practice_id=current_user.practice_id, staff_id=staff_id)
    services.set_active(db.session, acting=acting(), staff=staff, active=not staff.is_active)
    flash(
        f"Compte de {staff.display_name} {'réactivé' if staff.is_active else 'désactivé'}.",
        "success",
    )
    return redirect(url_for("team.staff_list"))


@bp.post("/<int:staff_id>/mot-de-passe")
@require("team.manage")
def staff_reset_password(staff_id: int):
    staff = services.get_staff(db.session, practice_id=current_user.practice_id, staff_id=staff_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(
            db.session, acting=acting(), staff=staff, password=form.password.data
        )
        flash(f"Mot de passe de {staff.display_name} réinitialisé.", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("team.staff_edit", staff_id=staff.id))


@bp.get("/salles")
@require("rooms.manage")
def room_list():
    rooms = services.list_rooms(db.session, practice_id=current_user.practice_id)
    return render_template("team/room_list.html", rooms=rooms, room_kinds=ROOM_KINDS)


@bp.route("/salles/nouvelle", methods=["GET", "POST"])
@bp.route("/salles/<int:room_id>", methods=["GET", "POST"])
@require("rooms.manage")
def room_edit(room_id: int | None = None):
    room = (
        services.get_room(db.session, practice_id=current_user.practice_id, room_id=room_id)
        if room_id
        else None
    )
    form = RoomForm(obj=room)
    return form_page(
        form,
        lambda: services.save_room(
            db.session,
            practice_id=current_user.practice_id,
            room=room,
            **values_of(form, "name", "kind", "is_active"),
        ),
        done="Salle enregistrée.",
        next_url=url_for("team.room_list"),
        template="team/room_form.html",
        room=room,
    )
