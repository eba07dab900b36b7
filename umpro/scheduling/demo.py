"""Demo agenda: appointment types, the team's weekly openings, the docteur junior's
teaching half-day, and a realistic week of appointments around ``now``, all through the
services (so the demo obeys the rules). Idempotent: what exists is kept."""

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.errors import DomainError
from umpro.patients.models import Patient
from umpro.scheduling.models import (
    HELD,
    Appointment,
    AppointmentType,
    AvailabilityRule,
    HoldPolicy,
    WeeklyAbsence,
)
from umpro.scheduling.services import booking, catalogue, holds, templates
from umpro.scheduling.services.openings import days_between, load_template, openings_for
from umpro.team.models import Room, Staff
from umpro.timeutil import local_day_bounds, local_today

SEED = 20_261_123
#: label → (minutes, professions, colour, home visit, teleconsultation)
TYPES = {
    "Consultation": (15, ["gp", "junior_doctor"], "blue", False, False),
    "Consultation longue": (30, ["gp", "junior_doctor"], "purple", False, False),
    "Visite à domicile": (45, ["gp", "junior_doctor", "apn_nurse", "nurse"], "orange", True, False),
    "Téléconsultation": (15, ["gp", "junior_doctor", "apn_nurse"], "teal", False, True),
    "Séance Asalée": (60, ["asalee_nurse"], "green", False, False),
    "Soins infirmiers": (30, ["apn_nurse", "nurse"], "pink", False, False),
    "Consultation docteur junior": (20, ["junior_doctor"], "yellow", False, False),
}
AM, PM = (time(8, 30), time(12, 30)), (time(14, 0), time(19, 0))
#: key → (room, {weekday: [(start, end), …]}, type labels offered (empty: all allowed))
WEEKS = {
    "claire.martin": ("Cabinet 1 — Dr Martin", {0: [AM, PM], 1: [AM, PM], 2: [AM], 3: [AM, PM],
                                                4: [AM, PM]}, []),
    "karim.benali": ("Cabinet 2 — Dr Benali", {0: [AM, PM], 1: [AM, PM], 2: [AM, PM], 3: [AM],
                                               4: [AM, PM], 5: [(time(9), time(12))]}, []),
    "sophie.lefevre": ("Cabinet 3 — Dr Lefèvre", {0: [AM, PM], 1: [AM, PM], 3: [AM, PM],
                                                  4: [AM, PM]}, []),
    "lucas.moreau": ("Cabinet docteur junior", {d: [AM, PM] for d in range(5)},
                     ["Consultation docteur junior", "Visite à domicile"]),
    "nathalie.roux": ("Bureau infirmier", {1: [(time(9), time(12)), (time(13, 30), time(17, 30))],
                                           3: [(time(9), time(12)), (time(13, 30), time(17, 30))]},
                      ["Séance Asalée"]),
    "julien.fournier": ("Bureau infirmier", {0: [(time(9), time(12, 30))],
                                             2: [(time(9), time(12, 30)), (time(14), time(18))],
                                             4: [(time(9), time(12, 30))]},
                        ["Soins infirmiers", "Téléconsultation", "Visite à domicile"]),
}  # fmt: skip
#: key → the type the booking page offers first for them (each performs it).
DEFAULT_TYPES = {
    "claire.martin": "Consultation",
    "karim.benali": "Consultation",
    "sophie.lefevre": "Consultation",
    "lucas.moreau": "Consultation docteur junior",
    "nathalie.roux": "Séance Asalée",
    "julien.fournier": "Soins infirmiers",
}
#: The docteur junior's teaching half-day: Thursday afternoon.
TEACHING = ("lucas.moreau", 3, time(13, 30), time(19, 0))
#: Share of the openings filled, and how past appointments ended.
FILL = 0.7


def _types(session, practice) -> dict[str, AppointmentType]:
    existing = {t.label: t for t in catalogue.list_types(session, practice_id=practice.id)}
    for label, (minutes, professions, colour, home, tele) in TYPES.items():
        if label not in existing:
            existing[label] = catalogue.save_type(
                session,
                actor=None,
                practice_id=practice.id,
                data=catalogue.TypeInput(
                    label=label,
                    duration_minutes=minutes,
                    professions=professions,
                    colour=colour,
                    is_home_visit=home,
                    is_teleconsultation=tele,
                ),
            )
    return existing


