"""Referral letters: compose from the file, print, record the reply."""

from flask import render_template, url_for
from flask_login import current_user

from umpro.auth.permissions import require
from umpro.db import utcnow
from umpro.extensions import db
from umpro.forms import form_page, values_of
from umpro.patients import services
from umpro.patients.forms import LetterForm, ReplyForm
from umpro.patients.views import bp
from umpro.timeutil import local_today
from umpro.web import acting


@bp.route("/<int:patient_id>/lettres/nouvelle", methods=["GET", "POST"])
@require("referral_letter.write")
def new_letter(patient_id: int):
    session = db.session
    patient = services.get_patient(session, actor=current_user, patient_id=patient_id, eager=True)
    entries = [
        e
        for e in services.timeline(session, actor=current_user, patient=patient, limit=200).entries
        if e.is_clinical and not e.is_entered_in_error
    ]
    form = LetterForm()
    form.entry_ids.choices = [
        (e.id, f"{e.dated_at:%d/%m/%Y} · {e.kind_label} · {e.title}") for e in entries
    ]
    return form_page(
        form,
        lambda: services.create_letter(
            session,
            acting=acting(),
            patient=patient,
            **values_of(form, "recipient", "reason", "is_second_opinion"),
            entry_ids=form.entry_ids.data or [],
        ),
        done="Courrier enregistré dans le dossier.",
        next_url=lambda letter: url_for(
            "patients.letter", patient_id=patient_id, letter_id=letter.id
        ),
        template="patients/letter_form.html",
        patient=patient,
    )


@bp.get("/<int:patient_id>/lettres/<int:letter_id>")
@require("patient.view_clinical")
def letter(patient_id: int, letter_id: int):
    """The printable letter (print CSS); viewing it is logged as a print."""
    patient = services.get_patient(
        db.session, actor=current_user, patient_id=patient_id, eager=True
    )
    found = services.get_letter(
        db.session, actor=current_user, patient=patient, letter_id=letter_id
    )
    services.print_letter(db.session, acting=acting(), letter=found)
    return render_template(
        "patients/letter.html", patient=patient, letter=found, practice=current_user.practice
    )


@bp.route("/<int:patient_id>/lettres/<int:letter_id>/reponse", methods=["GET", "POST"])
@require("file_entry.create_clinical")
def letter_reply(patient_id: int, letter_id: int):
    patient = services.get_patient(db.session, actor=current_user, patient_id=patient_id)
    found = services.get_letter(
        db.session, actor=current_user, patient=patient, letter_id=letter_id
    )
    form = ReplyForm()
    if not form.is_submitted():
        form.received_on.data = local_today(current_user.practice.timezone, utcnow())
    return form_page(
        form,
        lambda: services.record_reply(
            db.session, acting=acting(), letter=found, **values_of(form, "received_on", "body")
        ),
        done="Réponse enregistrée dans le dossier.",
        next_url=url_for("patients.show", patient_id=patient_id),
        template="patients/reply_form.html",
        patient=patient,
        letter=found,
    )
