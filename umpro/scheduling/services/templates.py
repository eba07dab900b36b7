"""Agenda templates: weekly availability rules, absences and weekly absences.

Rules are for admins (``agenda.templates``); absences for admins, secretaries and the
staff member themself (``absence.manage``). ``actor`` None is the demo loader.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from umpro.auth.permissions import ensure
from umpro.errors import Conflict, Invalid
from umpro.scheduling.models import (
    ABSENCE_KINDS,
    LIVE_STATUSES,
    WEEKDAYS,
    Absence,
    Appointment,
    AppointmentType,
    AvailabilityRule,
    WeeklyAbsence,
    overlapping,
)
from umpro.scheduling.services.openings import check_rule_hours
from umpro.team.models import Room, Staff
from umpro.team.services import get_in_practice, get_staff


@dataclass
class WeeklyHours:
    """Whose, which weekday, which hours, from when until when: what a weekly opening and a
    weekly absence share."""

    staff_id: int
    weekday: int
    start_time: time
    end_time: time
    valid_from: date
    valid_until: date | None = None


@dataclass
class RuleInput(WeeklyHours):
    room_id: int | None = None
    type_ids: list[int] = field(default_factory=list)
    open_on_holidays: bool = False


@dataclass
class AbsenceInput:
    staff_id: int
    kind: str
    start_at: datetime
    end_at: datetime
    note: str = ""


@dataclass
class WeeklyAbsenceInput(WeeklyHours):
    kind: str = "teaching"


def _staff_of(session: Session, practice_id: int, data) -> Staff:
    """The staff member an input names (chosen, and of the practice)."""
    if not data.staff_id:
        raise Invalid("Choisissez le membre de l'équipe.", field="staff_id")
    return get_staff(session, practice_id=practice_id, staff_id=data.staff_id)


def _when(row) -> str:
    """« lundi 08:30–12:00 »: the weekday and hours of a weekly row, for messages."""
    return f"{WEEKDAYS[row.weekday].lower()} {row.start_time:%H:%M}–{row.end_time:%H:%M}"


def _check_period(data: WeeklyHours) -> None:
    if data.weekday not in range(7):
        raise Invalid("Jour de la semaine inconnu.", field="weekday")
    if data.end_time <= data.start_time:
        raise Invalid("L'heure de fin doit être après l'heure de début.", field="end_time")
    if data.valid_until is not None and data.valid_until < data.valid_from:
        raise Invalid(
            "La date de fin de validité doit suivre la date de début.", field="valid_until"
        )


def _overlapping(model, data: WeeklyHours, exclude_id: int | None):
    """Same weekday, overlapping hours and overlapping validity."""
    query = select(model).where(
        model.weekday == data.weekday,
        model.start_time < data.end_time,
        model.end_time > data.start_time,
        (model.valid_until.is_(None)) | (model.valid_until >= data.valid_from),
    )
    if data.valid_until is not None:
        query = query.where(model.valid_from <= data.valid_until)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return query


def _own_overlap(session: Session, model, data: WeeklyHours, staff: Staff, exclude_id=None):
    """The row of ``model`` of that person that ``data`` would overlap, or None."""
    return session.scalar(_overlapping(model, data, exclude_id).where(model.staff_id == staff.id))


def _admin_only(actor, what: str) -> None:
    """Openings and weekly absences are the admin's (``agenda.templates``)."""
    ensure(actor, "agenda.templates", None, f"Seul un administrateur modifie {what}.")


def _delete(session: Session, row) -> None:
    session.delete(row)
    session.flush()


def list_rules(session: Session, *, practice_id: int) -> list[AvailabilityRule]:
    return list(
        session.scalars(
            select(AvailabilityRule)
            .options(joinedload(AvailabilityRule.staff))
            .join(Staff, Staff.id == AvailabilityRule.staff_id)
            .where(AvailabilityRule.practice_id == practice_id)
            .order_by(
                Staff.family_name,
                Staff.given_name,
                AvailabilityRule.weekday,
                AvailabilityRule.start_time,
            )
        )
    )


def get_rule(session: Session, *, practice_id: int, rule_id: int) -> AvailabilityRule:
    return get_in_practice(
        session, AvailabilityRule, rule_id, practice_id, "Plage horaire introuvable."
    )


