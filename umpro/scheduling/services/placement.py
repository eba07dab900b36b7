"""Where an appointment may go: inside an opening, the staff, room and patient free.

The overlap check runs inside the booking transaction. On SQLite that transaction opened
with ``BEGIN IMMEDIATE`` (umpro/db.py): no other writer can slip in between the check and
the insert. On PostgreSQL the exclusion constraints decide under concurrency; this check
only gives the friendlier message, and ``flush_or_conflict`` maps a violation to a 409.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from umpro.errors import Conflict, Invalid
from umpro.scheduling.holidays import holiday_name
from umpro.scheduling.models import (
    LIVE_STATUSES,
    MAX_DURATION,
    SQLITE_OVERLAP,
    Appointment,
    AppointmentType,
    overlapping,
)
from umpro.scheduling.services.junior import supervisor_absence, supervisor_off_duty
from umpro.scheduling.services.openings import (
    AgendaTemplate,
    closures_for,
    load_template,
    openings_for,
)
from umpro.team.models import Room, Staff
from umpro.team.professions import label as profession_label
from umpro.timeutil import to_local

STALE = "Ce rendez-vous a été modifié entre-temps, rechargez la page pour voir sa version actuelle."
#: A concurrent booking won the race (SQLite trigger, or an unnamed constraint).
RACE_MESSAGE = "Ce créneau vient d'être pris : choisissez-en un autre."
#: Messages for a violated exclusion constraint (a concurrent booking won the race).
EXCLUSION_MESSAGES = {
    "ex_appointment_staff_overlap": "Ce créneau vient d'être pris dans cet agenda : "
    "choisissez-en un autre.",
    "ex_appointment_room_overlap": "La salle vient d'être occupée à cette heure : "
    "choisissez un autre créneau.",
    "ex_appointment_patient_overlap": "Ce patient vient de recevoir un autre rendez-vous "
    "à cette heure.",
}


def _hm(instant: datetime, tz: str) -> str:
    return f"{to_local(instant, tz):%H:%M}"


def check_placement(
    session: Session,
    *,
    staff: Staff,
    appointment_type: AppointmentType,
    patient_id: int,
    start_at: datetime,
    end_at: datetime,
    room_id: int | None,
    exclude_id: int | None,
    now: datetime,
    template: AgendaTemplate,
) -> int | None:
    """Refuse a placement that breaks a rule; answer the room to use (None: no room).

    Refuses: end before start, a time already past, a type the staff member may not
    perform, a time outside their openings, an absence, a public holiday, a docteur
    junior without their supervisor that day, an overlap with a live appointment of the
    same staff member, room or patient (409). ``template``: ``placement_template``'s
    (a booking shares it with the hold check)."""
    tz = staff.practice.timezone
    if end_at <= start_at:
        raise Invalid("La fin du rendez-vous doit être après son début.", field="end")
    if end_at - start_at > MAX_DURATION:
        hours = int(MAX_DURATION.total_seconds() // 3600)
        raise Invalid(f"Un rendez-vous dure au plus {hours} heures.", field="end")
    if end_at <= now:
        raise Invalid("Ce créneau est déjà passé : choisissez une heure à venir.", field="start")
    if not staff.is_active:
        raise Invalid(f"{staff.display_name} ne fait plus partie de l'équipe.", field="staff_id")
    if not appointment_type.is_active:
        raise Invalid(f"Le type « {appointment_type.label} » n'est plus proposé.", field="type_id")
    if not appointment_type.allows(staff.profession):
        raise Invalid(
            f"{staff.display_name} ({profession_label(staff.profession).lower()}) ne réalise "
            f"pas « {appointment_type.label} ».",
            field="type_id",
        )
    day = to_local(start_at, tz).date()
    if to_local(end_at - timedelta(microseconds=1), tz).date() != day:
        raise Invalid("Un rendez-vous commence et finit le même jour.", field="end")
    for closure in closures_for(template, staff_id=staff.id, day=day):
        if closure.start_at < end_at and start_at < closure.end_at:
            raise Invalid(
                f"{staff.display_name} est absent(e) ({closure.reason.lower()}) de "
                f"{_hm(closure.start_at, tz)} à {_hm(closure.end_at, tz)} ce jour-là.",
                field="start",
            )
    openings = openings_for(template, staff_id=staff.id, day=day)
    fitting = [o for o in openings if o.contains(start_at, end_at)]
    if not fitting:
        holiday = holiday_name(day)
        if holiday and not openings:
            raise Invalid(
                f"Le {day:%d/%m/%Y} est un jour férié ({holiday}) : l'agenda est fermé.",
                field="start",
            )
        hours = ", ".join(f"{_hm(o.start_at, tz)}–{_hm(o.end_at, tz)}" for o in openings)
        raise Invalid(
            f"Ce créneau est en dehors des plages d'ouverture de {staff.display_name} "
            + (f"(ce jour-là : {hours})." if hours else "(aucune plage ce jour-là)."),
            field="start",
        )
    allowed = [o for o in fitting if o.allows(appointment_type.id)]
    if not allowed:
        raise Invalid(
            f"« {appointment_type.label} » n'est pas proposé sur cette plage de "
            f"{staff.display_name}.",
            field="type_id",
        )
    if message := supervisor_absence(
        session, junior=staff, day=day, tz=tz, template=template
    ) or supervisor_off_duty(template, junior=staff, start_at=start_at, end_at=end_at):
        raise Invalid(message, field="staff_id")
    room = None
    if appointment_type.needs_room:
        room = room_id if room_id is not None else allowed[0].room_id
    check_free(
        session,
        staff=staff,
        room_id=room,
        patient_id=patient_id,
        start_at=start_at,
        end_at=end_at,
        exclude_id=exclude_id,
    )
    return room


def placement_template(session: Session, *, staff: Staff, start_at: datetime) -> AgendaTemplate:
    """Rules and absences of ``staff`` (and of their supervisor, for a docteur junior) on
    the local day of ``start_at``: what ``check_placement`` checks a booking against."""
    tz = staff.practice.timezone
    day = to_local(start_at, tz).date()
    return load_template(
        session,
        practice_id=staff.practice_id,
        staff_ids=[staff.id] + ([staff.supervisor_id] if staff.supervisor_id else []),
        first_day=day,
        last_day=day,
        tz=tz,
    )


def check_free(
    session: Session,
    *,
    staff: Staff,
    room_id: int | None,
    patient_id: int,
    start_at: datetime,
    end_at: datetime,
    exclude_id: int | None = None,
) -> None:
    """409 when a live appointment of the same staff, room or patient overlaps."""
    tz = staff.practice.timezone
    # One bounded branch per column (each an index range on (column, start_at)).
    columns = [(Appointment.staff_id, staff.id), (Appointment.patient_id, patient_id)]
    if room_id is not None:
        columns.append((Appointment.room_id, room_id))
    same = [and_(column == value, *overlapping(start_at, end_at)) for column, value in columns]
    query = (
        select(Appointment)
        .options(joinedload(Appointment.staff), joinedload(Appointment.room))
        .where(Appointment.status.in_(LIVE_STATUSES), or_(*same))
        .order_by(Appointment.start_at)
    )
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    clashes = list(session.scalars(query))
    for clash in clashes:
        when = f"de {_hm(clash.start_at, tz)} à {_hm(clash.end_at, tz)}"
        if clash.staff_id == staff.id:
            raise Conflict(
                f"Ce créneau n'est pas libre : {staff.display_name} a déjà un rendez-vous {when}.",
                field="start",
            )
    for clash in clashes:
        when = f"de {_hm(clash.start_at, tz)} à {_hm(clash.end_at, tz)}"
        if clash.patient_id == patient_id:
            raise Conflict(
                f"Ce patient a déjà un rendez-vous {when} avec {clash.staff.display_name}.",
                field="patient_id",
            )
    for clash in clashes:
        when = f"de {_hm(clash.start_at, tz)} à {_hm(clash.end_at, tz)}"
        room = clash.room or session.get(Room, room_id)
        raise Conflict(f"La salle « {room.name} » est déjà occupée {when}.", field="room_id")


def violated_exclusion(error: IntegrityError) -> str | None:
    """The overlap rule behind ``error``, if it is one: the PostgreSQL exclusion
    constraint's name, or "" for the SQLite trigger."""
    orig = getattr(error, "orig", None)
    if SQLITE_OVERLAP in str(orig):
        return ""
    if getattr(orig, "sqlstate", None) != "23P01":  # exclusion_violation
        return None
    diag = getattr(orig, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def flush_or_conflict(session: Session) -> None:
    """Flush; an exclusion violation or a stale version becomes a French 409."""
    try:
        session.flush()
    except IntegrityError as error:
        name = violated_exclusion(error)
        if name is None:
            raise
        raise Conflict(
            EXCLUSION_MESSAGES.get(name, RACE_MESSAGE),
            field="start",
        ) from error
    except StaleDataError as error:
        raise Conflict(STALE, code="stale") from error