def _rules(session, practice, members, types, since) -> None:
    rooms = {
        r.name: r for r in session.scalars(select(Room).where(Room.practice_id == practice.id))
    }
    for key, (room_name, week, labels) in WEEKS.items():
        staff = members.get(key)
        has_rules = (
            session.scalar(
                select(AvailabilityRule.id).where(AvailabilityRule.staff_id == staff.id).limit(1)
            )
            if staff
            else True
        )
        if has_rules:
            continue
        room = rooms.get(room_name)
        for weekday, periods in week.items():
            for start, end in periods:
                templates.save_rule(
                    session,
                    actor=None,
                    practice_id=practice.id,
                    data=templates.RuleInput(
                        staff_id=staff.id,
                        weekday=weekday,
                        start_time=start,
                        end_time=end,
                        valid_from=since,
                        room_id=room.id if room else None,
                        type_ids=[types[label].id for label in labels],
                    ),
                )
    key, weekday, start, end = TEACHING
    junior = members.get(key)
    if junior and not session.scalar(
        select(WeeklyAbsence.id).where(WeeklyAbsence.staff_id == junior.id).limit(1)
    ):
        templates.save_weekly_absence(
            session,
            actor=None,
            practice_id=practice.id,
            data=templates.WeeklyAbsenceInput(
                staff_id=junior.id,
                weekday=weekday,
                start_time=start,
                end_time=end,
                valid_from=since,
            ),
        )


def _pick_type(rng, staff: Staff, types: dict[str, AppointmentType], opening):
    allowed = [
        t
        for t in types.values()
        if t.allows(staff.profession) and opening.allows(t.id) and t.needs_room
    ]
    weights = [
        8
        if t.label
        in ("Consultation", "Séance Asalée", "Soins infirmiers", "Consultation docteur junior")
        else 2
        for t in allowed
    ]
    return rng.choices(allowed, weights)[0] if allowed else None


def _week_of_appointments(session, practice, members, types, now: datetime) -> None:
    patients = list(session.scalars(select(Patient.id).where(Patient.practice_id == practice.id)))
    desk = members.get("marie.dubois")
    if not patients or desk is None:
        return  # the patients' demo runs first; without patients there is nothing to book
    if session.scalar(
        select(Appointment.id).where(Appointment.practice_id == practice.id).limit(1)
    ):
        return
    rng = random.Random(SEED)
    tz = practice.timezone
    today = local_today(tz, now)
    days = days_between(today - timedelta(days=3), today + timedelta(days=4))
    staff = [members[k] for k in WEEKS if k in members]
    template = load_template(
        session,
        practice_id=practice.id,
        staff_ids=[s.id for s in staff] + [s.supervisor_id for s in staff if s.supervisor_id],
        first_day=days[0],
        last_day=days[-1],
        tz=tz,
    )
    for day in days:
        for member in staff:
            for opening in openings_for(template, staff_id=member.id, day=day):
                start = opening.start_at
                while start < opening.end_at:
                    kind = _pick_type(rng, member, types, opening)
                    if kind is None:
                        break
                    end = start + timedelta(minutes=kind.duration_minutes)
                    if end > opening.end_at:
                        break
                    if rng.random() < FILL:
                        _book_one(session, rng, desk, member, kind, patients, start, now)
                    start = end


def _book_one(session, rng, desk, member, kind, patients, start, now) -> None:
    patient = session.get(Patient, rng.choice(patients))
    booked_at = min(now, start) - timedelta(days=rng.randint(1, 20))
    try:
        appointment = booking.book_appointment(
            session,
            acting=Acting(desk, booked_at),
            patient=patient,
            staff=member,
            appointment_type=kind,
            start_at=start,
            source=rng.choice(["phone", "phone", "desk"]),
        )
        if appointment.end_at <= now:
            roll = rng.random()
            if roll < 0.06:
                booking.cancel_appointment(
                    session,
                    acting=Acting(desk, booked_at),
                    appointment=appointment,
                    reason="Annulé par le patient",
                )
            else:
                status = "noshow" if roll < 0.1 else "fulfilled"
                booking.set_status(
                    session,
                    acting=Acting(desk, appointment.end_at),
                    appointment=appointment,
                    status=status,
                )
        elif appointment.start_at <= now:
            booking.set_status(
                session, acting=Acting(desk, now), appointment=appointment, status="arrived"
            )
    except DomainError:
        pass  # e.g. the patient already has an appointment at that time: not booked


