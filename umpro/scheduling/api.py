"""Agenda endpoints of /api/v1/: appointment types, free slots, appointments."""

from datetime import timedelta

from flask import current_app, jsonify, request
from flask_login import current_user

from umpro.api import bp, openapi
from umpro.api import input as read
from umpro.auth.permissions import can, ensure, require
from umpro.db import utcnow
from umpro.errors import Invalid, NotFound
from umpro.extensions import db
from umpro.patients.models import Patient
from umpro.scheduling import api_docs
from umpro.scheduling.models import Appointment, AppointmentType
from umpro.scheduling.parsing import parse_bound, parse_day, parse_instant
from umpro.scheduling.services import accounting, booking, catalogue, reading, sameday, slots
from umpro.scheduling.services.reading import SEE_APPOINTMENT
from umpro.scheduling.services.sameday import HeldOffer
from umpro.scheduling.services.slots import Slot
from umpro.scheduling.views._common import tz as practice_tz
from umpro.team import services as team
from umpro.team.api import staff_json
from umpro.team.models import Room, Staff
from umpro.timeutil import local_day_bounds, to_local
from umpro.web import acting

#: Longest period one list or slot search may cover.
MAX_RANGE = timedelta(days=62)


def _local_iso(instant) -> str:
    return to_local(instant, practice_tz()).isoformat()


def type_json(t: AppointmentType) -> dict:
    return {
        "id": t.id,
        "label": t.label,
        "duration_minutes": t.duration_minutes,
        "professions": t.professions,
        "colour": t.colour,
        "is_home_visit": t.is_home_visit,
        "is_teleconsultation": t.is_teleconsultation,
        "is_unscheduled": t.is_unscheduled,
        "is_active": t.is_active,
    }


def appointment_json(a: Appointment, *, with_patient: bool = True) -> dict:
    """The appointment; ``patient`` is null for who may not see it (a student, on
    someone else's appointment)."""
    return {
        "id": a.id,
        "uid": a.uid,
        "sequence": a.sequence,
        "version": a.version,
        "status": a.status,
        "source": a.source,
        "is_unscheduled": a.is_unscheduled,
        "start": _local_iso(a.start_at),
        "end": _local_iso(a.end_at),
        "staff_id": a.staff_id,
        "patient_id": a.patient_id if with_patient else None,
        "type_id": a.type_id,
        "room_id": a.room_id,
        "staff": staff_json(a.staff),
        "patient": {
            "id": a.patient.id,
            "display_name": a.patient.display_name,
            "birth_date": a.patient.birth_date.isoformat(),
        }
        if with_patient
        else None,
        "type": {"id": a.type.id, "label": a.type.label, "colour": a.type.colour},
        "room": {"id": a.room.id, "name": a.room.name} if a.room else None,
        "cancel_reason": a.cancel_reason,
        "regulator_name": a.regulator_name,
        "regulator_reference": a.regulator_reference,
        "created_at": _local_iso(a.created_at),
        "updated_at": _local_iso(a.updated_at),
    }


def slot_json(slot: Slot, appointment_type: AppointmentType, rooms: dict[int, Room]) -> dict:
    room = rooms[slot.room_id] if slot.room_id else None
    return {
        "staff": staff_json(slot.staff),
        "start": _local_iso(slot.start_at),
        "end": _local_iso(slot.end_at),
        "room": {"id": room.id, "name": room.name} if room else None,
        "type_id": appointment_type.id,
    }


def unscheduled_slot_json(offer: HeldOffer) -> dict:
    return {
        "staff_id": offer.staff.id,
        "type_id": offer.type_id,
        "start": _local_iso(offer.start_at),
        "end": _local_iso(offer.end_at),
        "room_id": offer.room_id,
    }


def _period(default_days: int) -> tuple:
    tz = practice_tz()
    raw_from, raw_to = request.args.get("from"), request.args.get("to")
    start = parse_bound(raw_from, tz=tz, field="from") if raw_from else utcnow()
    end = (
        parse_bound(raw_to, tz=tz, field="to", end=True)
        if raw_to
        else start + timedelta(days=default_days)
    )
    if end <= start:
        raise Invalid("La fin de la période doit suivre son début.", field="to")
    if end - start > MAX_RANGE:
        raise Invalid("La période demandée dépasse 62 jours.", field="to")
    return start, end


def _staff(staff_id: int) -> Staff:
    """The practice's staff member ``staff_id`` (404 for another practice's)."""
    return team.get_staff(db.session, practice_id=current_user.practice_id, staff_id=staff_id)


def _type(type_id: int) -> AppointmentType:
    """The practice's appointment type ``type_id`` (404 for another practice's)."""
    return catalogue.get_type(db.session, practice_id=current_user.practice_id, type_id=type_id)


def _staff_list(raw: str | None) -> list | None:
    if not raw:
        return None
    wanted = read.to_ids(raw, field="staff")
    # One query for the practice's team (a few dozen people), not one per id asked.
    team_members = {
        s.id: s for s in team.list_staff(db.session, practice_id=current_user.practice_id)
    }
    if any(staff_id not in team_members for staff_id in wanted):
        raise NotFound("Membre de l'équipe introuvable.")
    return [team_members[staff_id] for staff_id in wanted]


