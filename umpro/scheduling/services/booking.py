"""Booking: book, move, cancel, mark arrived / fulfilled / no-show; each change is an
AppointmentEvent, raises ``sequence`` (iCal) and is written to the access log.

Callers pass the acting staff member; permissions are checked here so that the views and
the API refuse the same things (``agenda.book`` on the agenda's owner,
``appointment.manage`` on the appointment).
"""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.permissions import can
from umpro.errors import Conflict, Forbidden, Invalid, NotFound
from umpro.patients.models import Patient
from umpro.scheduling.models import (
    ARRIVED,
    BOOKED,
    CANCELLED,
    ENTERED_IN_ERROR,
    FULFILLED,
    LIVE_STATUSES,
    NOSHOW,
    SOURCES,
    STATUSES,
    Appointment,
    AppointmentEvent,
    AppointmentType,
)
from umpro.scheduling.services import holds
from umpro.scheduling.services.placement import (
    STALE,
    check_free,
    check_placement,
    flush_or_conflict,
    placement_template,
)
from umpro.scheduling.services.regulation import check_regulator_booking
from umpro.team.models import Room, Staff

#: Status changes a user may make (cancelling has its own service: it needs a reason).
TRANSITIONS = {
    BOOKED: {ARRIVED, FULFILLED, NOSHOW, ENTERED_IN_ERROR},
    ARRIVED: {BOOKED, FULFILLED, NOSHOW, ENTERED_IN_ERROR},
    FULFILLED: {ARRIVED, ENTERED_IN_ERROR},
    NOSHOW: {BOOKED, ENTERED_IN_ERROR},
    CANCELLED: set(),
    ENTERED_IN_ERROR: set(),
}
#: How early a patient may be marked as arrived.
EARLY_ARRIVAL = timedelta(hours=2)


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _record(session, appointment, *, acting: Acting, action, changes, note=""):
    session.add(
        AppointmentEvent(
            practice_id=appointment.practice_id,
            appointment_id=appointment.id,
            at=acting.now,
            actor_id=acting.actor.id if acting.actor is not None else None,
            action=action,
            changes={k: [_iso(old), _iso(new)] for k, (old, new) in changes.items()},
            note=note,
        )
    )
    record_access_to(session, acting, f"appointment.{action}", appointment)


def _same_practice(actor, *objects) -> None:
    for obj, message, field in objects:
        if obj is None or obj.practice_id != actor.practice_id:
            raise NotFound(message, field=field)


def _may_not_book_in(staff: Staff) -> Forbidden:
    return Forbidden(
        f"Vous ne pouvez pas prendre de rendez-vous dans l'agenda de {staff.display_name}.",
        field="staff_id",
    )


def _check_version(appointment: Appointment, version: int | None) -> None:
    if version is not None and version != appointment.version:
        raise Conflict(STALE, code="stale")


