"""Sign-in, sign-out, profile, and the access log's admin page."""

from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from umpro.api import input as read
from umpro.auth import audit, services
from umpro.auth.forms import ChangePasswordForm, LoginForm, PreferencesForm
from umpro.auth.models import AccessLog
from umpro.auth.passwords import hash_password, verify_password
from umpro.auth.permissions import require
from umpro.db import utcnow
from umpro.extensions import db
from umpro.team import security
from umpro.team.models import Staff
from umpro.timeutil import local_to_utc
from umpro.web import client_ip, public

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            staff = services.sign_in(
                db.session,
                email=form.email.data,
                password=form.password.data,
                ip=client_ip(),
                now=utcnow(),
                max_failures=current_app.config["UMPRO_LOGIN_MAX_FAILURES"],
                window=current_app.config["UMPRO_LOGIN_WINDOW"],
                max_address_failures=current_app.config["UMPRO_LOGIN_MAX_FAILURES_PER_ADDRESS"],
            )
        except services.SignInRefused as refused:
            # Answered 200 (the failed attempt is committed, so it counts) or 429.
            error = refused.message
            status = refused.status if refused.status == 429 else 200
        else:
            session.clear()  # a new session: nothing carries over from before sign-in
            login_user(staff)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    services.sign_out(db.session, token=current_user.get_id(), now=utcnow())
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/profil")
@require("profile.edit")
def profile(prefs=None, password=None):
    prefs = prefs or PreferencesForm(prefix="prefs", locale=current_user.locale)
    password = password or ChangePasswordForm(prefix="pw")
    changes = security.changes_to_show(db.session, viewer=current_user)
    return render_template("auth/profile.html", prefs=prefs, password=password, changes=changes)


@bp.post("/profil/preferences")
@require("profile.edit")
def save_preferences():
    form = PreferencesForm(prefix="prefs")
    if not form.validate():
        return profile(prefs=form), 422
    current_user.locale = form.locale.data
    flash("Préférences enregistrées.", "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profil/mot-de-passe")
@require("profile.edit")
def change_password():
    form = ChangePasswordForm(prefix="pw")
    if form.validate():
        if verify_password(current_user.password_hash, form.current.data):
            current_user.password_hash = hash_password(form.new.data)
            flash("Mot de passe modifié.", "success")
            return redirect(url_for("auth.profile"))
        form.current.errors.append("Mot de passe actuel incorrect.")
    return profile(password=form), 422


AUDIT_PAGE_SIZE = 100


@bp.get("/admin/journal")
@require("audit.view")
def access_log():
    tz = current_user.practice.timezone
    query = select(AccessLog).where(AccessLog.practice_id == current_user.practice_id)
    filters = {k: request.args.get(k, "").strip() for k in ("staff", "patient", "action", "day")}
    errors = {}
    if filters["staff"]:
        if (staff_id := read.id_or_none(filters["staff"])) is not None:
            query = query.where(AccessLog.staff_id == staff_id)
        else:
            errors["staff"] = "Choisissez un membre de l'équipe."
    if filters["patient"]:
        if (patient_id := read.id_or_none(filters["patient"])) is not None:
            query = query.where(audit.seen_by_query(patient_id))
        else:
            errors["patient"] = "Le numéro de patient est un nombre."
    if filters["action"]:
        query = query.where(AccessLog.action == filters["action"])
    if filters["day"]:
        try:
            day = datetime.strptime(filters["day"], "%Y-%m-%d").date()  # noqa: DTZ007 - a date
        except ValueError:
            errors["day"] = "Date invalide (jj/mm/aaaa)."
        else:
            start = local_to_utc(day, time(0), tz)
            query = query.where(AccessLog.at >= start, AccessLog.at < start + timedelta(days=1))
    rows = db.session.scalars(query.order_by(AccessLog.id.desc()).limit(AUDIT_PAGE_SIZE)).all()
    staff = db.session.scalars(
        select(Staff)
        .where(Staff.practice_id == current_user.practice_id)
        .order_by(Staff.family_name)
    ).all()
    actions = db.session.scalars(
        select(AccessLog.action).where(AccessLog.practice_id == current_user.practice_id).distinct()
    ).all()
    return render_template(
        "auth/access_log.html",
        rows=rows,
        staff={s.id: s for s in staff},
        actions=sorted(actions),
        filters=filters,
        errors=errors,
        page_size=AUDIT_PAGE_SIZE,
    )