def save_rule(
    session: Session,
    *,
    actor,
    practice_id: int,
    data: RuleInput,
    rule: AvailabilityRule | None = None,
) -> AvailabilityRule:
    """Create or edit a weekly opening. Refuses end before start, a room or type of another
    practice, a type the staff member may not perform, an opening overlapping another of the
    same person, a room already given to someone else at that time."""
    _admin_only(actor, "les plages horaires")
    staff = _staff_of(session, practice_id, data)
    _check_period(data)
    check_rule_hours(
        weekday=data.weekday,
        start=data.start_time,
        end=data.end_time,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        tz=staff.practice.timezone,
    )
    exclude = rule.id if rule is not None else None
    room = None
    if data.room_id is not None:
        room = session.get(Room, data.room_id)
        if room is None or room.practice_id != practice_id or not room.is_active:
            raise Invalid("Choisissez une salle en service de la maison de santé.", field="room_id")
    types = []
    if data.type_ids:
        types = list(
            session.scalars(
                select(AppointmentType).where(
                    AppointmentType.practice_id == practice_id,
                    AppointmentType.id.in_(data.type_ids),
                )
            )
        )
        if len(types) != len(set(data.type_ids)):
            raise Invalid("Type de rendez-vous inconnu.", field="type_ids")
        for appointment_type in types:
            if not appointment_type.allows(staff.profession):
                raise Invalid(
                    f"{staff.display_name} ne réalise pas « {appointment_type.label} ».",
                    field="type_ids",
                )
    own = _own_overlap(session, AvailabilityRule, data, staff, exclude)
    if own is not None:
        raise Conflict(
            f"Cette plage chevauche celle du {_when(own)} de {staff.display_name}.",
            field="start_time",
        )
    if room is not None:
        taken = session.scalar(
            _overlapping(AvailabilityRule, data, exclude).where(
                AvailabilityRule.room_id == room.id, AvailabilityRule.staff_id != staff.id
            )
        )
        if taken is not None:
            raise Conflict(
                f"La salle « {room.name} » est déjà attribuée à {taken.staff.display_name} "
                f"le {_when(taken)}.",
                field="room_id",
            )
    if rule is None:
        rule = AvailabilityRule(practice_id=practice_id)
        session.add(rule)
    rule.staff_id = staff.id
    rule.weekday = data.weekday
    rule.start_time, rule.end_time = data.start_time, data.end_time
    rule.valid_from, rule.valid_until = data.valid_from, data.valid_until
    rule.room_id = room.id if room is not None else None
    rule.types = types
    rule.open_on_holidays = data.open_on_holidays
    session.flush()
    return rule


def delete_rule(session: Session, *, actor, rule: AvailabilityRule) -> None:
    """Remove a weekly opening (appointments already booked stay). Admins only."""
    _admin_only(actor, "les plages horaires")
    _delete(session, rule)


def list_absences(
    session: Session, *, practice_id: int, since: datetime | None = None
) -> list[Absence]:
    query = (
        select(Absence).options(joinedload(Absence.staff)).where(Absence.practice_id == practice_id)
    )
    if since is not None:
        query = query.where(Absence.end_at > since)
    return list(session.scalars(query.order_by(Absence.start_at)))


def get_absence(session: Session, *, practice_id: int, absence_id: int) -> Absence:
    return get_in_practice(session, Absence, absence_id, practice_id, "Absence introuvable.")


def appointments_during(session: Session, *, staff_id: int, start_at, end_at) -> int:
    """Live appointments of ``staff_id`` in a period (to warn that they need moving)."""
    return session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.staff_id == staff_id,
            Appointment.status.in_(LIVE_STATUSES),
            *overlapping(start_at, end_at),
        )
    )


def save_absence(session: Session, *, actor, practice_id: int, data: AbsenceInput) -> Absence:
    """Record an absence. Refuses an unknown kind, end before start, a staff member of
    another practice, an actor without ``absence.manage`` on that person."""
    staff = _staff_of(session, practice_id, data)
    ensure(
        actor,
        "absence.manage",
        staff,
        "Vous ne pouvez pas saisir d'absence pour ce membre de l'équipe.",
    )
    if data.kind not in ABSENCE_KINDS:
        raise Invalid("Type d'absence inconnu.", field="kind")
    if data.end_at <= data.start_at:
        raise Invalid("La fin de l'absence doit suivre son début.", field="end_on")
    absence = Absence(
        practice_id=practice_id,
        staff_id=staff.id,
        kind=data.kind,
        start_at=data.start_at,
        end_at=data.end_at,
        note=data.note.strip()[:200],
    )
    session.add(absence)
    session.flush()
    return absence


def delete_absence(session: Session, *, actor, absence: Absence) -> None:
    ensure(actor, "absence.manage", absence, "Vous ne pouvez pas supprimer cette absence.")
    _delete(session, absence)


def list_weekly_absences(session: Session, *, practice_id: int) -> list[WeeklyAbsence]:
    return list(
        session.scalars(
            select(WeeklyAbsence)
            .options(joinedload(WeeklyAbsence.staff))
            .where(WeeklyAbsence.practice_id == practice_id)
            .order_by(WeeklyAbsence.weekday, WeeklyAbsence.start_time)
        )
    )


def get_weekly_absence(session: Session, *, practice_id: int, item_id: int) -> WeeklyAbsence:
    return get_in_practice(
        session, WeeklyAbsence, item_id, practice_id, "Absence hebdomadaire introuvable."
    )


def save_weekly_absence(
    session: Session, *, actor, practice_id: int, data: WeeklyAbsenceInput
) -> WeeklyAbsence:
    """Record a weekly absence, e.g. the docteur junior's teaching half-day. Admins only.
    Refuses end before start and an overlap with another weekly absence of that person."""
    _admin_only(actor, "les absences hebdomadaires")
    staff = _staff_of(session, practice_id, data)
    _check_period(data)
    if data.kind not in ABSENCE_KINDS:
        raise Invalid("Type d'absence inconnu.", field="kind")
    clash = _own_overlap(session, WeeklyAbsence, data, staff)
    if clash is not None:
        raise Conflict(
            f"{staff.display_name} a déjà une absence le {_when(clash)}.",
            field="start_time",
        )
    # The input's fields are the row's columns (WeeklyHours mirrors WeeklyPeriod).
    item = WeeklyAbsence(practice_id=practice_id, **asdict(data))
    session.add(item)
    session.flush()
    return item


def delete_weekly_absence(session: Session, *, actor, item: WeeklyAbsence) -> None:
    _admin_only(actor, "les absences hebdomadaires")
    _delete(session, item)
