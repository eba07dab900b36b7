"""What every patients view shares: form choices and the patient page."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from umpro.api import input as read
from umpro.auth.access_review import patient_history
from umpro.auth.permissions import can
from umpro.extensions import db
from umpro.forms import attempt
from umpro.page_cache import LIVE, live_part
from umpro.patients import services
from umpro.patients.forms import (
    DeclareForm,
    EndDeclarationForm,
    EntryForm,
    ObjectionForm,
    TransferForm,
)
from umpro.patients.models import (
    ADMINISTRATIVE_KINDS,
    ENTRY_KINDS,
    ReferralLetter,
)
from umpro.patients.services.entries import TIMELINE_PAGE
from umpro.scheduling.services import patient_card
from umpro.team.models import Staff
from umpro.team.professions import Profession
from umpro.timeutil import local_today
from umpro.web import acting


def gp_choices() -> list[tuple]:
    gps = db.session.scalars(
        select(Staff)
        .where(
            Staff.practice_id == current_user.practice_id,
            Staff.profession == Profession.GP,
            Staff.is_active.is_(True),
        )
        .order_by(Staff.family_name, Staff.given_name)
    ).all()
    return [("", "— choisir —"), *((g.id, g.display_name) for g in gps)]


def entry_kinds(patient) -> list[tuple[str, str]]:
    clinical = can(current_user, "file_entry.create_clinical", patient)
    return [
        (kind, label)
        for kind, label in ENTRY_KINDS.items()
        if clinical or kind in ADMINISTRATIVE_KINDS
    ]


def render_patient_page(patient_id: int, *, status: int = 200, **forms):
    """The patient page, in a bounded number of queries whatever the file's size; opening
    it is one access-log row."""
    session = db.session
    context = acting()
    patient = services.open_patient(session, acting=context, patient_id=patient_id)
    page = read.arg_int("page", default=1, minimum=1, maximum=read.MAX_ID)
    timeline = services.timeline(
        session, actor=current_user, patient=patient, offset=(page - 1) * TIMELINE_PAGE
    )
    letters = {
        letter.entry_id: letter
        for letter in session.scalars(
            select(ReferralLetter).where(ReferralLetter.patient_id == patient.id)
        )
    }
    choices = gp_choices()
    entry_form = forms.get("entry_form") or EntryForm(prefix="entry")
    entry_form.kind.choices = entry_kinds(patient)
    declare_form = forms.get("declare_form") or DeclareForm(prefix="declare")
    transfer_form = forms.get("transfer_form") or TransferForm(prefix="transfer")
    declare_form.gp_id.choices = transfer_form.gp_id.choices = choices
    response = render_template(
        "patients/show.html",
        patient=patient,
        today=local_today(current_user.practice.timezone, context.now),
        timeline=timeline,
        page=page,
        declarations=services.history(session, patient=patient),
        requests=services.requests_of(session, patient=patient),
        appointments=patient_card.patient_appointments(session, acting=context, patient=patient),
        shown=patient_card.SHOWN,
        objections=services.objection_history(session, patient=patient),
        letters=letters,
        entry_form=entry_form,
        objection_form=forms.get("objection_form") or ObjectionForm(prefix="objection"),
        declare_form=declare_form,
        transfer_form=transfer_form,
        end_form=forms.get("end_form") or EndDeclarationForm(prefix="end"),
        access_history=None
        if live_part("access_history")
        else patient_history(
            session, patient=patient, tz=current_user.practice.timezone, acting=context
        ),
        access_history_live=LIVE if live_part("access_history") else None,
    )
    return response, status


def access_history_part(patient_id: int) -> str:
    """The patient page's "who saw this file", rendered anew at every answer of a kept
    page (it reads the access log, which no data version follows)."""
    context = acting()
    patient = services.get_patient(db.session, actor=context.actor, patient_id=patient_id)
    history = patient_history(
        db.session, patient=patient, tz=current_user.practice.timezone, acting=context
    )
    return render_template("patients/_access_history.html", access_history=history)


def submit_on_patient_page(patient_id: int, form, save, *, done: str, form_name: str):
    """A form posted from the patient page: once valid and accepted by ``save`` (one
    service call), flash ``done`` and go back to the page; else show the page again (422)
    with the form and its errors as ``form_name``."""
    if form.validate_on_submit():
        _, error = attempt(save, form=form)
        if error is None:
            flash(done, "success")
            return redirect(url_for("patients.show", patient_id=patient_id))
    return render_patient_page(patient_id, status=422, **{form_name: form})
