"""Booking form (patient search as you type, type, slot), appointment page and its
actions: move, cancel with a reason, mark arrived / fulfilled / no-show."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from umpro.api import input as read
from umpro.auth.permissions import can, ensure, require
from umpro.errors import DomainError, Invalid, NotFound
from umpro.extensions import db
from umpro.forms import attach_error, attempt
from umpro.patients.models import Patient
from umpro.patients.services.search import search_patients
from umpro.scheduling.forms import (
    REQUIRED_DAY,
    REQUIRED_TIME,
    BookingForm,
    CancelForm,
    MoveForm,
    StatusForm,
)
from umpro.scheduling.models import SOURCES, STATUSES, Appointment, AppointmentType
from umpro.scheduling.services import booking, catalogue, patient_card, reading, slots
from umpro.scheduling.services.booking import TRANSITIONS
from umpro.scheduling.services.reading import SEE_APPOINTMENT
from umpro.scheduling.views import bp
from umpro.scheduling.views._common import (
    for_form,
    form_version,
    members,
    move_from_form,
    staff_choices,
    today,
    tz,
)
from umpro.team import services as team
from umpro.team.models import Staff
from umpro.timeutil import local_to_utc, to_local
from umpro.web import acting

#: Buttons offered on an appointment's page, by target status.
STATUS_BUTTONS = {
    "arrived": "Patient arrivé",
    "fulfilled": "Consultation faite",
    "noshow": "Patient non venu",
    "booked": "Remettre en « réservé »",
    "entered-in-error": "Saisi par erreur",
}


ACTIONS = {
    "create": "Pris",
    "move": "Déplacé",
    "update": "Modifié",
    "cancel": "Annulé",
    "status": "Statut",
}
FIELDS = {
    "staff_id": "professionnel",
    "type_id": "type",
    "room_id": "salle",
    "start_at": "début",
    "end_at": "fin",
}


def _when(value: str | None) -> str:
    return f"{to_local(datetime.fromisoformat(value), tz()):%d/%m/%Y %H:%M}" if value else "—"


def describe(event) -> dict:
    """One history line, in French, from an AppointmentEvent (ids and instants)."""
    changes = event.changes or {}
    if event.action == "status":
        old, new = changes.get("status", [None, None])
        detail = f"{STATUSES.get(old, old)} → {STATUSES.get(new, new)}"
    elif event.action == "cancel":
        detail = f"Motif : {event.note}"
    elif event.action == "create":
        detail = _when(changes.get("start_at", [None, None])[1])
    elif "start_at" in changes:
        detail = " → ".join(_when(v) for v in changes["start_at"])
    else:
        detail = ", ".join(FIELDS.get(k, k) for k in changes)
    return {
        "at": event.at,
        "who": event.actor.display_name if event.actor else "—",
        "what": ACTIONS.get(event.action, event.action),
        "detail": detail,
    }


def _search_patients(query: str) -> list[Patient]:
    """The patients service's search (accents, birth dates…); it logs the access."""
    return search_patients(db.session, acting=acting(), query=query, limit=10)


def _patient(raw) -> Patient | None:
    patient_id = read.id_or_none(raw) if raw else None
    patient = db.session.get(Patient, patient_id) if patient_id else None
    if raw and (patient is None or patient.practice_id != current_user.practice_id):
        raise NotFound("Patient introuvable.", field="patient_query")
    return patient


