"""Sign-in, sign-out, profile, and the access log's admin page."""

from dataclasses import replace
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from umpro.api import input as read
from umpro.auth import access_review, services
from umpro.auth.access_labels import action_choices
from umpro.auth.forms import ChangePasswordForm, LoginForm, PreferencesForm
from umpro.auth.passwords import hash_password, verify_password
from umpro.auth.permissions import require
from umpro.db import utcnow
from umpro.errors import Invalid
from umpro.extensions import db
from umpro.team import security
from umpro.web import acting, client_ip, public

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


# --- The access log (issue 15): the admin's journal, a patient's history, the export ---


def _journal_filters() -> tuple[access_review.Filters, dict[str, str]]:
    """The journal's query string (``debut``, ``fin``, ``staff``, ``action``, ``patient``)
    as ``(filters, errors)``: a refused value gets its French message under its name and
    its default in the filters (the last week, no filter), so the page still answers."""
    raw = {name: request.args.get(name, "").strip() for name in access_review.FILTER_NAMES}
    errors: dict[str, str] = {}
    start_on, end_on = access_review.default_period(tz=current_user.practice.timezone, now=utcnow())
    days = {"debut": start_on, "fin": end_on}
    for name in days:
        if raw[name]:
            try:
                days[name] = read.parse_day(raw[name], field=name)
            except Invalid as error:
                errors[name] = error.message
    ids: dict[str, int | None] = {"staff": None, "patient": None}
    for name, message in (
        ("staff", "Choisissez un membre de l'équipe."),
        ("patient", "Le numéro de patient est un nombre."),
    ):
        if raw[name]:
            ids[name] = read.id_or_none(raw[name])
            if ids[name] is None:
                errors[name] = message
    filters = access_review.Filters(
        days["debut"], days["fin"], ids["staff"], raw["action"], ids["patient"]
    )
    for problem in access_review.filter_problems(filters):
        errors.setdefault(problem.field, problem.message)
        if problem.field == "action":
            filters = replace(filters, action="")
        else:
            filters = replace(filters, start_on=start_on, end_on=end_on)
    return filters, errors


@bp.get("/admin/journal")
def access_log():
    """The admins' journal; with ``?patient=`` also the patient's history for whoever may
    see it (the service decides)."""
    filters, errors = _journal_filters()
    before = read.id_or_none(request.args.get("avant", ""))
    page = access_review.read_journal(
        db.session,
        filters=filters,
        tz=current_user.practice.timezone,
        before=before,
        acting=acting(),
    )
    return render_template(
        "auth/access_log.html",
        page=page,
        actions=action_choices(),
        errors=errors,
        raw={name: request.args.get(name, "") for name in access_review.FILTER_NAMES},
        page_size=access_review.PAGE_SIZE,
        is_first_page=before is None,
    ), (422 if errors else 200)


@bp.get("/admin/journal.csv")
def access_log_csv():
    """The filtered rows as CSV (a period of ``EXPORT_MAX_DAYS`` days at most)."""
    filters, errors = _journal_filters()
    if errors:
        return Response(
            "\n".join(errors.values()) + "\n", 422, mimetype="text/plain; charset=utf-8"
        )
    body = access_review.export_journal(
        db.session, filters=filters, tz=current_user.practice.timezone, acting=acting()
    )
    name = f"journal-acces-{filters.start_on.isoformat()}-{filters.end_on.isoformat()}.csv"
    return Response(
        "\ufeff" + body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
