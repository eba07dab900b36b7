"""The admin page "Tâches planifiées" and a patient's reminders (opt-outs)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from umpro.auth.permissions import require
from umpro.db import utcnow
from umpro.extensions import db
from umpro.forms import attempt
from umpro.jobs import optouts, runner
from umpro.jobs.forms import OptOutForm, RunNowForm
from umpro.jobs.models import REMINDER_STATUSES
from umpro.jobs.overview import jobs_overview
from umpro.jobs.registry import get_job
from umpro.jobs.scheduler import stale_after
from umpro.web import client_ip

bp = Blueprint("jobs", __name__)


@bp.get("/admin/taches-planifiees")
@require("jobs.manage")
def overview():
    data = jobs_overview(
        db.session, practice_id=current_user.practice_id, now=utcnow(), config=current_app.config
    )
    return render_template(
        "jobs/overview.html",
        o=data,
        form=RunNowForm(),
        statuses=REMINDER_STATUSES,
    )


@bp.post("/admin/taches-planifiees/<name>/lancer")
@require("jobs.manage")
def run_now(name: str):
    job = get_job(name)
    if job is None:
        abort(404)
    runner.request_run(db.session, actor=current_user, job_name=name, now=utcnow())
    flash(
        f"« {job.title} » : exécution demandée. Le planificateur la lance dans quelques "
        "secondes ; rechargez la page pour en voir le résultat.",
        "success",
    )
    now = utcnow()
    if not runner.alive_instances(db.session, now=now, stale=stale_after(current_app.config)):
        flash(
            "Aucun planificateur actif : la demande attendra son démarrage "
            "(« flask umpro scheduler », voir docs/deployment.md).",
            "error",
        )
    return redirect(url_for("jobs.overview"))


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
            return redirect(url_for("jobs.patient_reminders", patient_id=patient_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "jobs/patient_reminders.html",
        patient=patient,
        form=form,
        current=current,
        history=optouts.opt_out_history(db.session, patient_id=patient.id),
        reminders=optouts.patient_reminders(db.session, patient_id=patient.id),
    ), status
