"""The delegate's queue, the GP's inbox and the task's page (one thread per hand-off)."""

from collections.abc import Callable
from typing import NamedTuple

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from umpro.api import input as read
from umpro.auth.permissions import can, require
from umpro.delegation import states
from umpro.delegation.forms import (
    AcknowledgeForm,
    AdverseEventForm,
    BookingForm,
    CommentForm,
    DueForm,
    ReasonForm,
    SatisfactionForm,
)
from umpro.delegation.protocols import definition
from umpro.delegation.services import quality, sessions, tasks, transitions
from umpro.delegation.services._common import today
from umpro.delegation.views import bp
from umpro.delegation.views.thread import steps_of
from umpro.extensions import db
from umpro.forms import attach_error, attempt, values_of
from umpro.scheduling.services import sameday, slots
from umpro.timeutil import local_to_utc
from umpro.web import acting


def _page_arg(name: str) -> int:
    return read.arg_int(name, default=1, minimum=1, maximum=tasks.MAX_PAGE)


@bp.get("/taches")
@require("nav.task_queue")
def queue():
    c = acting()
    available = tasks.page_of_tasks(db.session, view="available", page=_page_arg("page"), acting=c)
    mine = tasks.page_of_tasks(db.session, view="mine", page=_page_arg("mes"), acting=c)
    page = render_template(
        "delegation/queue.html",
        available=available,
        mine=mine,
        today=today(current_user.practice, c.now),
    )
    return page


@bp.get("/boite")
@require("nav.inbox")
def inbox():
    c = acting()
    items = tasks.page_of_tasks(db.session, view="inbox", page=_page_arg("page"), acting=c)
    requested = tasks.page_of_requested(db.session, page=_page_arg("demandes"), acting=c)
    return render_template(
        "delegation/inbox.html",
        items=items,
        requested=requested,
        today=today(current_user.practice, c.now),
    )


def _load(task_id: int, *, log: bool = False):
    c = acting()
    return tasks.get_task(db.session, task_id=task_id, log=log, acting=c)


def _submit_on_task_page(task, form, save, *, done: str, form_name: str, next_url=None):
    """A form posted from the task page: once valid and accepted by ``save`` (one service
    call), flash ``done`` and go to ``next_url`` (the task page unless given); else the
    task page again with the form and its errors as ``form_name``."""
    if not form.validate_on_submit():
        return _render(task, status=422, **{form_name: form})
    _, error = attempt(save, form=form)
    if error is not None:
        return _render(_load(task.id), status=error.status, **{form_name: form})
    flash(done, "success")
    return redirect(next_url or url_for("delegation.task_page", task_id=task.id))


def _results_from(form, rules: definition.Definition) -> dict:
    """The results typed on the page, keyed as the service expects them."""
    raw: dict = {
        f.key: form.get(f"res-{f.key}", "")
        for f in rules.fields
        if form.get(f"res-{f.key}", "").strip()
    }
    raw[definition.SIGNS_KEY] = form.getlist("signs")
    return raw


def _render(task, *, status: int = 200, results=None, result_errors=None, **forms):
    """The task's page; the forms given (with their errors) replace the blank ones."""
    context = acting()
    user, now = context.actor, context.now
    events, links = tasks.thread(db.session, task=task)
    rules = definition.of(task.protocol)
    forms = {
        "reason_form": ReasonForm(),
        "comment": CommentForm(),
        "booking": BookingForm(prefix="seance"),
        "follow_up": BookingForm(prefix="suivi"),
        "ack": AcknowledgeForm(),
        "due": DueForm(obj=task),
        "adverse": AdverseEventForm(),
        "satisfaction": SatisfactionForm(),
    } | forms
    is_owner = can(user, "care_task.owner", task)
    is_requester = can(user, "care_task.requester", task)
    session_types, session_slots, gp_types, gp_slots = [], [], [], []
    if is_owner and task.status in states.OWNED_STATUSES:
        session_types = sessions.types_for(db.session, staff=user, purpose="session")
        if session_types:
            session_slots = slots.next_slots(
                db.session, staff=user, appointment_type=session_types[0], now=now, days=14
            )
    if is_requester and task.status != states.ENTERED_IN_ERROR:
        gp_types = sessions.types_for(db.session, staff=user, purpose="follow_up")
        if gp_types and task.inbox_reason in ("escalation", "rejection", "failure"):
            # The GP's held slots of today and tomorrow first, then their free slots.
            gp_slots = sameday.takeback_slots(
                db.session, gp=user, appointment_type=gp_types[0], now=now
            )
    forms["booking"].type_id.choices = [(t.id, t.label) for t in session_types]
    forms["follow_up"].type_id.choices = [(t.id, t.label) for t in gp_types]
    adverse_events, answers = quality.quality_of(db.session, task=task)
    allowed = transitions.allowed_moves(db.session, acting=context, task=task)
    moves = [m for m in allowed if not m.needs_results]
    can_complete = any(m.needs_results for m in allowed)
    page = render_template(
        "delegation/task.html",
        task=task,
        events=events,
        links=links,
        steps=steps_of(task, events, links),
        rules=rules,
        moves=moves,
        can_complete=can_complete,
        results=results or {},
        result_errors=result_errors or {},
        is_owner=is_owner,
        is_requester=is_requester,
        session_types=session_types,
        session_slots=session_slots,
        gp_types=gp_types,
        gp_slots=gp_slots,
        adverse_events=adverse_events,
        answers=answers,
        today=today(user.practice, now),
        **forms,
    )
    return page, status


@bp.get("/taches/<int:task_id>")
def task_page(task_id: int):
    return _render(_load(task_id, log=True))


