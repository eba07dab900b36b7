"""Which patients a student may reach: those they have an appointment with (docs/domain.md §1).

The agenda (``umpro.scheduling``) owns appointments; this module only asks it. The
agenda's models are imported inside the function: the agenda imports patients.
"""

from sqlalchemy import ColumnElement, event, literal, select
from sqlalchemy.orm import Session, object_session

from umpro.team.professions import Profession

#: Appointment statuses that do not make a care relation.
_NOT_A_RELATION = ("cancelled", "entered-in-error")
_CACHE_KEY = "umpro.reaches"


def reach_condition(staff, patient_id) -> ColumnElement[bool] | None:
    """SQL condition on ``patient_id`` (a column or a literal) limiting what ``staff``
    reaches; None when nothing is limited (everyone but students)."""
    if staff.profession != Profession.STUDENT:
        return None
    from umpro.scheduling.models import Appointment  # the agenda imports patients

    return patient_id.in_(
        select(Appointment.patient_id).where(
            Appointment.staff_id == staff.id, Appointment.status.not_in(_NOT_A_RELATION)
        )
    )


def reaches(staff, patient) -> bool:
    """True unless ``staff`` is a student without an appointment with ``patient``.

    Answered once per transaction and patient: the patient page asks for every entry.
    """
    condition = reach_condition(staff, literal(patient.id))
    if condition is None:
        return True
    session = object_session(patient)
    if session is None:
        return False
    cache = session.info.setdefault(_CACHE_KEY, {})
    key = (staff.id, patient.id)
    if key not in cache:
        cache[key] = bool(session.scalar(select(condition)))
    return cache[key]


@event.listens_for(Session, "after_transaction_end")
def _forget_reaches(session, transaction) -> None:
    """A new transaction may see a new appointment: answer again."""
    session.info.pop(_CACHE_KEY, None)
