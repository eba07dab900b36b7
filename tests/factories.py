"""Factory helpers: ``make_x(session, …, **overrides)`` build valid rows through the services."""

import itertools

from umpro.acting import Acting
from umpro.db import utcnow
from umpro.team import services as team

PASSWORD = "motdepasse-de-test"
_seq = itertools.count(1)


def make_practice(session, **overrides):
    n = next(_seq)
    values = {"name": f"Maison de santé {n}", "slug": f"msp-{n}"} | overrides
    return team.create_practice(session, **values)


def make_staff(session, practice, *, profession="gp", password=PASSWORD, **overrides):
    n = next(_seq)
    values = {
        "email": f"{profession}.{n}@exemple.fr",
        "given_name": "Camille",
        "family_name": f"Essai{n}",
        "profession": profession,
    } | overrides
    return team.create_staff(
        session,
        acting=Acting(None, utcnow()),
        practice=practice,
        data=team.StaffInput(**values),
        password=password,
    )


def make_room(session, practice, **overrides):
    n = next(_seq)
    values = {"name": f"Salle {n}", "kind": "gp_office"} | overrides
    return team.save_room(session, practice_id=practice.id, **values)


def make_patient(session, practice, *, actor=None, **overrides):
    """A patient registered through the patients service (likely duplicates accepted).

    Overrides are ``PatientInput`` fields (family_name, given_names, birth_date, sex,
    birth_name, ins, phone, email, address, postal_code, city, has_chronic_condition).
    """
    from datetime import date

    from umpro.db import utcnow
    from umpro.patients import services as patients

    n = next(_seq)
    values = {
        "family_name": f"Patient{n}",
        "given_names": "Dominique",
        "birth_date": date(1970, 1, 1),
        "sex": "F",
    } | overrides
    return patients.create_patient(
        session,
        acting=Acting(actor, utcnow()),
        practice=practice,
        data=patients.PatientInput(**values),
        confirm_duplicate=True,
    )


def make_helene_lefevre(session, practice, day):
    """The patient the booking journeys find by typing "helene lef" (no accent, partial):
    Hélène Lefèvre, born on ``day``'s date in 1950."""
    return make_patient(
        session,
        practice,
        family_name="Lefèvre",
        given_names="Hélène",
        birth_date=day.replace(year=1950),
    )


# --- Scheduling (issue 4) -----------------------------------------------------------


def make_appointment_type(session, practice, **overrides):
    from umpro.scheduling.services.catalogue import TypeInput, save_type

    n = next(_seq)
    values = {
        "label": f"Consultation {n}",
        "duration_minutes": 15,
        "professions": ["gp", "junior_doctor"],
    } | overrides
    return save_type(session, actor=None, practice_id=practice.id, data=TypeInput(**values))


def make_rule(session, staff, *, weekday, start="08:00", end="12:00", **overrides):
    """A weekly opening of ``staff`` (wall-clock hours), valid from 2020 on."""
    from datetime import date, time

    from umpro.scheduling.services.templates import RuleInput, save_rule

    values = {
        "staff_id": staff.id,
        "weekday": weekday,
        "start_time": time.fromisoformat(start),
        "end_time": time.fromisoformat(end),
        "valid_from": date(2020, 1, 1),
    } | overrides
    return save_rule(session, actor=None, practice_id=staff.practice_id, data=RuleInput(**values))


def make_absence(session, staff, *, start_at, end_at, kind="leave"):
    from umpro.scheduling.services.templates import AbsenceInput, save_absence

    return save_absence(
        session,
        actor=None,
        practice_id=staff.practice_id,
        data=AbsenceInput(staff_id=staff.id, kind=kind, start_at=start_at, end_at=end_at),
    )


def make_open_staff(session, practice, *, profession="gp", weekdays=range(5), **overrides):
    """A staff member open 08:00–12:00 and 14:00–19:00 on ``weekdays``, in a room of their
    own (``staff.test_room``)."""
    staff = make_staff(session, practice, profession=profession, **overrides)
    room = make_room(session, practice)
    for weekday in weekdays:
        make_rule(session, staff, weekday=weekday, start="08:00", end="12:00", room_id=room.id)
        make_rule(session, staff, weekday=weekday, start="14:00", end="19:00", room_id=room.id)
    staff.test_room = room
    return staff


