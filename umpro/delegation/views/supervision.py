"""The maître de stage's daily review of the docteur junior's consultation entries."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from umpro.api import input as read
from umpro.auth.permissions import require
from umpro.delegation.forms import ReviewForm
from umpro.delegation.services import supervision
from umpro.delegation.services._common import today
from umpro.delegation.views import bp
from umpro.extensions import db
from umpro.forms import attempt
from umpro.web import acting


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@bp.get("/supervision")
@require("supervision.view")
def supervision_queue():
    c = acting()
    day = _day(request.args.get("jour"), today(current_user.practice, c.now))
    queue = supervision.review_queue(db.session, day=day, acting=c)
    return render_template("delegation/supervision.html", queue=queue, form=ReviewForm())


@bp.get("/supervision/mes-consultations")
@require("supervision.own")
def supervision_own():
    """The docteur junior's consultations of the last days, each marked « Revu par … »."""
    c = acting()
    raw = request.args.get("jour")
    day = read.parse_day(raw, field="jour") if raw else today(current_user.practice, c.now)
    reviews = supervision.own_reviews(db.session, day=day, acting=c)
    return render_template("delegation/supervision_own.html", reviews=reviews)


@bp.post("/supervision/relu")
@require("supervision.view")
def supervision_review():
    form = ReviewForm()
    day = request.form.get("jour", "")
    if form.validate_on_submit():
        reviews, error = attempt(
            lambda: supervision.mark_reviewed(
                db.session,
                entry_ids=form.entry_ids.data or [],
                note=form.note.data,
                acting=acting(),
            )
        )
        if error is None:
            flash(f"{len(reviews)} entrée(s) marquée(s) comme relue(s).", "success")
    else:
        flash("Le formulaire a expiré : rechargez la page.", "error")
    return redirect(url_for("delegation.supervision_queue", jour=day or None))
