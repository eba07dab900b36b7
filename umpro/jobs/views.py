"""The admin page "Tâches planifiées"."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from umpro.auth.permissions import require
from umpro.db import utcnow
from umpro.extensions import db
from umpro.jobs import runner
from umpro.jobs.forms import RunNowForm
from umpro.jobs.overview import jobs_overview
from umpro.jobs.registry import get_job
from umpro.jobs.scheduler import stale_after
from umpro.reminders.models import REMINDER_STATUSES
from umpro.web import acting

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
    runner.request_run(db.session, acting=acting(), job_name=name)
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