def local(day, hour: str, tz: str = "Europe/Paris"):
    """The UTC instant of ``hour`` (HH:MM) on ``day`` in ``tz``."""
    from datetime import time

    from umpro.timeutil import local_to_utc

    return local_to_utc(day, time.fromisoformat(hour), tz)


def future_weekday(weekday: int = 0, *, weeks: int = 2):
    """A date ``weeks`` weeks ahead falling on ``weekday`` and not a public holiday."""
    from datetime import timedelta

    from umpro.db import utcnow
    from umpro.scheduling.holidays import holiday_name

    today = utcnow().date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)
    while holiday_name(day):
        day += timedelta(days=7)
    return day


# --- Patients (issue 3) -------------------------------------------------------------


def make_entry(session, patient, author, *, kind="note", now=None, **overrides):
    """An entry of ``patient``'s shared file written by ``author``."""
    from umpro.db import utcnow
    from umpro.patients import services as patients

    values = {"title": "Consultation", "body": "Tension 13/8, revoir dans 3 mois."} | overrides
    return patients.add_entry(
        session, acting=Acting(author, now or utcnow()), patient=patient, kind=kind, **values
    )


def make_declaration(session, patient, gp, *, start_on=None):
    """``gp`` declared médecin traitant of ``patient`` (from 1 January 2020 by default)."""
    from datetime import date

    from umpro.db import utcnow
    from umpro.patients import services as patients

    return patients.declare(
        session,
        acting=Acting(None, utcnow()),
        patient=patient,
        gp_id=gp.id,
        start_on=start_on or date(2020, 1, 1),
    )


def make_request(session, patient, gp, **overrides):
    """A pending request of ``patient`` to ``gp`` as médecin traitant."""
    from umpro.db import utcnow
    from umpro.patients import services as patients

    now = utcnow()
    values = {"channel": "phone", "received_on": now.date()} | overrides
    return patients.create_request(
        session, acting=Acting(None, now), patient=patient, gp_id=gp.id, **values
    )


# --- Calendars (issue 7) ------------------------------------------------------------


def make_appointment(session, staff, patient, *, start_at, minutes=15, type=None, **overrides):
    """An appointment row written directly, bypassing the booking rules (any day, any
    status: calendar tests need Sundays of DST changes, the past, cancellations)."""
    from datetime import timedelta

    from umpro.db import utcnow
    from umpro.scheduling.models import Appointment

    type = type or make_appointment_type(session, staff.practice)
    values = {
        "practice_id": staff.practice_id,
        "staff_id": staff.id,
        "patient_id": patient.id,
        "type_id": type.id,
        "start_at": start_at,
        "end_at": start_at + timedelta(minutes=minutes),
        "updated_at": utcnow(),
    } | overrides
    appointment = Appointment(**values)
    session.add(appointment)
    session.flush()
    return appointment


# --- Delegation (issue 6) -----------------------------------------------------------


def born_years_ago(years: int, *, days: int = 30):
    """A birth date that makes a patient ``years`` old today (``days`` past the birthday)."""
    from datetime import timedelta

    from umpro.db import utcnow

    today = utcnow().date()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - timedelta(days=days)


def install_protocols(session, practice) -> dict:
    """The reference protocols of ``practice``, by code (installed once)."""
    from umpro.db import utcnow
    from umpro.delegation.services import protocols

    protocols.install_reference_protocols(
        session, acting=Acting(None, utcnow()), practice_id=practice.id
    )
    return {p.code: p for p in protocols.list_protocols(session, practice_id=practice.id)}


def make_membership(session, protocol, staff, *, trained_on=None, valid_until=None):
    from datetime import timedelta

    from umpro.db import utcnow
    from umpro.delegation.services import memberships

    today = utcnow().date()
    return memberships.add_membership(
        session,
        acting=Acting(None, utcnow()),
        protocol=protocol,
        staff=staff,
        trained_on=trained_on or today - timedelta(days=365),
        valid_until=valid_until,
        today=today + timedelta(days=1),
    )


def make_consent(session, patient, protocol, *, actor=None):
    from umpro.db import utcnow
    from umpro.delegation.services import consents

    return consents.give_consent(
        session, acting=Acting(actor, utcnow()), patient=patient, protocol=protocol
    )


