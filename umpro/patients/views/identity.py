"""Search, registration and editing of patients; the sharing objection; the information
sheet on team sharing."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from umpro.auth.permissions import require
from umpro.extensions import db
from umpro.forms import attempt, form_page, status_of
from umpro.page_cache import cached_page
from umpro.patients import services
from umpro.patients.forms import ObjectionForm, PatientForm
from umpro.patients.views import bp
from umpro.patients.views._page import (
    access_history_part,
    render_patient_page,
    submit_on_patient_page,
)
from umpro.team.models import Staff
from umpro.timeutil import local_today
from umpro.web import acting


def _input(form: PatientForm) -> services.PatientInput:
    return services.PatientInput(
        family_name=form.family_name.data or "",
        given_names=form.given_names.data or "",
        birth_date=form.birth_date.data,
        sex=form.sex.data or "",
        birth_name=form.birth_name.data or "",
        ins=form.ins.data or "",
        phone=form.phone.data or "",
        email=form.email.data or "",
        address=form.address.data or "",
        postal_code=form.postal_code.data or "",
        city=form.city.data or "",
        has_chronic_condition=form.has_chronic_condition.data,
    )


@bp.get("/")
@require("patient.view_admin")
@cached_page
def search():
    query = request.args.get("q", "").strip()
    context = acting()
    results = services.search_patients(db.session, acting=context, query=query) if query else []
    return render_template(
        "patients/search.html",
        query=query,
        results=results,
        today=local_today(current_user.practice.timezone, context.now),
    )


@bp.route("/nouveau", methods=["GET", "POST"])
@require("patient.edit")
def create():
    form = PatientForm()
    duplicates = []
    if form.validate_on_submit():
        patient, error = attempt(
            lambda: services.create_patient(
                db.session,
                acting=acting(),
                practice=current_user.practice,
                data=_input(form),
                confirm_duplicate=form.confirm_duplicate.data,
            ),
            form=form,
        )
        if error is not None and error.code == "likely_duplicate":
            duplicates = services.likely_duplicates(
                db.session, practice_id=current_user.practice_id, data=_input(form)
            )
        elif error is None:
            flash(f"Patient {patient.display_name} enregistré.", "success")
            return redirect(url_for("patients.show", patient_id=patient.id))
    return render_template(
        "patients/form.html", form=form, patient=None, duplicates=duplicates
    ), status_of(form)


@bp.get("/<int:patient_id>")
@require("patient.view_admin")
@cached_page(live=("access_history", access_history_part))
def show(patient_id: int):
    return render_patient_page(patient_id)


@bp.route("/<int:patient_id>/modifier", methods=["GET", "POST"])
@require("patient.edit")
def edit(patient_id: int):
    patient = services.get_patient(db.session, actor=current_user, patient_id=patient_id)
    form = PatientForm(obj=patient)
    return form_page(
        form,
        lambda: services.update_patient(
            db.session, acting=acting(), patient=patient, data=_input(form)
        ),
        done="Modifications enregistrées.",
        next_url=url_for("patients.show", patient_id=patient.id),
        template="patients/form.html",
        patient=patient,
        duplicates=[],
    )


def _objection_action(patient_id: int, change, done: str):
    """Record or lift the sharing objection from the patient page: ``change(patient,
    form)`` calls the service."""
    patient = services.get_patient(db.session, actor=current_user, patient_id=patient_id)
    form = ObjectionForm(prefix="objection")
    return submit_on_patient_page(
        patient_id, form, lambda: change(patient, form), done=done, form_name="objection_form"
    )


@bp.post("/<int:patient_id>/opposition")
@require("patient.sharing_objection")
def record_objection(patient_id: int):
    return _objection_action(
        patient_id,
        lambda patient, form: services.record_objection(
            db.session, acting=acting(), patient=patient, note=form.note.data
        ),
        "Opposition au partage enregistrée.",
    )


@bp.post("/<int:patient_id>/opposition/levee")
@require("patient.sharing_objection")
def lift_objection(patient_id: int):
    return _objection_action(
        patient_id,
        lambda patient, _: services.lift_objection(db.session, acting=acting(), patient=patient),
        "Opposition au partage levée.",
    )


@bp.get("/<int:patient_id>/fiche-information")
@require("patient.view_admin")
def information_sheet(patient_id: int):
    """The printable sheet on team sharing and the right to object."""
    patient = services.get_patient(
        db.session, actor=current_user, patient_id=patient_id, eager=True
    )
    services.print_information_sheet(db.session, acting=acting(), patient=patient)
    team = db.session.scalars(
        select(Staff)
        .where(Staff.practice_id == current_user.practice_id, Staff.is_active.is_(True))
        .order_by(Staff.family_name, Staff.given_name)
    ).all()
    return render_template("patients/sheet.html", patient=patient, team=team)
