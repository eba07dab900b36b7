"""Memberships: which delegate is trained and declared for which protocol, and until when.

Only a delegate with a membership valid on the day may accept a task under a protocol.
Recording and ending memberships is for admins (``membership.manage``).
"""

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.delegation.models import Protocol, ProtocolMembership
from umpro.delegation.services._common import authorize, same_practice
from umpro.errors import Conflict, Invalid
from umpro.team.models import Staff
from umpro.team.professions import label as profession_label


def _valid_on(day: date):
    return (ProtocolMembership.trained_on <= day) & or_(
        ProtocolMembership.valid_until.is_(None), ProtocolMembership.valid_until >= day
    )


def add_membership(
    session: Session,
    *,
    acting: Acting,
    protocol: Protocol,
    staff: Staff,
    trained_on: date | None,
    valid_until: date | None,
    today: date,
) -> ProtocolMembership:
    """Declare ``staff`` a delegate of ``protocol``. Admins only. Refuses a member of
    another practice, an inactive account, a profession the protocol does not delegate
    to, a training date missing or in the future, an end before the training, and a
    period overlapping another membership of the same member to the same protocol."""
    authorize(
        acting.actor, "membership.manage", protocol, "Seul un administrateur gère les adhésions."
    )
    same_practice(staff, protocol.practice_id, "Membre de l'équipe introuvable.", "staff_id")
    if not staff.is_active:
        raise Invalid(f"Le compte de {staff.display_name} est désactivé.", field="staff_id")
    if staff.profession not in protocol.delegate_professions:
        allowed = ", ".join(profession_label(p) for p in protocol.delegate_professions)
        raise Invalid(
            f"Ce protocole est délégué aux professions suivantes : {allowed}.", field="staff_id"
        )
    if trained_on is None:
        raise Invalid("La date de formation est obligatoire.", field="trained_on")
    if trained_on > today:
        raise Invalid("La date de formation ne peut pas être dans le futur.", field="trained_on")
    if valid_until is not None and valid_until < trained_on:
        raise Invalid("La fin de validité ne peut pas précéder la formation.", field="valid_until")
    overlaps = select(ProtocolMembership.id).where(
        ProtocolMembership.protocol_id == protocol.id,
        ProtocolMembership.staff_id == staff.id,
        or_(ProtocolMembership.valid_until.is_(None), ProtocolMembership.valid_until >= trained_on),
    )
    if valid_until is not None:
        overlaps = overlaps.where(ProtocolMembership.trained_on <= valid_until)
    if session.scalar(overlaps.limit(1)) is not None:
        raise Conflict(
            f"{staff.display_name} a déjà une adhésion à ce protocole sur cette période : "
            "mettez-y fin avant d'en enregistrer une nouvelle.",
            field="trained_on",
        )
    membership = ProtocolMembership(
        practice_id=protocol.practice_id,
        protocol=protocol,
        staff=staff,
        trained_on=trained_on,
        valid_until=valid_until,
        recorded_by_id=acting.actor.id if acting.actor else None,
        created_at=acting.now,
    )
    session.add(membership)
    session.flush()
    return membership


def end_membership(
    session: Session, *, acting: Acting, membership: ProtocolMembership, on: date
) -> ProtocolMembership:
    """End a membership on ``on`` (the last valid day). Admins only. Refuses a day before
    the training and a membership already ended earlier."""
    authorize(
        acting.actor, "membership.manage", membership, "Seul un administrateur gère les adhésions."
    )
    if on < membership.trained_on:
        raise Invalid("La fin de validité ne peut pas précéder la formation.", field="on")
    if membership.valid_until is not None and membership.valid_until <= on:
        raise Conflict("Cette adhésion a déjà pris fin à cette date ou avant.", field="on")
    membership.valid_until = on
    membership.ended_at = acting.now
    membership.ended_by_id = acting.actor.id if acting.actor else None
    session.flush()
    return membership


def valid_membership(
    session: Session, *, staff: Staff, protocol: Protocol, on: date
) -> ProtocolMembership | None:
    return session.scalar(
        select(ProtocolMembership)
        .where(
            ProtocolMembership.staff_id == staff.id,
            ProtocolMembership.protocol_id == protocol.id,
            _valid_on(on),
        )
        .limit(1)
    )


def valid_protocol_ids(session: Session, *, staff: Staff, on: date) -> list[int]:
    """Protocols ``staff`` may accept tasks under on ``on``."""
    return list(
        session.scalars(
            select(ProtocolMembership.protocol_id).where(
                ProtocolMembership.staff_id == staff.id, _valid_on(on)
            )
        )
    )


def delegates_for(session: Session, *, protocol: Protocol, on: date) -> list[Staff]:
    """Active members with a membership to ``protocol`` valid on ``on``."""
    return list(
        session.scalars(
            select(Staff)
            .join(ProtocolMembership, ProtocolMembership.staff_id == Staff.id)
            .where(
                ProtocolMembership.protocol_id == protocol.id,
                Staff.is_active.is_(True),
                _valid_on(on),
            )
            .order_by(Staff.family_name, Staff.given_name)
            .distinct()
        )
    )


def list_memberships(session: Session, *, protocol: Protocol) -> list[ProtocolMembership]:
    return list(
        session.scalars(
            select(ProtocolMembership)
            .options(joinedload(ProtocolMembership.staff))
            .where(ProtocolMembership.protocol_id == protocol.id)
            .order_by(ProtocolMembership.trained_on.desc(), ProtocolMembership.id.desc())
        )
    )


def get_membership(session: Session, *, practice_id: int, membership_id: int):
    return same_practice(
        session.get(ProtocolMembership, membership_id), practice_id, "Adhésion introuvable."
    )
