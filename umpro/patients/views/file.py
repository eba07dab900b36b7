"""The shared file: write an entry, correct it (new version), mark it entered-in-error."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from umpro.auth.permissions import can, require
from umpro.errors import Forbidden
from umpro.extensions import db
from umpro.forms import attempt
from umpro.patients import services
from umpro.patients.forms import CorrectionForm, EnteredInErrorForm, EntryForm
from umpro.patients.views import bp
from umpro.patients.views._page import entry_kinds, status_of, submit_on_patient_page
from umpro.web import acting_context


@bp.post("/<int:patient_id>/entrees")
@require("patient.view_admin")
def add_entry(patient_id: int):
    patient = services.get_patient(db.session, actor=current_user, patient_id=patient_id)
    form = EntryForm(prefix="entry")
    form.kind.choices = entry_kinds(patient)
    return submit_on_patient_page(
        patient_id,
        form,
        lambda: services.add_entry(
            db.session,
            **acting_context(),
            patient=patient,
            kind=form.kind.data,
            title=form.title.data,
            body=form.body.data,
        ),
        done="Entrée ajoutée au dossier.",
        form_name="entry_form",
    )


def _entry(patient_id: int, entry_id: int):
    patient = services.get_patient(db.session, actor=current_user, patient_id=patient_id)
    entry = services.get_entry(db.session, actor=current_user, patient=patient, entry_id=entry_id)
    if not can(current_user, "file_entry.correct", entry):
        raise Forbidden(
            "Seul l'auteur peut corriger cette entrée, et seulement sa dernière version."
        )
    return patient, entry


@bp.route("/<int:patient_id>/entrees/<int:entry_id>/corriger", methods=["GET", "POST"])
@require("patient.view_admin")
def correct_entry(patient_id: int, entry_id: int):
    patient, entry = _entry(patient_id, entry_id)
    form = CorrectionForm(obj=entry)
    if form.validate_on_submit():
        _, error = attempt(
            lambda: services.correct_entry(
                db.session,
                **acting_context(),
                entry=entry,
                title=form.title.data,
                body=form.body.data,
            ),
            form=form,
        )
        if error is None:
            flash(
                "Correction enregistrée : la version précédente reste dans l'historique.", "success"
            )
            return redirect(url_for("patients.show", patient_id=patient_id))
    return render_template(
        "patients/entry_correct.html", patient=patient, entry=entry, form=form
    ), status_of(form)


@bp.route("/<int:patient_id>/entrees/<int:entry_id>/erreur", methods=["GET", "POST"])
@require("patient.view_admin")
def mark_entry_error(patient_id: int, entry_id: int):
    patient, entry = _entry(patient_id, entry_id)
    form = EnteredInErrorForm()
    if form.validate_on_submit():
        _, error = attempt(
            lambda: services.mark_entered_in_error(
                db.session, **acting_context(), entry=entry, reason=form.reason.data
            ),
            form=form,
        )
        if error is None:
            flash("Entrée marquée comme erronée : elle reste visible, barrée.", "success")
            return redirect(url_for("patients.show", patient_id=patient_id))
    return render_template(
        "patients/entry_error.html", patient=patient, entry=entry, form=form
    ), status_of(form)