def _prefill(form: BookingForm, team_members: list[Staff]) -> Patient | None:
    """GET parameters from the day view (``?staff=…&start=2027-01-11T09:00&type=…``) or
    from the patient's card (``?patient=…``: the patient, their médecin traitant and the
    usual type). A professional chosen without a type brings their default type."""
    form.staff_id.data = read.arg_id("staff")
    form.type_id.data = read.arg_id("type")
    start = request.args.get("start", "")
    try:
        local = datetime.fromisoformat(start) if start else None
    except ValueError:
        local = None
    if local is not None:
        form.day.data, form.time.data = local.date(), local.time()
    patient, patient_id = None, read.arg_id("patient")
    if patient_id is not None:
        chosen = patient_card.booking_start(db.session, acting=acting(), patient_id=patient_id)
        patient = chosen.patient
        if form.staff_id.data is None and chosen.staff is not None:
            form.staff_id.data = chosen.staff.id
        if form.type_id.data is None and chosen.appointment_type is not None:
            form.type_id.data = chosen.appointment_type.id
    if form.type_id.data is None and form.staff_id.data is not None:
        staff = next((s for s in team_members if s.id == form.staff_id.data), None)
        default = patient_card.default_type(db.session, staff=staff) if staff else None
        form.type_id.data = default.id if default else None
    return patient


@dataclass(frozen=True)
class Picker:
    """The professionals offered for booking: those the user may book for who perform at
    least one active type, and for each type those who perform it (no secretary, mediator
    or coordinator in the list)."""

    staff: list[Staff]
    performers: dict[int, list[int]]

    @classmethod
    def build(cls, types: list[AppointmentType], team_members: list[Staff]) -> "Picker":
        bookable = [s for s in team_members if can(current_user, "agenda.book", s)]
        performers = {t.id: [s.id for s in bookable if t.allows(s.profession)] for t in types}
        anyone = {i for ids in performers.values() for i in ids}
        return cls([s for s in bookable if s.id in anyone], performers)

    def choices(self, type_id: int | None) -> list[tuple]:
        wanted = set(self.performers.get(type_id, [])) if type_id else None
        return [("", "— choisir —")] + [
            (s.id, f"{s.display_name} — {s.profession_label}")
            for s in self.staff
            if wanted is None or s.id in wanted
        ]

    def attributes(self) -> dict[str, dict]:
        """``data-`` attributes for static/js/booking.js (filters the list when the type
        changes, pre-selects a professional's default type)."""
        options = [[s.id, f"{s.display_name} — {s.profession_label}"] for s in self.staff]
        defaults = {s.id: s.default_type_id for s in self.staff if s.default_type_id}
        return {
            "type": {"data-performers": json.dumps(self.performers)},
            "staff": {
                "data-staff-options": json.dumps(options, ensure_ascii=False),
                "data-default-types": json.dumps(defaults),
            },
        }


def _missing(form: BookingForm, patient: Patient | None, slot: str) -> list[DomainError]:
    """Every field a booking still needs, all at once (not one error per submit)."""
    missing = []
    if patient is None:
        missing.append(Invalid("Choisissez un patient.", field="patient_query"))
    if not form.type_id.data:
        missing.append(Invalid("Choisissez le type de rendez-vous.", field="type_id"))
    if not slot:
        if not form.staff_id.data:
            missing.append(Invalid("Choisissez le professionnel.", field="staff_id"))
        if form.day.data is None and "day" not in form.errors:
            missing.append(Invalid(REQUIRED_DAY, field="day"))
        if form.time.data is None and "time" not in form.errors:
            missing.append(Invalid(REQUIRED_TIME, field="time"))
    return missing


def _slots(form: BookingForm, patient: Patient | None) -> list[slots.Slot]:
    """Next free slots of the chosen type (and person); the patient's médecin traitant
    first when no person is chosen."""
    if not form.type_id.data:
        raise Invalid("Choisissez d'abord le type de rendez-vous.", field="type_id")
    appointment_type = catalogue.get_type(
        db.session, practice_id=current_user.practice_id, type_id=form.type_id.data
    )
    chosen = [s for s in members() if not form.staff_id.data or s.id == form.staff_id.data]
    context = acting()
    start = context.now
    if form.day.data:
        start = max(context.now, local_to_utc(form.day.data, datetime.min.time(), tz()))
    return slots.offer_slots(
        db.session,
        acting=context,
        appointment_type=appointment_type,
        staff=chosen,
        patient=patient,
        start_from=start,
        until=start + timedelta(days=28),
        min_notice_minutes=current_app.config["UMPRO_MIN_NOTICE_MINUTES"],
        limit=12,
    )


