"""Shared setup of the agenda service tests: a practice with two open GPs, a secretary,
two appointment types and a patient (fixture ``t``, registered as a plugin by
conftest.py), and a ``book`` shortcut."""

from contextlib import contextmanager
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.factories import (
    local,
    make_appointment_type,
    make_open_staff,
    make_patient,
    make_staff,
)
from umpro.acting import Acting
from umpro.patients.models import Patient
from umpro.scheduling.models import Appointment, AppointmentType
from umpro.scheduling.services import booking
from umpro.team.models import Staff

DAY = date(2027, 1, 11)  # a Monday
NOW = local(date(2027, 1, 4), "08:00")


@pytest.fixture
def t(session, practice):
    gp = make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    gp2 = make_open_staff(session, practice, given_name="Karim", family_name="Benali")
    return SimpleNamespace(
        practice=practice,
        gp=gp,
        gp2=gp2,
        secretary=make_staff(session, practice, profession="secretary"),
        consult=make_appointment_type(session, practice, label="Consultation"),
        long=make_appointment_type(
            session, practice, label="Consultation longue", duration_minutes=30
        ),
        patient=make_patient(session, practice),
    )


def book(session, t, start="09:00", *, end=None, day=DAY, now=NOW, **kwargs):
    values = {
        "actor": t.secretary,
        "patient": t.patient,
        "staff": t.gp,
        "appointment_type": t.consult,
    } | kwargs
    acting = Acting(values.pop("actor"), now, values.pop("ip", ""))
    return booking.book_appointment(
        session,
        acting=acting,
        start_at=local(day, start),
        end_at=local(day, end) if end else None,
        **values,
    )


@contextmanager
def thread_session(app):
    """The app's session in an app context of the calling thread, removed on the way out."""
    from umpro.extensions import db

    with app.app_context():
        session = db.session
        try:
            yield session
        finally:
            session.remove()


def book_from_ids(session, ids, n, *, start_at, now, **fields):
    """Books patient ``n`` of ``ids`` (ids of the secretary, the GP, the appointment type and
    the patients, as the thread tests keep them) in the GP's agenda, loading each row in
    ``session`` (a thread's own session)."""
    return booking.book_appointment(
        session,
        acting=Acting(session.get(Staff, ids["secretary"]), now),
        patient=session.get(Patient, ids["patients"][n]),
        staff=session.get(Staff, ids["gp"]),
        appointment_type=session.get(AppointmentType, ids["type"]),
        start_at=start_at,
        **fields,
    )


def count(session, model=Appointment, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))
