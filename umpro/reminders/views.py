"""A patient's reminders and refusals of reminders."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from umpro.db import utcnow
from umpro.extensions import db
from umpro.forms import attempt
from umpro.reminders import optouts
from umpro.reminders.forms import OptOutForm
from umpro.web import client_ip

bp = Blueprint("reminders", __name__)


@bp.route("/rappels/patients/<int:patient_id>", methods=["GET", "POST"])
def patient_reminders(patient_id: int):
    now = utcnow()
    patient = optouts.open_patient_reminders(
        db.session, actor=current_user, patient_id=patient_id, now=now, ip=client_ip()
    )
    form = OptOutForm()
    current = optouts.current_opt_outs(db.session, patient_id=patient.id)
    if not form.is_submitted():
        form.channels.data = list(current)
    if form.validate_on_submit():
        changed, error = attempt(
            lambda: optouts.set_opt_outs(
                db.session,
                actor=current_user,
                patient=patient,
                channels=set(form.channels.data or []),
                note=form.note.data or "",
                now=now,
                ip=client_ip(),
            ),
            form=form,
        )
        if error is None:
            flash(
                "Préférences de rappel enregistrées." if changed else "Aucun changement.",
                "success",
            )
            return redirect(url_for("reminders.patient_reminders", patient_id=patient_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "reminders/patient.html",
        patient=patient,
        form=form,
        current=current,
        history=optouts.opt_out_history(db.session, patient_id=patient.id),
        reminders=optouts.patient_reminders(db.session, patient_id=patient.id),
    ), status
