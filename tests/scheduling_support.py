"""Shared setup of the agenda service tests: a practice with two open GPs, a secretary,
two appointment types and a patient (fixture ``t``, registered as a plugin by
conftest.py), and a ``book`` shortcut."""

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
from umpro.scheduling.models import Appointment
from umpro.scheduling.services import booking

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
    return booking.book_appointment(
        session,
        start_at=local(day, start),
        end_at=local(day, end) if end else None,
        now=now,
        **values,
    )


def count(session, model=Appointment, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))