def _staff_ids(raw: str | None) -> list[int] | None:
    """Ids of the staff members listed in ``raw`` (each checked); None when it lists none."""
    members = _staff_list(raw)
    return [m.id for m in members] if members is not None else None


@bp.get("/appointment-types")
@require("agenda.view")
@openapi.describe(
    "listAppointmentTypes",
    openapi.many("AppointmentType"),
    query=[openapi.param("all", "1 : inclure les types désactivés")],
)
def appointment_types():
    """Les types de rendez-vous"""
    types = catalogue.list_types(
        db.session,
        practice_id=current_user.practice_id,
        active_only=request.args.get("all") != "1",
    )
    return jsonify({"items": [type_json(t) for t in types]})


@bp.get("/slots")
@require("agenda.view")
@openapi.describe("findSlots", openapi.many("Slot"), query=api_docs.SLOTS)
def slot_search():
    """Les prochains créneaux libres d'un type"""
    type_id = read.arg_id("type")
    if type_id is None:
        raise Invalid("Précisez le type de rendez-vous (paramètre type).", field="type")
    appointment_type = _type(type_id)
    start, end = _period(default_days=14)
    members = _staff_list(request.args.get("staff")) or team.list_staff(
        db.session, practice_id=current_user.practice_id, active_only=True
    )
    preferred = read.arg_id("prefer")
    patient_id = read.arg_id("patient")
    limit = min(read.arg_int("limit", default=20, minimum=0, maximum=read.MAX_ID), 200)
    found = slots.offer_slots(
        db.session,
        acting=acting(),
        appointment_type=appointment_type,
        staff=members,
        patient=_get_patient(patient_id, field="patient") if patient_id else None,
        preferred_staff_id=preferred,
        start_from=start,
        until=end,
        min_notice_minutes=current_app.config["UMPRO_MIN_NOTICE_MINUTES"],
        limit=max(limit, 1),
    )
    rooms = {r.id: r for r in team.list_rooms(db.session, practice_id=current_user.practice_id)}
    return jsonify({"items": [slot_json(s, appointment_type, rooms) for s in found]})


@bp.get("/appointments")
@require("agenda.view")
@openapi.describe("listAppointments", openapi.many("Appointment"), query=api_docs.APPOINTMENTS)
def appointment_list():
    """Les rendez-vous d'une période"""
    start, end = _period(default_days=1)
    agenda = reading.read_agenda(
        db.session,
        acting=acting(),
        start_at=start,
        end_at=end,
        staff_ids=_staff_ids(request.args.get("staff")),
        include_cancelled=request.args.get("cancelled") == "1",
        action="agenda.read",
        target="agenda",
    )
    items = [appointment_json(a, with_patient=a.id in agenda.visible) for a in agenda.appointments]
    return jsonify({"items": items})


def _get(appointment_id: int) -> Appointment:
    """The appointment, 404 for another practice's, 403 for who may not see its patient."""
    appointment = reading.get_appointment(
        db.session, actor=current_user, appointment_id=appointment_id
    )
    ensure(current_user, "appointment.patient", appointment, SEE_APPOINTMENT)
    return appointment


@bp.get("/appointments/<int:appointment_id>")
@require("agenda.view")
@openapi.describe("getAppointment", openapi.one("Appointment"))
def appointment_detail(appointment_id: int):
    """Un rendez-vous"""
    appointment = reading.open_appointment(
        db.session, acting=acting(), appointment_id=appointment_id
    )
    return jsonify(appointment_json(appointment))


def _get_patient(patient_id: int, field: str = "patient_id") -> Patient:
    patient = db.session.get(Patient, patient_id)
    if patient is None or patient.practice_id != current_user.practice_id:
        raise NotFound("Patient introuvable.", field=field)
    return patient


def _unscheduled_flag(data: dict) -> bool | None:
    """``unscheduled`` (or the older ``is_unscheduled``): a boolean or absent."""
    for name in ("unscheduled", "is_unscheduled"):
        value = read.boolean(data, name, default=None)
        if value is not None:
            return value
    return None


@bp.post("/appointments")
@require("appointment.create")
@openapi.describe("createAppointment", openapi.created("Appointment"), body="NewAppointment")
def appointment_create():
    """Prendre un rendez-vous (409 si le créneau est pris)"""
    data = read.body()
    tz = practice_tz()
    patient = _get_patient(read.identifier(data, "patient_id", required="Patient"))
    staff = _staff(read.identifier(data, "staff_id", required="Professionnel"))
    appointment_type = _type(read.identifier(data, "type_id", required="Type"))
    if data.get("start") in (None, ""):
        raise Invalid("Début : champ obligatoire.", field="start")
    start = parse_instant(data["start"], tz=tz, field="start")
    end = parse_instant(data["end"], tz=tz, field="end") if data.get("end") else None
    appointment = booking.book_appointment(
        db.session,
        acting=acting(),
        patient=patient,
        staff=staff,
        appointment_type=appointment_type,
        start_at=start,
        end_at=end,
        room_id=read.identifier(data, "room_id") if data.get("room_id") else None,
        source=read.text(data, "source") or "desk",
        is_unscheduled=_unscheduled_flag(data),
        regulator_name=read.text(data, "regulator_name"),
        regulator_reference=read.text(data, "regulator_reference"),
    )
    return jsonify(appointment_json(appointment)), 201