@bp.post("/taches/<int:task_id>/statut")
def task_transition(task_id: int):
    task = _load(task_id)
    form = ReasonForm()
    if form.validate_on_submit():
        _, error = attempt(
            lambda: transitions.transition(
                db.session, task=task, to=form.to.data, reason=form.reason.data, acting=acting()
            ),
            form=form,
        )
        if error is not None:
            return _render(_load(task_id), status=error.status, reason_form=form)
        flash(f"Tâche : {task.status_label.lower()}.", "success")
        return redirect(url_for("delegation.task_page", task_id=task.id))
    return _render(task, status=422, reason_form=form)


@bp.post("/taches/<int:task_id>/accepter-et-commencer")
def task_accept_and_start(task_id: int):
    """One step for the delegate who sees the patient now: accept, then start."""
    task = _load(task_id)
    form = ReasonForm()
    return _submit_on_task_page(
        task,
        form,
        lambda: transitions.accept_and_start(db.session, task=task, acting=acting()),
        done="Tâche acceptée, prise en charge commencée : saisissez les résultats.",
        form_name="reason_form",
        next_url=url_for("delegation.task_page", task_id=task_id) + "#saisie",
    )


@bp.post("/taches/<int:task_id>/resultats")
def task_results(task_id: int):
    task = _load(task_id)
    form = CommentForm()
    raw = _results_from(request.form, definition.of(task.protocol))
    if not form.validate_on_submit():
        return _render(task, status=422, results=raw, comment=form)
    _, error = attempt(
        lambda: transitions.transition(
            db.session,
            task=task,
            to=states.COMPLETED,
            reason=form.reason.data,
            results=raw,
            acting=acting(),
        ),
        show=False,
    )
    if isinstance(error, definition.ResultsInvalid):
        return _render(_load(task_id), status=422, results=raw, result_errors=error.errors)
    if error is not None:
        attach_error(form, error)
        return _render(_load(task_id), status=error.status, results=raw, comment=form)
    if task.is_taken_back:
        flash(
            "Résultats enregistrés. Signe d'alerte : la tâche revient au médecin (reprise), "
            "en tête de sa boîte de réception.",
            "error",
        )
    else:
        flash("Résultats enregistrés dans le dossier du patient et transmis au médecin.", "success")
    return redirect(url_for("delegation.task_page", task_id=task.id))


def _book(task_id: int, *, prefix: str, purpose: str):
    task = _load(task_id)
    form = BookingForm(prefix=prefix)
    form.type_id.choices = []
    key = "booking" if purpose == "session" else "follow_up"
    if not form.validate_on_submit():
        return _render(task, status=422, **{key: form})

    def save():
        start_at = local_to_utc(
            form.day.data, form.time.data, current_user.practice.timezone, field="time"
        )
        return sessions.book(
            db.session,
            purpose=purpose,
            task=task,
            type_id=form.type_id.data,
            start_at=start_at,
            acting=acting(),
        )

    link, error = attempt(save, form=form)
    if error is not None:
        return _render(_load(task_id), status=error.status, **{key: form})
    flash(f"{link.purpose_label} réservé(e) dans l'agenda.", "success")
    return redirect(url_for("delegation.task_page", task_id=task.id))


@bp.post("/taches/<int:task_id>/seance")
def task_book_session(task_id: int):
    return _book(task_id, prefix="seance", purpose="session")


@bp.post("/taches/<int:task_id>/suivi")
def task_book_follow_up(task_id: int):
    return _book(task_id, prefix="suivi", purpose="follow_up")


class _TaskFormPost(NamedTuple):
    """A form of the task page whose fields are its service's keywords: the form, the
    service, the fields, the message once done, and where to go then (the task page
    unless given)."""

    form_class: type
    service: Callable
    fields: tuple[str, ...]
    done: str
    next_endpoint: str | None = None


_TASK_FORM_POSTS = {
    "ack": _TaskFormPost(
        AcknowledgeForm,
        sessions.acknowledge,
        ("take_back", "note"),
        "Retour pris en compte.",
        next_endpoint="delegation.inbox",
    ),
    "due": _TaskFormPost(DueForm, tasks.change_due, ("due_on",), "Échéance modifiée."),
    "adverse": _TaskFormPost(
        AdverseEventForm,
        quality.report_adverse_event,
        ("occurred_on", "severity", "description", "action_taken"),
        "Événement indésirable déclaré.",
    ),
    "satisfaction": _TaskFormPost(
        SatisfactionForm,
        quality.record_satisfaction,
        ("respondent", "score", "comment"),
        "Satisfaction enregistrée.",
    ),
}


def _task_form_post(task_id: int, form_name: str):
    """Shared by acknowledge, due date, adverse event and satisfaction: the form posted
    as ``form_name`` goes to its service (see ``_TASK_FORM_POSTS``)."""
    post = _TASK_FORM_POSTS[form_name]
    task = _load(task_id)
    form = post.form_class()
    return _submit_on_task_page(
        task,
        form,
        lambda: post.service(
            db.session, task=task, **values_of(form, *post.fields), acting=acting()
        ),
        done=post.done,
        form_name=form_name,
        next_url=url_for(post.next_endpoint) if post.next_endpoint else None,
    )


@bp.post("/taches/<int:task_id>/prise-en-compte")
def task_acknowledge(task_id: int):
    return _task_form_post(task_id, "ack")


@bp.post("/taches/<int:task_id>/echeance")
def task_due(task_id: int):
    return _task_form_post(task_id, "due")


@bp.post("/taches/<int:task_id>/evenement-indesirable")
def task_adverse_event(task_id: int):
    return _task_form_post(task_id, "adverse")


@bp.post("/taches/<int:task_id>/satisfaction")
def task_satisfaction(task_id: int):
    return _task_form_post(task_id, "satisfaction")
