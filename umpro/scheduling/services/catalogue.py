"""Appointment types. Editing them is for admins (``agenda.templates``)."""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from umpro.auth.permissions import ensure
from umpro.errors import Conflict, Invalid
from umpro.scheduling.models import COLOURS, AppointmentType
from umpro.team.professions import Profession
from umpro.team.services import get_in_practice


@dataclass
class TypeInput:
    label: str
    duration_minutes: int
    professions: list[str] = field(default_factory=list)
    colour: str = "blue"
    is_home_visit: bool = False
    is_teleconsultation: bool = False
    is_unscheduled: bool = False
    is_active: bool = True


def list_types(
    session: Session, *, practice_id: int, active_only: bool = False
) -> list[AppointmentType]:
    query = select(AppointmentType).where(AppointmentType.practice_id == practice_id)
    if active_only:
        query = query.where(AppointmentType.is_active.is_(True))
    return list(session.scalars(query.order_by(AppointmentType.label)))


def get_type(session: Session, *, practice_id: int, type_id: int) -> AppointmentType:
    return get_in_practice(
        session,
        AppointmentType,
        type_id,
        practice_id,
        "Type de rendez-vous introuvable.",
        "type_id",
    )


def save_type(
    session: Session,
    *,
    actor,
    practice_id: int,
    data: TypeInput,
    appointment_type: AppointmentType | None = None,
) -> AppointmentType:
    """Create or edit a type. Admins only (``actor`` None: the demo loader). Refuses an
    empty or duplicate label, a duration not in 5-minute steps up to 8 h, no or unknown
    professions, an unknown colour, a home visit that is also a teleconsultation."""
    ensure(
        actor, "agenda.templates", None, "Seul un administrateur modifie les types de rendez-vous."
    )
    label = data.label.strip()
    if not label:
        raise Invalid("Le libellé est obligatoire.", field="label")
    if not 5 <= data.duration_minutes <= 480 or data.duration_minutes % 5:
        raise Invalid(
            "La durée se compte par pas de 5 minutes, de 5 minutes à 8 heures.",
            field="duration_minutes",
        )
    known = {p.value for p in Profession}
    if not data.professions or not set(data.professions) <= known:
        raise Invalid(
            "Choisissez au moins une profession qui réalise ce type de rendez-vous.",
            field="professions",
        )
    if data.colour not in COLOURS:
        raise Invalid("Couleur inconnue.", field="colour")
    if data.is_home_visit and data.is_teleconsultation:
        raise Invalid(
            "Une visite à domicile ne peut pas être aussi une téléconsultation.",
            field="is_teleconsultation",
        )
    clash = session.scalar(
        select(AppointmentType.id).where(
            AppointmentType.practice_id == practice_id,
            func.lower(AppointmentType.label) == label.lower(),
        )
    )
    if clash is not None and (appointment_type is None or clash != appointment_type.id):
        raise Conflict("Un type de rendez-vous porte déjà ce libellé.", field="label")
    if appointment_type is None:
        appointment_type = AppointmentType(practice_id=practice_id)
        session.add(appointment_type)
    appointment_type.label = label
    appointment_type.duration_minutes = data.duration_minutes
    appointment_type.professions = sorted(set(data.professions))
    appointment_type.colour = data.colour
    appointment_type.is_home_visit = data.is_home_visit
    appointment_type.is_teleconsultation = data.is_teleconsultation
    appointment_type.is_unscheduled = data.is_unscheduled
    appointment_type.is_active = data.is_active
    session.flush()
    return appointment_type