def book_appointment(
    session: Session,
    *,
    acting: Acting,
    patient: Patient,
    staff: Staff,
    appointment_type: AppointmentType,
    start_at: datetime,
    end_at: datetime | None = None,
    room_id: int | None = None,
    source: str = "desk",
    is_unscheduled: bool | None = None,
    regulator_name: str = "",
    regulator_reference: str = "",
    note: str = "",
) -> Appointment:
    """Book ``patient`` with ``staff``. Whoever may ``agenda.book`` in that agenda, or a
    regulator (``agenda.regulate``) with source ``regulator``.

    Refuses (French message, nothing saved): a patient, staff member, type or room of
    another practice (404), an agenda the actor may not book in (403), an unknown source,
    any placement rule of ``check_placement`` (422), a time already taken for the staff
    member, the room or the patient (409); the regulation rules (48 h, SAS hours, who) and
    a slot held for same-day care before its own day (422, see ``holds``/``regulation``)."""
    _same_practice(
        acting.actor,
        (patient, "Patient introuvable.", "patient_id"),
        (staff, "Membre de l'équipe introuvable.", "staff_id"),
        (appointment_type, "Type de rendez-vous introuvable.", "type_id"),
    )
    if not (
        can(acting.actor, "agenda.book", staff)
        or (source == "regulator" and can(acting.actor, "agenda.regulate", staff))
    ):
        raise _may_not_book_in(staff)
    if source not in SOURCES:
        raise Invalid("Origine du rendez-vous inconnue.", field="source")
    regulator_name, regulator_reference = check_regulator_booking(
        acting=acting,
        staff=staff,
        source=source,
        start_at=start_at,
        regulator_name=regulator_name,
        regulator_reference=regulator_reference,
    )
    if room_id is not None:
        _same_practice(acting.actor, (session.get(Room, room_id), "Salle introuvable.", "room_id"))
    end_at = end_at or start_at + timedelta(minutes=appointment_type.duration_minutes)
    # One load of the day's rules and absences for the placement and the hold check (a
    # booking starts and ends the same local day: check_placement refuses otherwise).
    template = placement_template(session, staff=staff, start_at=start_at)
    room = check_placement(
        session,
        staff=staff,
        appointment_type=appointment_type,
        patient_id=patient.id,
        start_at=start_at,
        end_at=end_at,
        room_id=room_id,
        exclude_id=None,
        now=acting.now,
        template=template,
    )
    held = holds.plan_claim(
        session,
        acting=acting,
        staff=staff,
        start_at=start_at,
        end_at=end_at,
        source=source,
        template=template,
    )
    if held or source == "regulator":
        is_unscheduled = True
    appointment = Appointment(
        practice_id=staff.practice_id,
        staff=staff,
        patient=patient,
        type=appointment_type,
        room_id=room,
        start_at=start_at,
        end_at=end_at,
        status=BOOKED,
        source=source,
        is_unscheduled=(
            appointment_type.is_unscheduled if is_unscheduled is None else is_unscheduled
        ),
        regulator_name=regulator_name,
        regulator_reference=regulator_reference,
        created_by_id=acting.actor.id,
        created_at=acting.now,
        updated_at=acting.now,
    )
    session.add(appointment)
    flush_or_conflict(session)
    holds.claim(
        session,
        holds=held,
        appointment_id=appointment.id,
        practice_id=staff.practice_id,
        now=acting.now,
    )
    changes = {
        "staff_id": (None, staff.id),
        "type_id": (None, appointment_type.id),
        "room_id": (None, room),
        "start_at": (None, start_at),
        "end_at": (None, end_at),
        "status": (None, BOOKED),
    }
    if regulator_reference or regulator_name:
        changes["regulator_name"] = (None, regulator_name)
        changes["regulator_reference"] = (None, regulator_reference)
    _record(session, appointment, acting=acting, action="create", changes=changes, note=note)
    session.flush()
    return appointment


_UNSET = object()


def update_appointment(
    session: Session,
    *,
    acting: Acting,
    appointment: Appointment,
    version: int | None,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    staff: Staff | None = None,
    appointment_type: AppointmentType | None = None,
    room_id=_UNSET,
) -> Appointment:
    """Move or change a booked appointment (time, staff member, type, room).

    Refuses a stale ``version`` (409, "modifié entre-temps, rechargez"), an actor without
    ``appointment.manage`` on it (or ``agenda.book`` in the new agenda) (403), an
    appointment no longer booked, and every placement rule of a new booking."""
    if not can(acting.actor, "appointment.manage", appointment):
        raise Forbidden("Vous ne pouvez pas modifier ce rendez-vous.")
    _check_version(appointment, version)
    if appointment.status != BOOKED:
        raise Invalid(
            f"Un rendez-vous « {appointment.status_label.lower()} » ne se déplace plus.",
            field="start",
        )
    new_staff = staff or appointment.staff
    if staff is not None:
        _same_practice(acting.actor, (staff, "Membre de l'équipe introuvable.", "staff_id"))
        if staff.id != appointment.staff_id and not can(acting.actor, "agenda.book", staff):
            raise _may_not_book_in(staff)
    new_type = appointment_type or appointment.type
    if appointment_type is not None:
        _same_practice(
            acting.actor, (appointment_type, "Type de rendez-vous introuvable.", "type_id")
        )
    new_start = start_at or appointment.start_at
    if end_at is not None:
        new_end = end_at
    elif start_at is not None or appointment_type is not None:
        new_end = new_start + timedelta(minutes=new_type.duration_minutes)
    else:
        new_end = appointment.end_at
    wanted_room = None
    if room_id is not _UNSET and room_id is not None:
        _same_practice(acting.actor, (session.get(Room, room_id), "Salle introuvable.", "room_id"))
        wanted_room = room_id
    elif room_id is _UNSET and staff is None and start_at is None:
        wanted_room = appointment.room_id
    new_room = check_placement(
        session,
        staff=new_staff,
        appointment_type=new_type,
        patient_id=appointment.patient_id,
        start_at=new_start,
        end_at=new_end,
        room_id=wanted_room,
        exclude_id=appointment.id,
        now=acting.now,
        template=placement_template(session, staff=new_staff, start_at=new_start),
    )
    changes = {
        name: (old, new)
        for name, old, new in [
            ("staff_id", appointment.staff_id, new_staff.id),
            ("type_id", appointment.type_id, new_type.id),
            ("room_id", appointment.room_id, new_room),
            ("start_at", appointment.start_at, new_start),
            ("end_at", appointment.end_at, new_end),
        ]
        if old != new
    }
    if not changes:
        return appointment
    appointment.staff, appointment.type = new_staff, new_type
    appointment.room_id = new_room
    appointment.start_at, appointment.end_at = new_start, new_end
    _touch(appointment, acting.now)
    flush_or_conflict(session)
    action = "move" if {"start_at", "staff_id"} & changes.keys() else "update"
    _record(session, appointment, acting=acting, action=action, changes=changes)
    session.flush()
    return appointment


