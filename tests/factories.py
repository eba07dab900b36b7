"""Factory helpers: ``make_x(session, …, **overrides)`` build valid rows through the services."""

import itertools

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
        session, actor=None, practice=practice, data=team.StaffInput(**values), password=password
    )


def make_room(session, practice, **overrides):
    n = next(_seq)
    values = {"name": f"Salle {n}", "kind": "gp_office"} | overrides
    return team.save_room(session, practice_id=practice.id, **values)


def make_patient(session, practice, **overrides):
    """A patient row. (Issue 3 will route this through the patients service.)"""
    from datetime import date

    from umpro.patients.models import Patient

    n = next(_seq)
    values = {
        "family_name": f"Patient{n}",
        "given_names": "Dominique",
        "birth_date": date(1970, 1, 1),
        "sex": "F",
    } | overrides
    patient = Patient(practice_id=practice.id, **values)
    session.add(patient)
    session.flush()
    return patient