def _book(form: BookingForm, patient: Patient | None):
    slot = request.form.get("slot", "")
    if slot:
        staff_id, _, start = slot.partition("|")
        try:
            form.staff_id.data = read.id_or_none(staff_id)
            start_at = datetime.fromisoformat(start)
            if form.staff_id.data is None:
                raise ValueError(staff_id)
        except ValueError:
            raise Invalid("Créneau illisible : choisissez-en un dans la liste.") from None
    else:
        start_at = local_to_utc(form.day.data, form.time.data, tz(), field="time")
    return booking.book_appointment(
        db.session,
        patient=patient,
        staff=team.get_staff(
            db.session, practice_id=current_user.practice_id, staff_id=form.staff_id.data
        ),
        appointment_type=catalogue.get_type(
            db.session, practice_id=current_user.practice_id, type_id=form.type_id.data
        ),
        start_at=start_at,
        source=form.source.data,
        regulator_name=form.regulator_name.data or "",
        regulator_reference=form.regulator_reference.data or "",
        acting=acting(),
    )


def _act(form: BookingForm, action: str, patient: Patient | None):
    """The booking page's step: (patients found, slots offered), or the new appointment."""
    if action == "search" or (action == "book" and patient is None and form.patient_query.data):
        found = _search_patients(form.patient_query.data or "")
        if not found:
            form.patient_query.errors = ["Aucun patient ne correspond à cette recherche."]
        return found, []
    if action == "slots":
        offered = _slots(form, patient)
        if not offered:
            form.type_id.errors = ["Aucun créneau libre dans les quatre semaines."]
        return [], offered
    if action == "book":
        return _book(form, patient)
    return [], []


@bp.route("/rendez-vous/nouveau", methods=["GET", "POST"])
@require("agenda.book")
def book():
    form = BookingForm()
    types = catalogue.list_types(db.session, practice_id=current_user.practice_id, active_only=True)
    form.type_id.choices = [("", "— choisir —")] + [
        (t.id, f"{t.label} ({t.duration_minutes} min)") for t in types
    ]
    team_members = members()
    patient = None if form.is_submitted() else _prefill(form, team_members)
    picker = Picker.build(types, team_members)
    form.staff_id.choices = picker.choices(form.type_id.data)
    attributes = picker.attributes()
    form.type_id.render_kw, form.staff_id.render_kw = attributes["type"], attributes["staff"]
    action = request.form.get("action", "book")
    found, offered, status = [], [], 200
    if form.is_submitted():  # the CSRF token was checked before the view
        form.validate()
        outcome = None
        patient, error = attempt(lambda: _patient(request.form.get("patient_id")), show=False)
        searching = action == "search" or (patient is None and form.patient_query.data)
        if error is None and action == "book" and not searching:
            for problem in _missing(form, patient, request.form.get("slot", "")):
                attach_error(form, problem)
        if error is None and not (form.errors or form.form_errors):
            outcome, error = attempt(lambda: _act(form, action, patient), show=False)
        if error is not None:
            attach_error(form, for_form(error))
            status = error.status
        elif isinstance(outcome, Appointment):
            local = to_local(outcome.start_at, tz())
            flash(
                f"Rendez-vous pris le {local:%d/%m/%Y à %H:%M} avec {outcome.staff.display_name}.",
                "success",
            )
            return redirect(url_for("scheduling.day_view", jour=local.date().isoformat()))
        elif outcome is not None:
            found, offered = outcome
    if form.errors or form.form_errors:
        status = status if status != 200 else 422
    return render_template(
        "scheduling/book.html",
        form=form,
        patient=patient,
        found=found,
        offered=offered,
        today=today(),
    ), status


def _load(appointment_id: int):
    appointment = reading.get_appointment(
        db.session, actor=current_user, appointment_id=appointment_id
    )
    ensure(current_user, "appointment.patient", appointment, SEE_APPOINTMENT)
    return appointment


