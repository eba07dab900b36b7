"""Médecin traitant: declarations (declare, transfer, end) and requests (intake, queue,
decision, printable record of declines)."""

from collections.abc import Callable
from typing import NamedTuple

from flask import abort, render_template, request, url_for
from flask_login import current_user

from umpro.api import input as read
from umpro.auth.permissions import can, require
from umpro.db import utcnow
from umpro.errors import Forbidden
from umpro.extensions import db
from umpro.forms import form_page, values_of
from umpro.patients import services
from umpro.patients.forms import (
    DecisionForm,
    DeclareForm,
    EndDeclarationForm,
    RequestForm,
    TransferForm,
)
from umpro.patients.models import REQUEST_STATUSES
from umpro.patients.views import bp
from umpro.patients.views._page import gp_choices, submit_on_patient_page
from umpro.timeutil import local_today
from umpro.web import acting


class _DeclarationChange(NamedTuple):
    """One of declare, transfer and end: its form, its service, the service's keywords
    read from the form's fields, the message once done."""

    form_class: type
    service: Callable
    fields: dict
    done_message: str


_DECLARATION_CHANGES = {
    "declare": _DeclarationChange(
        DeclareForm,
        services.declare,
        {"gp_id": "gp_id", "start_on": "start_on"},
        "Médecin traitant déclaré.",
    ),
    "transfer": _DeclarationChange(
        TransferForm,
        services.transfer,
        {"gp_id": "gp_id", "on": "on"},
        "Changement de médecin traitant enregistré.",
    ),
    "end": _DeclarationChange(
        EndDeclarationForm,
        services.end_declaration,
        {"on": "end_on", "reason": "end_reason"},
        "Fin de la déclaration enregistrée.",
    ),
}


def _declaration_action(patient_id: int, prefix: str):
    """Shared by declare, transfer and end: validate, call the service, answer. The form
    is shown again on the patient's page as ``<prefix>_form``."""
    change = _DECLARATION_CHANGES[prefix]
    patient = services.get_patient(db.session, actor=current_user, patient_id=patient_id)
    form = change.form_class(prefix=prefix)
    if hasattr(form, "gp_id"):
        form.gp_id.choices = gp_choices()
    return submit_on_patient_page(
        patient_id,
        form,
        lambda: change.service(
            db.session,
            acting=acting(),
            patient=patient,
            **{keyword: form[name].data for keyword, name in change.fields.items()},
        ),
        done=change.done_message,
        form_name=f"{prefix}_form",
    )


@bp.post("/<int:patient_id>/declaration")
@require("declaration.manage")
def declare(patient_id: int):
    return _declaration_action(patient_id, "declare")


@bp.post("/<int:patient_id>/declaration/changement")
@require("declaration.transfer")
def transfer(patient_id: int):
    return _declaration_action(patient_id, "transfer")


@bp.post("/<int:patient_id>/declaration/fin")
@require("declaration.end")
def end_declaration(patient_id: int):
    return _declaration_action(patient_id, "end")


@bp.route("/<int:patient_id>/demandes/nouvelle", methods=["GET", "POST"])
@require("registration_request.create")
def new_request(patient_id: int):
    patient = services.get_patient(
        db.session, actor=current_user, patient_id=patient_id, eager=True
    )
    form = RequestForm()
    form.gp_id.choices = gp_choices()
    if not form.is_submitted():
        form.received_on.data = local_today(current_user.practice.timezone, utcnow())
        form.has_chronic_condition.data = patient.has_chronic_condition
    return form_page(
        form,
        lambda: services.create_request(
            db.session,
            acting=acting(),
            patient=patient,
            **values_of(form, "gp_id", "channel", "received_on", "has_chronic_condition", "note"),
        ),
        done="Demande de médecin traitant enregistrée.",
        next_url=url_for("patients.show", patient_id=patient_id),
        template="patients/request_form.html",
        patient=patient,
    )


@bp.get("/demandes")
@require("registration_request.list")
def queue():
    gps = gp_choices()[1:]
    gp_id = read.arg_id("gp")
    if gp_id is None:
        own = [g for g, _ in gps if g == current_user.id]
        gp_id = own[0] if own else (gps[0][0] if gps else None)
    if gp_id is not None and gp_id not in {g for g, _ in gps}:
        abort(404)
    status = request.args.get("statut", "pending")
    if status not in REQUEST_STATUSES:
        status = "pending"
    items = (
        services.queue(db.session, acting=acting(), gp_id=gp_id, status=status)
        if gp_id is not None
        else []
    )
    return render_template(
        "patients/queue.html",
        gps=gps,
        gp_id=gp_id,
        status=status,
        statuses=REQUEST_STATUSES,
        items=items,
    )


@bp.route("/demandes/<int:request_id>/decision", methods=["GET", "POST"])
@require("registration_request.list")
def decide(request_id: int):
    registration = services.get_request(db.session, actor=current_user, request_id=request_id)
    may_decide = can(current_user, "registration_request.decide", registration)
    if not may_decide and not can(current_user, "registration_request.withdraw", registration):
        raise Forbidden("Seul le médecin sollicité peut accepter ou refuser cette demande.")
    form = DecisionForm()
    if not may_decide:
        form.decision.choices = [("withdraw", "Retirée par le patient")]
    return form_page(
        form,
        lambda: services.decide(
            db.session,
            acting=acting(),
            request=registration,
            decision=form.decision.data or "",
            **values_of(form, "reason", "note", "oriented_to"),
        ),
        done=lambda _: f"Demande {registration.status_label.lower()}.",
        next_url=url_for("patients.queue", gp=registration.gp_id),
        template="patients/decision.html",
        registration=registration,
    )


@bp.get("/<int:patient_id>/refus")
@require("patient.view_admin")
def declined(patient_id: int):
    """Printable record of the patient's declined requests, for the conciliator."""
    patient = services.get_patient(db.session, actor=current_user, patient_id=patient_id)
    c = acting()
    rows = services.declined_requests(db.session, acting=c, patient=patient)
    return render_template(
        "patients/declines.html",
        patient=patient,
        rows=rows,
        practice=current_user.practice,
        issuer=current_user,
        # The issue date from the app's clock (tests freeze it), in the practice's zone.
        issued_on=local_today(current_user.practice.timezone, c.now),
    )
