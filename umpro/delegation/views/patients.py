"""From the patient: hand a task off under a protocol; the patient's consents."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from umpro.api import input as read
from umpro.auth.permissions import can, require
from umpro.delegation.forms import ConsentForm, HandOffForm, WithdrawConsentForm
from umpro.delegation.protocols import definition
from umpro.delegation.services import consents, protocols, tasks
from umpro.delegation.services._common import today
from umpro.delegation.views import bp
from umpro.extensions import db
from umpro.forms import attempt, status_of
from umpro.patients import services as patients
from umpro.web import acting


def _patient(patient_id: int):
    return patients.open_patient(
        db.session, acting=acting(), patient_id=patient_id, via="delegation"
    )


@bp.get("/nouvelle-tache")
@require("care_task.create")
def hand_off_for():
    """``?patient=<id>`` (and ``&protocole=<code>``): the hand-off form of that patient
    (links that carry the patient as a query parameter, e.g. from the patient card)."""
    patient_id = read.arg_id("patient", required="le patient")
    code = request.args.get("protocole") or None
    return redirect(url_for("delegation.hand_off", patient_id=patient_id, protocole=code))


def _catalogue():
    return protocols.hand_off_protocols(db.session, actor=current_user)


@bp.get("/patients/<int:patient_id>/nouvelle-tache/verification")
@require("care_task.create")
def hand_off_check(patient_id: int):
    """The hand-off form's early check, as JSON, as soon as the protocol is chosen
    (static/js/handoff.js): does the protocol apply to this patient, is the consent
    recorded, is a task of it already open, who could take it."""
    patient = patients.get_patient(db.session, actor=current_user, patient_id=patient_id)
    code = read.clean_text(request.args.get("protocole", ""), field="protocole", max_length=40)
    check = tasks.eligibility(db.session, patient=patient, protocol=code, acting=acting())
    return jsonify(_check_json(check))


def _check_json(check) -> dict:
    protocol = check.protocol
    messages = list(check.problems)
    if check.open_task_id is not None:
        messages.append(f"Une tâche « {protocol.title} » est déjà en cours pour ce patient.")
    if not check.delegates:
        messages.append("Aucun membre de l'équipe n'a d'adhésion valide à ce protocole.")
    if check.consent == "needed" and not messages:
        messages.append("Consentement à recueillir : à confirmer dans le formulaire.")
    return {
        "protocol_code": protocol.code,
        "eligible": check.eligible,
        "consent": check.consent,
        "consent_on": check.consent_on.isoformat() if check.consent_on else None,
        "open_task_id": check.open_task_id,
        "delegates": len(check.delegates),
        "messages": messages,
    }


@bp.route("/patients/<int:patient_id>/nouvelle-tache", methods=["GET", "POST"])
@require("care_task.create")
def hand_off(patient_id: int):
    patient = _patient(patient_id)
    catalogue = _catalogue()
    form = HandOffForm()
    form.protocol_code.choices = [("", "— choisissez un protocole —")] + [
        (p.code, p.title) for p in catalogue
    ]
    code = form.protocol_code.data if request.method == "POST" else request.args.get("protocole")
    chosen = next((p for p in catalogue if p.code == code), None)
    rules = definition.of(chosen) if chosen else None
    if rules is not None:
        form.protocol_code.data = chosen.code
        form.inclusion_met.choices = [(c.key, c.label) for c in rules.inclusion]
        form.exclusions_present.choices = [(c.key, c.label) for c in rules.exclusion]
    if request.method == "POST" and form.validate_on_submit():
        data = tasks.HandOff(
            protocol_code=form.protocol_code.data,
            instructions=form.instructions.data or "",
            priority=form.priority.data,
            due_on=form.due_on.data,
            inclusion_met=form.inclusion_met.data or [],
            exclusions_present=form.exclusions_present.data or [],
            consent_given=bool(form.consent.data),
            consent_on=form.consent_on.data,
        )
        task, error = attempt(
            lambda: tasks.create_task(db.session, patient=patient, data=data, acting=acting()),
            form=form,
        )
        if error is None:
            flash(
                f"Tâche confiée : « {task.protocol.title} ». Elle attend dans la file des "
                "délégués ; les résultats reviendront dans votre boîte de réception.",
                "success",
            )
            return redirect(url_for("delegation.task_page", task_id=task.id))
    c = acting()
    check = (
        tasks.eligibility(db.session, patient=patient, protocol=chosen, acting=c)
        if chosen
        else None
    )
    page = render_template(
        "delegation/hand_off.html",
        patient=patient,
        form=form,
        catalogue=catalogue,
        chosen=chosen,
        check=check,
        age=patient.age_on(today(current_user.practice, c.now)),
        patient_tasks=tasks.tasks_of_patient(db.session, patient=patient, acting=c),
    )
    return page, status_of(form)


def _change_consent(change, patient, form, **values):
    """Give or withdraw (``change``) the patient's consent to the protocol chosen in
    ``form``; returns the protocol."""
    protocol = protocols.protocol_by_code(
        db.session, practice_id=current_user.practice_id, code=form.protocol_code.data
    )
    change(db.session, patient=patient, protocol=protocol, **values, acting=acting())
    return protocol


@bp.route("/patients/<int:patient_id>/consentements", methods=["GET", "POST"])
@require("consent.view")
def patient_consents(patient_id: int):
    patient = _patient(patient_id)
    catalogue = protocols.list_protocols(
        db.session, practice_id=current_user.practice_id, active_only=True
    )
    form = ConsentForm()
    form.protocol_code.choices = [(p.code, p.title) for p in catalogue]
    if request.method == "GET" and request.args.get("protocole"):
        form.protocol_code.data = request.args["protocole"]
    if request.method == "POST" and form.validate_on_submit():
        protocol, error = attempt(
            lambda: _change_consent(
                consents.give_consent, patient, form, given_on=form.given_on.data
            ),
            form=form,
        )
        if error is None:
            flash(f"Consentement au protocole « {protocol.title} » enregistré.", "success")
            back = request.args.get("retour")
            if back == "tache":
                return redirect(
                    url_for("delegation.hand_off", patient_id=patient.id, protocole=protocol.code)
                )
            return redirect(url_for("delegation.patient_consents", patient_id=patient.id))
    history = consents.consents_of(db.session, patient=patient)
    page = render_template(
        "delegation/consents.html",
        patient=patient,
        form=form,
        history=history,
        withdraw=WithdrawConsentForm(),
        may_record=can(current_user, "consent.record", patient),
    )
    return page, status_of(form)


@bp.post("/patients/<int:patient_id>/consentements/retrait")
@require("consent.record")
def withdraw_consent(patient_id: int):
    patient = _patient(patient_id)
    form = WithdrawConsentForm()
    if form.validate_on_submit():
        protocol, error = attempt(
            lambda: _change_consent(consents.withdraw_consent, patient, form, note=form.note.data)
        )
        if error is None:
            flash(
                f"Retrait du consentement au protocole « {protocol.title} » enregistré ; "
                "les tâches en cours de ce protocole sont annulées.",
                "success",
            )
    else:
        flash("Choisissez le consentement à retirer.", "error")
    return redirect(url_for("delegation.patient_consents", patient_id=patient_id))