@bp.patch("/appointments/<int:appointment_id>")
@require("agenda.view")
@openapi.describe("updateAppointment", openapi.one("Appointment"), body="AppointmentChange")
def appointment_update(appointment_id: int):
    """Déplacer, modifier ou changer le statut (409 si version périmée)"""
    data = read.body()
    tz = practice_tz()
    version = read.integer(data, "version", minimum=0, maximum=read.MAX_ID)
    if version is None:
        raise Invalid("Version : champ obligatoire.", field="version")
    appointment = _get(appointment_id)
    changes = set(data) - {"version"}
    unknown = changes - {"start", "end", "staff_id", "type_id", "room_id", "status"}
    if unknown:
        raise Invalid(f"Champ non modifiable : {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    context = acting()
    if changes - {"status"}:
        staff = _staff(read.identifier(data, "staff_id")) if data.get("staff_id") else None
        appointment_type = _type(read.identifier(data, "type_id")) if data.get("type_id") else None
        kwargs = {}
        if "room_id" in data:
            kwargs["room_id"] = read.identifier(data, "room_id") if data["room_id"] else None
        booking.update_appointment(
            db.session,
            acting=context,
            appointment=appointment,
            version=version,
            start_at=parse_instant(data["start"], tz=tz, field="start")
            if "start" in data
            else None,
            end_at=parse_instant(data["end"], tz=tz, field="end") if "end" in data else None,
            staff=staff,
            appointment_type=appointment_type,
            **kwargs,
        )
        version = appointment.version
    if "status" in data:
        booking.set_status(
            db.session,
            acting=context,
            appointment=appointment,
            status=read.text(data, "status"),
            version=version,
        )
    return jsonify(appointment_json(appointment))


@bp.post("/appointments/<int:appointment_id>/cancel")
@require("agenda.view")
@openapi.describe("cancelAppointment", openapi.one("Appointment"), body="Cancellation")
def appointment_cancel(appointment_id: int):
    """Annuler avec un motif"""
    data = read.body()
    appointment = _get(appointment_id)
    booking.cancel_appointment(
        db.session,
        acting=acting(),
        appointment=appointment,
        reason=read.text(data, "reason", max_length=300, long=True),
        version=read.integer(data, "version", minimum=0, maximum=read.MAX_ID),
    )
    return jsonify(appointment_json(appointment))


@bp.get("/unscheduled-slots")
@require("agenda.view")
@openapi.describe(
    "listUnscheduledSlots", openapi.many("UnscheduledSlot"), query=api_docs.UNSCHEDULED
)
def unscheduled_slots():
    """Les créneaux réservés aux soins non programmés encore libres d'un jour"""
    tz = practice_tz()
    now = utcnow()
    raw_day = request.args.get("date")
    day = parse_day(raw_day, field="date") if raw_day else to_local(now, tz).date()
    start, end = local_day_bounds(day, tz)
    members = _staff_list(request.args.get("staff")) or team.list_staff(
        db.session, practice_id=current_user.practice_id, active_only=True
    )
    offers = sameday.free_held_slots(
        db.session,
        practice_id=current_user.practice_id,
        tz=tz,
        staff=[
            m
            for m in members
            if can(current_user, "agenda.book", m) or can(current_user, "agenda.regulate", m)
        ],
        start_at=start,
        end_at=end,
        now=now,
    )
    return jsonify({"items": [unscheduled_slot_json(o) for o in offers]})


@bp.get("/reports/unscheduled")
@require("reports.unscheduled")
@openapi.describe("unscheduledReport", openapi.one("UnscheduledReport"), query=api_docs.REPORT)
def unscheduled_report():
    """Soins non programmés par semaine : créneaux réservés, utilisés, libérés, perdus ;
    part des soins non programmés, indicateurs SAS"""
    tz = practice_tz()
    today = to_local(utcnow(), tz).date()
    raw_from, raw_to = request.args.get("from"), request.args.get("to")
    first = parse_day(raw_from, field="from") if raw_from else today - timedelta(days=27)
    last = parse_day(raw_to, field="to") if raw_to else today
    report = accounting.unscheduled_report(
        db.session,
        practice_id=current_user.practice_id,
        tz=tz,
        first_day=first,
        last_day=last,
        staff_ids=_staff_ids(request.args.get("staff")),
    )
    return jsonify(
        {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "weeks": [
                {"week": week.isoformat(), **figures.as_dict()}
                for week, figures in sorted(report.practice_week.items())
            ],
            "staff": [
                {"staff_id": staff_id, "week": week.isoformat(), **figures.as_dict()}
                for (staff_id, week), figures in sorted(report.by_week.items())
            ],
            "total": report.total.as_dict(),
        }
    )
