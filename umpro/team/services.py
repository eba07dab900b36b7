"""Team administration: staff members and rooms. Callers must hold ``team.manage``."""

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.passwords import hash_password, password_problem
from umpro.auth.services import end_all_sessions, normalise_email, revoke_keys_of
from umpro.errors import Conflict, Invalid, NotFound
from umpro.scheduling.models import AppointmentType
from umpro.team import security
from umpro.team.models import ROOM_KINDS, Practice, Room, Staff, StaffChange
from umpro.team.professions import CLINICIANS, SUPERVISED, Profession

RPPS_RE = re.compile(r"^\d{11}$")


def practices(session: Session, slug: str | None = None) -> list[Practice]:
    """Every practice in id order, or only the one named ``slug`` (none when unknown)."""
    query = select(Practice).order_by(Practice.id)
    if slug:
        query = query.where(Practice.slug == slug)
    return list(session.scalars(query))


@dataclass
class StaffInput:
    email: str
    given_name: str
    family_name: str
    profession: str
    rpps: str | None = None
    supervisor_id: int | None = None
    assisted_gp_ids: list[int] = field(default_factory=list)
    is_admin: bool = False
    locale: str = "fr"
    #: The type booking pre-selects for this member (issue 15); None: none.
    default_type_id: int | None = None


def create_practice(
    session: Session,
    *,
    name: str,
    slug: str,
    timezone: str = "Europe/Paris",
    address: str = "",
    phone: str = "",
) -> Practice:
    practice = Practice(name=name, slug=slug, timezone=timezone, address=address, phone=phone)
    session.add(practice)
    session.flush()
    return practice


def get_in_practice(
    session: Session, model, obj_id: int, practice_id: int, message: str, field=None
):
    """The ``model`` row ``obj_id`` if it belongs to the practice, else NotFound(message)."""
    obj = session.get(model, obj_id)
    if obj is None or obj.practice_id != practice_id:
        raise NotFound(message, field=field)
    return obj


def get_staff(session: Session, *, practice_id: int, staff_id: int) -> Staff:
    return get_in_practice(session, Staff, staff_id, practice_id, "Membre de l'équipe introuvable.")


def _check(session: Session, practice_id: int, data: StaffInput, staff: Staff | None) -> None:
    if data.profession not in {p.value for p in Profession}:
        raise Invalid("Profession inconnue.", field="profession")
    if not data.given_name.strip():
        raise Invalid("Le prénom est obligatoire.", field="given_name")
    if not data.family_name.strip():
        raise Invalid("Le nom est obligatoire.", field="family_name")
    if data.rpps and not RPPS_RE.match(data.rpps):
        raise Invalid("Le numéro RPPS comporte 11 chiffres.", field="rpps")
    if data.rpps and data.profession not in CLINICIANS:
        raise Invalid("Seuls les professionnels de santé ont un numéro RPPS.", field="rpps")
    email = normalise_email(data.email)
    clash = session.scalar(select(Staff.id).where(Staff.email == email))
    if clash is not None and (staff is None or clash != staff.id):
        raise Conflict("Cette adresse e-mail est déjà utilisée.", field="email")
    if data.supervisor_id:
        if data.profession not in SUPERVISED:
            raise Invalid(
                "Seuls un docteur junior ou un étudiant ont un maître de stage.",
                field="supervisor_id",
            )
        supervisor = session.get(Staff, data.supervisor_id)
        if (
            supervisor is None
            or supervisor.practice_id != practice_id
            or supervisor.profession != Profession.GP
            or (staff is not None and supervisor.id == staff.id)
        ):
            raise Invalid(
                "Le maître de stage doit être un médecin généraliste de l'équipe.",
                field="supervisor_id",
            )
    if data.assisted_gp_ids and data.profession != Profession.MEDICAL_ASSISTANT:
        raise Invalid("Seul un assistant médical assiste des médecins.", field="assisted_gp_ids")
    if data.default_type_id:
        _check_default_type(session, practice_id, data)


def _check_default_type(session: Session, practice_id: int, data: StaffInput) -> None:
    """The default type is an active type of the practice that this profession performs
    (booking would refuse it otherwise)."""
    chosen = session.get(AppointmentType, data.default_type_id)
    if chosen is None or chosen.practice_id != practice_id or not chosen.is_active:
        raise Invalid("Type de rendez-vous introuvable.", field="default_type_id")
    if not chosen.allows(data.profession):
        raise Invalid(
            f"« {chosen.label} » n'est pas réalisé par cette profession.",
            field="default_type_id",
        )


def _assisted(session: Session, practice_id: int, ids: list[int]) -> list[Staff]:
    if not ids:
        return []
    gps = session.scalars(
        select(Staff).where(
            Staff.id.in_(ids), Staff.practice_id == practice_id, Staff.profession == Profession.GP
        )
    ).all()
    if len(gps) != len(set(ids)):
        raise Invalid("Choisissez des médecins généralistes de l'équipe.", field="assisted_gp_ids")
    return list(gps)


