"""Calendar pages: the public feed by secret token, one's feeds on the profile, and the
.ics of one appointment."""

import os
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from umpro.auth.permissions import can, require
from umpro.calendars import feeds, services
from umpro.calendars.forms import FeedForm
from umpro.calendars.models import PRACTICE, ROOM, STAFF
from umpro.db import utcnow
from umpro.extensions import db
from umpro.forms import attempt
from umpro.team import services as team_services
from umpro.web import acting, client_ip, keep_when_refused, public

bp = Blueprint("calendars", __name__)

FEED_PATH = "/calendriers/{secret}.ics"
CALENDAR_MIMETYPE = "text/calendar; charset=utf-8"


def base_url() -> str:
    """UMPRO_BASE_URL, else this request's host, else the local server (command line)."""
    configured = current_app.config.get("UMPRO_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"


def feed_url(secret: str) -> str:
    return base_url() + FEED_PATH.format(secret=secret)


# --- The feed, by secret token (no sign-in) ----------------------------------------------


@bp.get("/calendriers/<token>.ics")
@public
def feed(token: str):
    """Unknown, revoked and malformed tokens all meet the same 404 as any missing page."""
    now = utcnow()
    found = services.find_active(db.session, secret=token)
    if found is None:
        abort(404)
    config = current_app.config
    wait = services.claim_download(
        db.session,
        feed=found,
        now=now,
        limit=config["UMPRO_FEED_RATE_LIMIT"],
        window=timedelta(seconds=config["UMPRO_FEED_RATE_WINDOW_SECONDS"]),
    )
    if wait is not None:
        # The refused download must still count (window_count, last_used_at) across
        # workers: the commit point keeps this request's work although it answers 429.
        keep_when_refused()
        message = f"Trop de requêtes pour ce calendrier : réessayez dans {wait} secondes.\n"
        return Response(message, 429, {"Retry-After": str(wait)}, mimetype="text/plain")
    settings = feeds.FeedSettings.from_config(config)
    sent = frozenset(request.if_none_match.as_set(include_weak=True))
    answer = feeds.revalidate(db.session, feed=found, now=now, settings=settings, sent=sent)
    if answer.not_modified:
        response = Response(status=304)
    else:
        rendered = feeds.download(
            db.session,
            feed=found,
            now=now,
            settings=settings,
            known=answer.validators,
            ip=client_ip(),
        )
        response = Response(rendered.body, content_type=CALENDAR_MIMETYPE)
        response.headers["Content-Disposition"] = 'inline; filename="umpro.ics"'
    response.set_etag(answer.etag)
    if answer.validators is not None and answer.validators.last_modified is not None:
        response.last_modified = answer.validators.last_modified
    # Clients may keep it and must revalidate (If-None-Match); shared caches must not.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- One's feeds, from the profile -------------------------------------------------------


def _target_choices() -> list[tuple[str, str]]:
    choices = [(f"{STAFF}:{current_user.id}", "Mon agenda")]
    if can(current_user, "calendars.manage_all"):
        practice_id = current_user.practice_id
        staff = team_services.list_staff(db.session, practice_id=practice_id, active_only=True)
        rooms = team_services.list_rooms(db.session, practice_id=practice_id, active_only=True)
        choices += [
            (f"{STAFF}:{s.id}", f"Agenda de {s.display_name}")
            for s in staff
            if s.id != current_user.id
        ]
        choices += [(f"{ROOM}:{r.id}", f"Salle : {r.name}") for r in rooms]
        choices.append((PRACTICE, "Toute la maison de santé"))
    return choices


def _parse_target(value: str) -> tuple[str, int | None]:
    scope, _, ident = (value or "").partition(":")
    return scope, int(ident) if ident.isdigit() else None


def _page(form: FeedForm, *, new_url: str | None = None, new_feed=None, status: int = 200):
    mine = services.list_feeds(db.session, owner=current_user)
    everyone = (
        services.list_feeds(db.session, practice_id=current_user.practice_id)
        if can(current_user, "calendars.manage_all")
        else []
    )
    names = services.target_names(db.session, [*mine, *everyone])
    return (
        render_template(
            "calendars/feeds.html",
            form=form,
            mine=mine,
            everyone=[f for f in everyone if f.owner_id != current_user.id],
            names=names,
            new_url=new_url,
            new_feed=new_feed,
            warning=services.FULL_DETAIL_WARNING,
        ),
        status,
    )


def _new_form(*, blank: bool = False) -> FeedForm:
    form = FeedForm(formdata=None) if blank else FeedForm()
    form.target.choices = _target_choices()
    if not can(current_user, "calendars.full_detail"):
        form.detail.choices = [c for c in form.detail.choices if c[0] != "full"]
    return form


@bp.get("/profil/calendriers")
@require("calendars.feeds")
def manage():
    return _page(_new_form())


@bp.post("/profil/calendriers")
@require("calendars.feeds")
def create():
    form = _new_form()
    if not form.validate():
        return _page(form, status=422)
    scope, target_id = _parse_target(form.target.data)
    data = services.FeedInput(
        scope=scope,
        target_id=target_id,
        detail=form.detail.data or "",
        label=form.label.data or "",
    )
    created, error = attempt(
        lambda: services.create_feed(db.session, acting=acting(), owner=current_user, data=data),
        form=form,
    )
    if error is not None:
        if error.field == "scope":
            form.target.errors = [*form.target.errors, error.message]
        return _page(form, status=error.status)
    feed, secret = created
    # Shown on this page only, never put in a flash message (it would sit in the cookie).
    return _page(_new_form(blank=True), new_url=feed_url(secret), new_feed=feed, status=201)


@bp.post("/profil/calendriers/<int:feed_id>/revoquer")
@require("calendars.feeds")
def revoke(feed_id: int):
    services.revoke_feed(db.session, acting=acting(), feed_id=feed_id)
    flash("Calendrier révoqué : son adresse ne fonctionne plus.", "success")
    return redirect(url_for("calendars.manage"))


@bp.post("/profil/calendriers/<int:feed_id>/renouveler")
@require("calendars.feeds")
def rotate(feed_id: int):
    feed, secret = services.rotate_feed(db.session, acting=acting(), feed_id=feed_id)
    return _page(_new_form(blank=True), new_url=feed_url(secret), new_feed=feed)


# --- The .ics of one appointment -----------------------------------------------------------


@bp.get("/calendriers/rendez-vous/<int:appointment_id>.ics")
@require("calendars.appointment_ics")
def appointment_file(appointment_id: int):
    """What the patient receives: REQUEST, or CANCEL for a cancelled appointment (or
    ``?annulation=1`` to prepare the cancellation of a live one)."""
    appointment, method, body = services.appointment_file(
        db.session,
        acting=acting(),
        appointment_id=appointment_id,
        cancel=request.args.get("annulation") == "1",
    )
    response = Response(body, content_type=f"text/calendar; method={method}; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="rendez-vous-{appointment.id}.ics"'
    )
    return response
