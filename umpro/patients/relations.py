"""Which patients a student may reach: those they have an appointment with (DESIGN §1).

The agenda (``umpro.scheduling``) owns appointments; this module only asks it, so the
patients domain works before the agenda exists (a student then reaches no patient).
"""

import importlib.util

from flask import has_request_context, request
from sqlalchemy import ColumnElement, false, literal, select
from sqlalchemy.orm import object_session

from umpro.team.professions import Profession

#: Appointment statuses that do not make a care relation.
_NOT_A_RELATION = ("cancelled", "entered-in-error")


def reach_condition(staff, patient_id) -> ColumnElement[bool] | None:
    """SQL condition on ``patient_id`` (a column or a literal) limiting what ``staff``
    reaches; None when nothing is limited (everyone but students)."""
    if staff.profession != Profession.STUDENT:
        return None
    if importlib.util.find_spec("umpro.scheduling.models") is None:
        return false()
    from umpro.scheduling.models import Appointment

    return patient_id.in_(
        select(Appointment.patient_id).where(
            Appointment.staff_id == staff.id, Appointment.status.not_in(_NOT_A_RELATION)
        )
    )


def reaches(staff, patient) -> bool:
    """True unless ``staff`` is a student without an appointment with ``patient``.

    Answered once per request and patient (the patient page asks for every entry).
    """
    condition = reach_condition(staff, literal(patient.id))
    if condition is None:
        return True
    cache = request.environ.setdefault("umpro.reaches", {}) if has_request_context() else {}
    key = (staff.id, patient.id)
    if key not in cache:
        session = object_session(patient)
        cache[key] = bool(session is not None and session.scalar(select(condition)))
    return cache[key]