def create_staff(
    session: Session, *, acting: Acting, practice: Practice, data: StaffInput, password: str
) -> Staff:
    """Add a member to ``practice``. Refuses a used e-mail, a weak password, a wrong RPPS,
    a supervisor who is not a GP of the practice. An account made by a member (not by the
    demo or the generator) is a security event: ``security.created``, with its profession
    and admin flag."""
    _check(session, practice.id, data, None)
    if problem := password_problem(password):
        raise Invalid(problem, field="password")
    staff = Staff(
        practice=practice,
        email=normalise_email(data.email),
        password_hash=hash_password(password),
        given_name=data.given_name.strip(),
        family_name=data.family_name.strip(),
        profession=data.profession,
        rpps=data.rpps or None,
        supervisor_id=data.supervisor_id or None,
        is_admin=data.is_admin,
        locale=data.locale,
        default_type_id=data.default_type_id or None,
    )
    staff.assisted_gps = _assisted(session, practice.id, data.assisted_gp_ids)
    session.add(staff)
    session.flush()
    if acting.actor is not None:
        detail = f"{staff.profession}{' admin' if staff.is_admin else ''}"
        security.log_event(session, acting, staff, "created", detail)
    return staff


def update_staff(
    session: Session, *, acting: Acting, staff: Staff, data: StaffInput
) -> StaffChange | None:
    """Edit a member; returns the ``StaffChange`` when the edit grants clinical access.

    Refuses an admin changing their own profession or admin flag. An edit that grants
    clinical access waits for a second admin's confirmation (nothing is applied yet) or,
    in a practice with a single admin, is applied and shown until acknowledged. Changes
    of profession, RPPS, supervisor and admin flag are written to the access log.
    """
    _check(session, staff.practice_id, data, staff)
    if staff.id == acting.actor.id and not data.is_admin:
        raise Invalid(
            "Vous ne pouvez pas retirer vos propres droits d'administration.", field="is_admin"
        )
    if staff.id == acting.actor.id and data.profession != staff.profession:
        raise Invalid(
            "Vous ne pouvez pas modifier votre propre profession : "
            "un autre administrateur doit le faire.",
            field="profession",
        )
    change = None
    if security.grants_clinical_access(staff.profession, data.profession):
        change = security.open_change(session, acting=acting, staff=staff, data=data)
        if change.status == security.PENDING:
            return change
    apply_staff_input(session, acting=acting, staff=staff, data=data)
    return change


def apply_staff_input(session: Session, *, acting: Acting, staff: Staff, data: StaffInput) -> None:
    """Write an already authorised edit (checked again: the team may have changed)."""
    _check(session, staff.practice_id, data, staff)
    before = security.snapshot(staff)
    staff.email = normalise_email(data.email)
    staff.given_name = data.given_name.strip()
    staff.family_name = data.family_name.strip()
    staff.profession = data.profession
    staff.rpps = data.rpps or None
    staff.supervisor_id = data.supervisor_id or None
    staff.is_admin = data.is_admin
    staff.default_type_id = data.default_type_id or None
    staff.assisted_gps = _assisted(session, staff.practice_id, data.assisted_gp_ids)
    session.flush()
    security.log_changes(session, acting=acting, staff=staff, before=before)


def set_active(session: Session, *, acting: Acting, staff: Staff, active: bool) -> None:
    """Deactivate (ends every sign-in session and revokes every API key at once) or
    reactivate a member; never oneself."""
    if staff.id == acting.actor.id:
        raise Invalid("Vous ne pouvez pas désactiver votre propre compte.")
    staff.is_active = active
    staff.deactivated_at = None if active else acting.now
    if not active:
        end_all_sessions(session, staff=staff, now=acting.now)
        revoke_keys_of(session, staff=staff, now=acting.now)
    session.flush()
    event = "reactivated" if active else "deactivated"
    security.log_event(session, acting, staff, event)


def reset_password(session: Session, *, acting: Acting, staff: Staff, password: str) -> None:
    """Set a new password; the member's open sessions end and API keys are revoked."""
    if problem := password_problem(password):
        raise Invalid(problem, field="password")
    staff.password_hash = hash_password(password)
    end_all_sessions(session, staff=staff, now=acting.now)
    revoke_keys_of(session, staff=staff, now=acting.now)
    session.flush()
    security.log_event(session, acting, staff, "password_reset")


def list_staff(session: Session, *, practice_id: int, active_only: bool = False) -> list[Staff]:
    query = select(Staff).where(Staff.practice_id == practice_id)
    if active_only:
        query = query.where(Staff.is_active.is_(True))
    return list(session.scalars(query.order_by(Staff.family_name, Staff.given_name)))


def list_rooms(session: Session, *, practice_id: int, active_only: bool = False) -> list[Room]:
    """The practice's rooms by name (the active ones only with ``active_only``)."""
    query = select(Room).where(Room.practice_id == practice_id)
    if active_only:
        query = query.where(Room.is_active.is_(True))
    return list(session.scalars(query.order_by(Room.name)))


def save_room(
    session: Session,
    *,
    practice_id: int,
    name: str,
    kind: str,
    room: Room | None = None,
    is_active: bool = True,
) -> Room:
    """Create or edit a room; refuses an unknown kind or a name already used in the practice."""
    name = name.strip()
    if not name:
        raise Invalid("Le nom de la salle est obligatoire.", field="name")
    if kind not in ROOM_KINDS:
        raise Invalid("Type de salle inconnu.", field="kind")
    clash = session.scalar(
        select(Room.id).where(
            Room.practice_id == practice_id, func.lower(Room.name) == name.lower()
        )
    )
    if clash is not None and (room is None or clash != room.id):
        raise Conflict("Une salle porte déjà ce nom.", field="name")
    if room is None:
        room = Room(practice_id=practice_id, name=name, kind=kind)
        session.add(room)
    room.name, room.kind, room.is_active = name, kind, is_active
    session.flush()
    return room


def get_room(session: Session, *, practice_id: int, room_id: int) -> Room:
    return get_in_practice(session, Room, room_id, practice_id, "Salle introuvable.")
