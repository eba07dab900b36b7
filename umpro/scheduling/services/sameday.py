"""Same-day demand: the free held slots of a day, the desk screen's proposals, and the
red-flag take-back's slots. Figures are in ``unscheduled_figures``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.permissions import can
from umpro.errors import Forbidden, Invalid
from umpro.patients.models import Patient
from umpro.scheduling.models import (
    HELD,
    LIVE_STATUSES,
    Appointment,
    AppointmentType,
)
from umpro.scheduling.services import booking, holds
from umpro.scheduling.services.junior import supervisor_absence
from umpro.scheduling.services.openings import load_template
from umpro.scheduling.services.regulation import REGULATOR_WINDOW, out_of_hours, sas_open
from umpro.scheduling.services.slots import MAX_DURATION, Slot, find_slots, next_slots
from umpro.team.models import Staff
from umpro.team.professions import NURSES, Profession
from umpro.timeutil import local_day_bounds, local_today


@dataclass(frozen=True)
class HeldOffer:
    """A free held slot, with the type to book in it."""

    staff: Staff
    start_at: datetime
    end_at: datetime
    room_id: int | None
    type_id: int | None


def _types(session: Session, practice_id: int) -> list[AppointmentType]:
    return session.scalars(
        select(AppointmentType)
        .where(AppointmentType.practice_id == practice_id, AppointmentType.is_active.is_(True))
        .order_by(AppointmentType.is_unscheduled.desc(), AppointmentType.duration_minutes)
    ).all()


def _type_for(types: list[AppointmentType], staff: Staff, minutes: int) -> int | None:
    """The same-day type of ``staff`` fitting a held slot (an unscheduled type first)."""
    fitting = [t for t in types if t.allows(staff.profession) and t.duration_minutes <= minutes]
    return fitting[0].id if fitting else None


def free_held_slots(
    session: Session,
    *,
    practice_id: int,
    tz: str,
    staff: list[Staff],
    start_at: datetime,
    end_at: datetime,
    now: datetime,
    types: list[AppointmentType] | None = None,
) -> list[HeldOffer]:
    """Held slots still held, not yet begun and clear of live appointments, of ``staff``
    in [start_at, end_at), earliest first. Fixed query count (types, template, policies,
    rows, appointments)."""
    start_at = max(start_at, now)
    staff = [s for s in staff if s.is_active]
    if not staff or end_at <= start_at:
        return []
    types = _types(session, practice_id) if types is None else types
    by_id = {s.id: s for s in staff}
    found = [
        h
        for h in holds.holds_between(
            session,
            practice_id=practice_id,
            tz=tz,
            staff_ids=list(by_id),
            start_at=start_at,
            end_at=end_at,
            now=now,
        )
        if h.state == HELD and h.start_at >= start_at
    ]
    if not found:
        return []
    taken = session.execute(
        select(Appointment.staff_id, Appointment.start_at, Appointment.end_at).where(
            Appointment.practice_id == practice_id,
            Appointment.staff_id.in_(list(by_id)),
            Appointment.status.in_(LIVE_STATUSES),
            Appointment.start_at < end_at,
            Appointment.start_at > start_at - MAX_DURATION,
            Appointment.end_at > start_at,
        )
    ).all()
    busy: dict[int, list] = {}
    for staff_id, s, e in taken:
        busy.setdefault(staff_id, []).append((s, e))
    offers = []
    for h in found:
        if any(s < h.end_at and h.start_at < e for s, e in busy.get(h.staff_id, [])):
            continue
        member = by_id[h.staff_id]
        minutes = int((h.end_at - h.start_at).total_seconds() // 60)
        offers.append(
            HeldOffer(member, h.start_at, h.end_at, h.room_id, _type_for(types, member, minutes))
        )
    return offers


def _clinicians(session: Session, practice_id: int) -> list[Staff]:
    return session.scalars(
        select(Staff)
        .where(Staff.practice_id == practice_id, Staff.is_active.is_(True))
        .order_by(Staff.family_name, Staff.given_name)
    ).all()


@dataclass
class DeskProposal:
    """What the desk screen shows for one patient at one instant."""

    today: list[HeldOffer] = field(default_factory=list)
    within_48h: list[HeldOffer] = field(default_factory=list)
    others: list[Slot] = field(default_factory=list)
    treating_gp: Staff | None = None
    sas_open: bool = False
    out_of_hours: bool = False


def desk_proposals(
    session: Session, *, acting: Acting, patient: Patient | None, limit: int = 8
) -> DeskProposal:
    """Today's first free held slots (the patient's médecin traitant first, then the
    team); when none is left today: held slots within 48 h, the next free slots of the
    other professionals today (nurses; a docteur junior whose supervisor is on duty),
    and whether the SAS or the PDSA applies now. Whoever may ``sameday.desk``."""
    tz = acting.actor.practice.timezone
    team = [
        s
        for s in _clinicians(session, acting.actor.practice_id)
        if can(acting.actor, "agenda.book", s)
    ]
    treating = patient.treating_gp if patient is not None else None
    if patient is not None:
        record_access_to(session, acting, "sameday.propose", patient)
    types = _types(session, acting.actor.practice_id)
    _, day_end = local_day_bounds(local_today(tz, acting.now), tz)

    def first_gp(offers):
        treating_id = treating.id if treating else None
        return sorted(offers, key=lambda o: (o.staff.id != treating_id, o.start_at, o.staff.id))

    proposal = DeskProposal(
        treating_gp=treating,
        sas_open=sas_open(acting.now, tz),
        out_of_hours=out_of_hours(acting.now, tz),
    )
    common = {"practice_id": acting.actor.practice_id, "tz": tz, "staff": team, "now": acting.now}
    proposal.today = first_gp(
        free_held_slots(session, start_at=acting.now, end_at=day_end, types=types, **common)
    )[:limit]
    if proposal.today:
        return proposal
    proposal.within_48h = first_gp(
        free_held_slots(
            session, start_at=day_end, end_at=acting.now + REGULATOR_WINDOW, types=types, **common
        )
    )[:limit]
    others = [s for s in team if s.profession in NURSES or s.profession == Profession.JUNIOR_DOCTOR]
    template = load_template(
        session,
        practice_id=acting.actor.practice_id,
        staff_ids=[s.id for s in others] + [s.supervisor_id for s in others if s.supervisor_id],
        first_day=local_today(tz, acting.now),
        last_day=local_today(tz, acting.now),
        tz=tz,
    )
    others = [
        s
        for s in others
        if not supervisor_absence(
            session, junior=s, day=local_today(tz, acting.now), tz=tz, template=template
        )
    ]
    by_type: dict[int, tuple[AppointmentType, list[Staff]]] = {}
    for member in others:
        fitting = [t for t in types if t.allows(member.profession)]
        if fitting:
            by_type.setdefault(fitting[0].id, (fitting[0], []))[1].append(member)
    # One search per type, not per person: the query count stays bounded.
    for appointment_type, group in by_type.values():
        proposal.others += find_slots(
            session,
            practice_id=acting.actor.practice_id,
            tz=tz,
            appointment_type=appointment_type,
            staff=group,
            start_from=acting.now,
            until=day_end,
            now=acting.now,
            limit=2 * len(group),
        )
    return proposal


#: Urgency levels of a same-day request, as the desk asks them.
URGENCIES = {
    "hour": "Dans l'heure",
    "today": "Aujourd'hui",
    "48h": "Sous 48 heures",
}


def book_same_day(
    session: Session,
    *,
    acting: Acting,
    patient: Patient,
    staff: Staff,
    appointment_type: AppointmentType,
    start_at: datetime,
    source: str,
    reason: str,
    urgency: str,
) -> Appointment:
    """Book a same-day request from the desk screen (flagged unscheduled; the reason and
    the urgency go to the appointment's history). Whoever may ``sameday.desk``; refuses
    a source other than phone, desk or walk-in, a missing reason, an unknown urgency,
    and every rule of ``book_appointment`` (a held slot of another day among them)."""
    if not can(acting.actor, "sameday.desk"):
        raise Forbidden("Vous ne pouvez pas prendre de soins non programmés à l'accueil.")
    if source not in holds.DESK_SOURCES:
        raise Invalid("Choisissez téléphone, accueil ou sans rendez-vous.", field="source")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Indiquez le motif de la demande.", field="reason")
    if len(reason) > 200:
        raise Invalid("Le motif tient en 200 caractères au plus.", field="reason")
    if urgency not in URGENCIES:
        raise Invalid("Choisissez le niveau d'urgence.", field="urgency")
    return booking.book_appointment(
        session,
        acting=acting,
        patient=patient,
        staff=staff,
        appointment_type=appointment_type,
        start_at=start_at,
        source=source,
        is_unscheduled=True,
        note=f"Soins non programmés — urgence : {URGENCIES[urgency].lower()} ; motif : {reason}",
    )


def takeback_slots(
    session: Session, *, gp: Staff, appointment_type: AppointmentType, now: datetime, limit=6
) -> list[Slot]:
    """Slots for a red-flag take-back by ``gp``: their free held slots of today and
    tomorrow first, then their ordinary free slots of the same two days."""
    tz = gp.practice.timezone
    _, until = local_day_bounds(local_today(tz, now) + timedelta(days=1), tz)
    held = [
        Slot(o.staff, o.start_at, o.end_at, o.room_id, is_held=True)
        for o in free_held_slots(
            session,
            practice_id=gp.practice_id,
            tz=tz,
            staff=[gp],
            start_at=now,
            end_at=until,
            now=now,
        )
    ]
    ordinary = next_slots(
        session, staff=gp, appointment_type=appointment_type, now=now, days=1, limit=limit
    )
    return (held + ordinary)[:limit]


def day_of(instant: datetime, tz: str) -> date:
    return local_today(tz, instant)