def _render_detail(appointment, *, move=None, cancel=None, status=200):
    if move is None:
        move = MoveForm(formdata=None)
        local = to_local(appointment.start_at, tz())
        move.day.data, move.time.data = local.date(), local.time()
        move.staff_id.data = appointment.staff_id
    move.staff_id.choices = staff_choices(bookable_only=True)
    move.version.data = appointment.version
    cancel = cancel or CancelForm(formdata=None)
    cancel.version.data = appointment.version
    reading.log_appointment_shown(
        db.session, acting=acting(), appointment=appointment, action="appointment.read"
    )
    history_rows = [describe(e) for e in reading.history(db.session, appointment=appointment)]
    buttons = [
        (s, STATUS_BUTTONS[s]) for s in STATUS_BUTTONS if s in TRANSITIONS[appointment.status]
    ]
    page = render_template(
        "scheduling/appointment.html",
        appointment=appointment,
        history_rows=history_rows,
        sources=SOURCES,
        day_iso=to_local(appointment.start_at, tz()).date().isoformat(),
        move=move,
        cancel=cancel,
        buttons=buttons,
        statuses=STATUSES,
    )
    return page, status


@bp.get("/rendez-vous/<int:appointment_id>")
@require("agenda.view")
def appointment_page(appointment_id: int):
    return _render_detail(_load(appointment_id))


def _after_error(appointment_id: int, error: DomainError, **forms):
    if error.status == 403:
        raise error
    appointment = _load(appointment_id)
    form = next(iter(forms.values()), None)
    if form is not None:
        attach_error(form, for_form(error))
    else:
        flash(error.message, "error")
    return _render_detail(appointment, status=error.status, **forms)


def _attempt_change(change, appointment, form, **values) -> DomainError | None:
    """Run the booking service ``change`` on ``appointment`` with the form's version, as the
    signed-in user; answers its refusal, if any."""
    _, error = attempt(
        lambda: change(
            db.session,
            appointment=appointment,
            version=form_version(form),
            **values,
            acting=acting(),
        ),
        show=False,
    )
    return error


@bp.post("/rendez-vous/<int:appointment_id>/statut")
@require("agenda.view")
def appointment_status(appointment_id: int):
    appointment = _load(appointment_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    error = _attempt_change(booking.set_status, appointment, form, status=form.status.data)
    if error is not None:
        return _after_error(appointment_id, error)
    flash(f"Rendez-vous : {appointment.status_label.lower()}.", "success")
    return redirect(url_for("scheduling.appointment_page", appointment_id=appointment.id))


@bp.post("/rendez-vous/<int:appointment_id>/deplacer")
@require("agenda.view")
def appointment_move(appointment_id: int):
    appointment = _load(appointment_id)
    form = MoveForm()
    form.staff_id.choices = staff_choices(bookable_only=True)
    if not form.validate_on_submit():
        return _render_detail(appointment, move=form, status=422)

    _, error = attempt(lambda: move_from_form(appointment, form), show=False)
    if error is not None:
        return _after_error(appointment_id, error, move=form)
    local = to_local(appointment.start_at, tz())
    flash(f"Rendez-vous déplacé au {local:%d/%m/%Y à %H:%M}.", "success")
    return redirect(url_for("scheduling.appointment_page", appointment_id=appointment.id))


@bp.post("/rendez-vous/<int:appointment_id>/annuler")
@require("agenda.view")
def appointment_cancel(appointment_id: int):
    appointment = _load(appointment_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_detail(appointment, cancel=form, status=422)
    error = _attempt_change(booking.cancel_appointment, appointment, form, reason=form.reason.data)
    if error is not None:
        return _after_error(appointment_id, error, cancel=form)
    flash("Rendez-vous annulé.", "success")
    day = to_local(appointment.start_at, tz()).date().isoformat()
    return redirect(url_for("scheduling.day_view", jour=day))
