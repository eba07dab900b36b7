"""A patient's reminders and refusals of reminders."""

from flask import Blueprint, url_for

from umpro.extensions import db
from umpro.forms import form_page
from umpro.reminders import optouts
from umpro.reminders.forms import OptOutForm
from umpro.web import acting

bp = Blueprint("reminders", __name__)

SAVED = "Préférences de rappel enregistrées."


@bp.route("/rappels/patients/<int:patient_id>", methods=["GET", "POST"])
def patient_reminders(patient_id: int):
    context = acting()
    patient = optouts.open_patient_reminders(db.session, acting=context, patient_id=patient_id)
    form = OptOutForm()
    current = optouts.current_opt_outs(db.session, patient_id=patient.id)
    if not form.is_submitted():
        form.channels.data = list(current)
    return form_page(
        form,
        lambda: optouts.set_opt_outs(
            db.session,
            acting=context,
            patient=patient,
            channels=set(form.channels.data or []),
            note=form.note.data or "",
        ),
        done=lambda changed: SAVED if changed else "Aucun changement.",
        next_url=url_for("reminders.patient_reminders", patient_id=patient_id),
        template="reminders/patient.html",
        patient=patient,
        current=current,
        history=optouts.opt_out_history(db.session, patient_id=patient.id),
        reminders=optouts.patient_reminders(db.session, patient_id=patient.id),
    )