#: The same-day type: a short consultation taken in a held slot.
SAME_DAY_TYPE = "Soins non programmés"
#: Days of held-slot history shown by the figures on first start.
HOLD_HISTORY_DAYS = 28


def _holds(session, practice, members, types, now: datetime) -> None:
    """Every GP holds 25 % of each opening (15-minute slots, released an hour ahead);
    the last four weeks show held slots used at the desk, a few by the SAS regulator,
    released before noon and lost in the afternoon."""
    if session.scalar(select(HoldPolicy.id).where(HoldPolicy.practice_id == practice.id)):
        return
    if SAME_DAY_TYPE not in types:
        types[SAME_DAY_TYPE] = catalogue.save_type(
            session,
            actor=None,
            practice_id=practice.id,
            data=catalogue.TypeInput(
                label=SAME_DAY_TYPE,
                duration_minutes=15,
                professions=["gp", "junior_doctor"],
                colour="red",
                is_unscheduled=True,
            ),
        )
    holds.set_policy(
        session,
        actor=None,
        staff=None,
        practice_id=practice.id,
        data=holds.PolicyInput(mode="share", share_percent=25, weekdays=(0, 1, 2, 3, 4)),
    )
    patients = list(session.scalars(select(Patient.id).where(Patient.practice_id == practice.id)))
    desk = members.get("marie.dubois")
    if not patients or desk is None:
        return
    tz = practice.timezone
    today = local_today(tz, now)
    first = today - timedelta(days=HOLD_HISTORY_DAYS)
    start_at, _ = local_day_bounds(first, tz)
    holds.materialise(
        session,
        practice_id=practice.id,
        tz=tz,
        first_day=first,
        last_day=today + timedelta(days=2),
        now=start_at,
    )
    gps = {m.id: m for m in members.values() if m.profession == "gp"}
    rng = random.Random(SEED + 12)
    kind = types[SAME_DAY_TYPE]
    for day in days_between(first, today - timedelta(days=1)):
        offers = [
            h
            for h in holds.holds_between(
                session,
                practice_id=practice.id,
                tz=tz,
                staff_ids=list(gps),
                start_at=local_day_bounds(day, tz)[0],
                end_at=local_day_bounds(day, tz)[1],
                now=local_day_bounds(day, tz)[0],
            )
            if h.state == HELD
        ]
        for hold in offers:
            roll = rng.random()
            if roll < 0.55:
                regulated = roll < 0.06
                _book_held(session, rng, desk, gps[hold.staff_id], kind, patients, hold, regulated)
        # The job's two passes: before noon (released), at the end of the day (lost).
        day_start = local_day_bounds(day, tz)[0]
        holds.release_due(session, practice_id=practice.id, now=day_start + timedelta(hours=11))
        holds.release_due(session, practice_id=practice.id, now=day_start + timedelta(hours=23))


def _book_held(session, rng, desk, gp, kind, patients, hold, regulated: bool) -> None:
    booked_at = hold.start_at - timedelta(hours=rng.randint(2, 3))
    if regulated:
        booked_at = hold.start_at - timedelta(hours=rng.randint(18, 30))
    try:
        appointment = booking.book_appointment(
            session,
            acting=Acting(desk, booked_at),
            patient=session.get(Patient, rng.choice(patients)),
            staff=gp,
            appointment_type=kind,
            start_at=hold.start_at,
            source="regulator" if regulated else rng.choice(["phone", "phone", "walk-in"]),
            regulator_name="Dr Girard (SAS 69)" if regulated else "",
            regulator_reference=f"SAS-{rng.randint(10000, 99999)}" if regulated else "",
        )
        booking.set_status(
            session, acting=Acting(desk, hold.end_at), appointment=appointment, status="fulfilled"
        )
    except DomainError:
        pass  # outside SAS hours, the patient busy then…: that slot stays unused


def load(session: Session, *, practice, members: dict[str, Staff], now: datetime) -> None:
    """Types, rules, the week of appointments and the held slots, each only if not there
    yet."""
    types = _types(session, practice)
    for key, label in DEFAULT_TYPES.items():
        if key in members and members[key].default_type_id is None:
            members[key].default_type_id = types[label].id
    since = local_today(practice.timezone, now) - timedelta(days=90)
    _rules(session, practice, members, types, since)
    session.flush()
    _week_of_appointments(session, practice, members, types, now)
    _holds(session, practice, members, types, now)
