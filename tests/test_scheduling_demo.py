"""The demo agenda: types, weekly openings, the junior's teaching half-day and a week of
appointments around today, created through the services, idempotent."""

from datetime import timedelta

from sqlalchemy import func, select

from umpro.db import utcnow
from umpro.patients.models import Patient
from umpro.scheduling import demo as scheduling_demo
from umpro.scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityRule,
    HeldSlot,
    WeeklyAbsence,
)
from umpro.team.models import Staff


def _counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (AppointmentType, AvailabilityRule, WeeklyAbsence, Appointment)
    )


def test_demo_agenda_is_realistic_and_idempotent(session):
    from umpro.demo import load_demo

    load_demo(session, password="motdepasse-de-demo")
    session.commit()
    types, rules, weekly, appointments = _counts(session)
    assert types == 8 and rules > 30 and weekly == 1  # 7 + the same-day type
    assert set(scheduling_demo.TYPES) | {scheduling_demo.SAME_DAY_TYPE} == set(
        session.scalars(select(AppointmentType.label))
    )
    defaults = dict(
        session.execute(
            select(Staff.email, AppointmentType.label).join(
                AppointmentType, AppointmentType.id == Staff.default_type_id
            )
        ).all()
    )
    assert defaults["claire.martin@msp-demo.fr"] == "Consultation"
    assert defaults["nathalie.roux@msp-demo.fr"] == "Séance Asalée"
    if session.scalar(select(func.count(Patient.id))):
        assert appointments > 150
        now = utcnow()
        statuses = dict(
            session.execute(
                select(Appointment.status, func.count()).group_by(Appointment.status)
            ).all()
        )
        assert statuses.get("fulfilled", 0) > 20 and statuses.get("booked", 0) > 20
        # The ordinary appointments of the week around today: the reports demo adds three
        # years of past consultations, the held slots' history goes back 4 weeks.
        first, last = session.execute(
            select(func.min(Appointment.start_at), func.max(Appointment.start_at)).where(
                Appointment.start_at > now - timedelta(days=14),
                Appointment.is_unscheduled.is_(False),
            )
        ).one()
        states = dict(
            session.execute(select(HeldSlot.state, func.count()).group_by(HeldSlot.state)).all()
        )
        assert min(states.get(s, 0) for s in ("used", "released", "lost", "held")) > 10, states
        regulated = select(func.count()).where(Appointment.source == "regulator")
        assert session.scalar(regulated) > 0
        assert now - timedelta(days=4) < first.replace(tzinfo=now.tzinfo)
        assert last.replace(tzinfo=now.tzinfo) < now + timedelta(days=5)
    load_demo(session, password="motdepasse-de-demo")
    session.commit()
    assert _counts(session) == (types, rules, weekly, appointments)


def test_demo_without_patients_books_nothing(session, practice):
    from tests.factories import make_staff

    members = {
        "marie.dubois": make_staff(session, practice, profession="secretary"),
        "claire.martin": make_staff(session, practice, profession="gp"),
    }
    scheduling_demo.load(session, practice=practice, members=members, now=utcnow())
    assert session.scalar(select(func.count(Appointment.id))) == 0
    assert session.scalar(select(func.count(AvailabilityRule.id))) == 9
