"""The shared file: write an entry, correct it (new version), mark it entered-in-error."""

from flask import url_for
from flask_login import current_user

from umpro.auth.permissions import can, require
from umpro.errors import Forbidden
from umpro.extensions import db
from umpro.forms import form_page, values_of
from umpro.patients import services
from umpro.patients.forms import CorrectionForm, EnteredInErrorForm, EntryForm
from umpro.patients.views import bp
from umpro.patients.views._page import entry_kinds, submit_on_patient_page
from umpro.web import acting


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
            db.session, acting=acting(), patient=patient, **values_of(form, "kind", "title", "body")
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
    return form_page(
        form,
        lambda: services.correct_entry(
            db.session, acting=acting(), entry=entry, **values_of(form, "title", "body")
        ),
        done="Correction enregistrée : la version précédente reste dans l'historique.",
        next_url=url_for("patients.show", patient_id=patient_id),
        template="patients/entry_correct.html",
        patient=patient,
        entry=entry,
    )


@bp.route("/<int:patient_id>/entrees/<int:entry_id>/erreur", methods=["GET", "POST"])
@require("patient.view_admin")
def mark_entry_error(patient_id: int, entry_id: int):
    patient, entry = _entry(patient_id, entry_id)
    form = EnteredInErrorForm()
    return form_page(
        form,
        lambda: services.mark_entered_in_error(
            db.session, acting=acting(), entry=entry, reason=form.reason.data
        ),
        done="Entrée marquée comme erronée : elle reste visible, barrée.",
        next_url=url_for("patients.show", patient_id=patient_id),
        template="patients/entry_error.html",
        patient=patient,
        entry=entry,
    )