def make_task(session, gp, patient, protocol, *, consent=True, now=None, **overrides):
    """A task handed off by ``gp`` (consent recorded first, every inclusion confirmed)."""
    from umpro.db import utcnow
    from umpro.delegation.services import consents, tasks

    now = now or utcnow()
    if (
        consent
        and protocol.consent_required
        and consents.standing_consent(session, patient=patient, protocol=protocol) is None
    ):
        make_consent(session, patient, protocol)
    values = {
        "protocol_code": protocol.code,
        "inclusion_met": [c["key"] for c in protocol.inclusion_criteria],
    } | overrides
    return tasks.create_task(
        session, acting=Acting(gp, now), patient=patient, data=tasks.HandOff(**values)
    )


def delegation_team(session, practice):
    """Two GPs, an Asalée nurse with every reference protocol, an APN with the national
    ones, an adult woman who may be cared for under any of them but the cognitive one."""
    from types import SimpleNamespace

    protocols = install_protocols(session, practice)
    team = SimpleNamespace(
        protocols=protocols,
        dt2=protocols["asalee-dt2"],
        cystitis=protocols["cystite"],
        gp=make_staff(session, practice, profession="gp"),
        gp2=make_staff(session, practice, profession="gp"),
        nurse=make_staff(session, practice, profession="asalee_nurse"),
        apn=make_staff(session, practice, profession="apn_nurse"),
        patient=make_patient(session, practice, sex="F", birth_date=born_years_ago(50)),
    )
    for protocol in protocols.values():
        make_membership(session, protocol, team.nurse)
    for code in ("cystite", "odynophagie"):
        make_membership(session, protocols[code], team.apn)
    return team


# --- Reports: patient-list growth (issue 13) ----------------------------------------


def make_declaration_period(session, patient, gp, *, start_on, end_on=None, reason=""):
    """A declaration row written directly (history: it may have ended long ago)."""
    from umpro.patients.models import TreatingDeclaration

    declaration = TreatingDeclaration(
        practice_id=patient.practice_id,
        patient_id=patient.id,
        gp_id=gp.id,
        start_on=start_on,
        end_on=end_on,
        end_reason=reason if end_on else "",
    )
    session.add(declaration)
    session.flush()
    return declaration


def make_visit(session, staff, patient, *, on, status="fulfilled", type=None, hour="10:00"):
    """A past appointment at ``hour`` (Paris time) on ``on`` with the given status."""
    return make_appointment(
        session, staff, patient, start_at=local(on, hour), status=status, type=type
    )


# --- Same-day care (issue 12) ----------------------------------------------------------


def make_hold_policy(session, practice, *, staff=None, actor=None, **overrides):
    """A hold policy (the practice default when ``staff`` is None): 25 % of each opening,
    Monday to Friday, 15-minute slots, released 60 minutes ahead."""
    from umpro.scheduling.services.holds import PolicyInput, set_policy

    actor = actor or make_staff(session, practice, profession="coordinator", is_admin=True)
    values = {"mode": "share", "share_percent": 25} | overrides
    return set_policy(session, actor=actor, staff=staff, data=PolicyInput(**values))


# --- Edge: one input parser, ids and JSON never 500 (issues 10 and 14) --------------


def api_world(session, practice):
    """One object behind every JSON endpoint that takes an id in its path (a patient, a
    pending request, a task, an appointment), and who may call each endpoint."""
    from datetime import timedelta
    from types import SimpleNamespace

    from umpro.db import utcnow

    team = delegation_team(session, practice)
    team.gp.is_admin = True
    secretary = make_staff(session, practice, profession="secretary", is_admin=True)
    start_at = utcnow().replace(microsecond=0) + timedelta(days=7)
    kind = make_appointment_type(session, practice)
    return SimpleNamespace(
        team=team,
        kind=kind,
        callers=[team.gp, secretary, team.nurse],
        ids={
            "patient_id": team.patient.id,
            "request_id": make_request(session, team.patient, team.gp).id,
            "task_id": make_task(session, team.gp, team.patient, team.dt2).id,
            "appointment_id": make_appointment(
                session, team.gp, team.patient, start_at=start_at, type=kind
            ).id,
            "feed_id": 1,
        },
    )