def _touch(appointment: Appointment, now: datetime) -> None:
    appointment.sequence = (appointment.sequence or 0) + 1
    appointment.updated_at = now


def _change_status(session, appointment, status, *, acting: Acting, action, note="") -> Appointment:
    """Give ``appointment`` its new ``status`` and record the change (``action``); a
    cancelled appointment gives back the held slot it had taken."""
    old = appointment.status
    appointment.status = status
    _touch(appointment, acting.now)
    flush_or_conflict(session)
    if status == CANCELLED:
        holds.give_back(session, appointment=appointment, now=acting.now)
    _record(
        session,
        appointment,
        acting=acting,
        action=action,
        changes={"status": (old, status)},
        note=note,
    )
    session.flush()
    return appointment


def cancel_appointment(
    session: Session,
    *,
    acting: Acting,
    appointment: Appointment,
    reason: str,
    version: int | None = None,
) -> Appointment:
    """Cancel with a reason. Refuses a stale version (409), no reason, an appointment
    already cancelled, fulfilled or no longer live, an actor without ``appointment.manage``."""
    if not can(acting.actor, "appointment.manage", appointment):
        raise Forbidden("Vous ne pouvez pas annuler ce rendez-vous.")
    _check_version(appointment, version)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Indiquez le motif de l'annulation.", field="reason")
    if len(reason) > 300:
        raise Invalid("Le motif tient en 300 caractères au plus.", field="reason")
    if appointment.status not in (BOOKED, ARRIVED):
        raise Invalid(
            f"Un rendez-vous « {appointment.status_label.lower()} » ne peut plus être annulé.",
            field="reason",
        )
    appointment.cancel_reason = reason
    return _change_status(
        session, appointment, CANCELLED, acting=acting, action="cancel", note=reason
    )


def set_status(
    session: Session,
    *,
    acting: Acting,
    appointment: Appointment,
    status: str,
    version: int | None = None,
) -> Appointment:
    """Mark arrived, fulfilled (« vu »), no-show, entered in error, or back to booked.

    Refuses a stale version (409), an unknown status or a change not in TRANSITIONS,
    fulfilled or no-show before the start, arrived more than two hours early, going back
    to a live status when the time has been given to someone else meanwhile (409)."""
    if not can(acting.actor, "appointment.manage", appointment):
        raise Forbidden("Vous ne pouvez pas modifier ce rendez-vous.")
    _check_version(appointment, version)
    if status == CANCELLED:
        raise Invalid("Pour annuler, utilisez l'annulation : elle demande un motif.")
    if status not in STATUSES:
        raise Invalid("Statut inconnu.", field="status")
    if status == appointment.status:
        return appointment
    if status not in TRANSITIONS[appointment.status]:
        raise Invalid(
            f"Un rendez-vous « {appointment.status_label.lower()} » ne peut pas passer à "
            f"« {STATUSES[status].lower()} ».",
            field="status",
        )
    if status in (FULFILLED, NOSHOW) and acting.now < appointment.start_at:
        raise Invalid("Ce rendez-vous n'a pas encore commencé.", field="status")
    if status == ARRIVED and acting.now < appointment.start_at - EARLY_ARRIVAL:
        raise Invalid("Ce rendez-vous est dans plus de deux heures.", field="status")
    if status in LIVE_STATUSES and not appointment.is_live:
        check_free(
            session,
            staff=appointment.staff,
            room_id=appointment.room_id,
            patient_id=appointment.patient_id,
            start_at=appointment.start_at,
            end_at=appointment.end_at,
            exclude_id=appointment.id,
        )
    return _change_status(session, appointment, status, acting=acting, action="status")
