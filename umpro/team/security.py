"""Security events on accounts (issue 14, fix 1).

A change of profession, RPPS, supervisor or admin flag, a password reset, a
deactivation are written to the access log: who (the row's ``staff_id``), whom and
before/after in ``target`` (ids and codes, never names). A change that grants clinical
access waits for a second admin's confirmation; where the practice has a single admin it
is applied but shown (team and profile pages) until acknowledged.
"""

from dataclasses import asdict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access
from umpro.auth.permissions import can
from umpro.errors import Forbidden, Invalid, NotFound
from umpro.team.models import Staff, StaffChange
from umpro.team.professions import CLINICIANS, Profession

PENDING, APPLIED, REFUSED = "pending", "applied", "refused"
#: Fields whose change is a security event, with how a value is written in the log.
WATCHED = ("profession", "rpps", "supervisor_id", "is_admin")


def grants_clinical_access(before: str, after: str) -> bool:
    """True when ``after`` reaches clinical data that ``before`` did not (a student sees
    only the patients they see: becoming any other clinician widens that)."""
    if after not in CLINICIANS or after == before:
        return False
    return before not in CLINICIANS or before == Profession.STUDENT


def snapshot(staff: Staff) -> dict:
    return {name: getattr(staff, name) for name in WATCHED}


def _code(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def log_event(session: Session, acting: Acting, staff: Staff, event: str, detail: str = "") -> None:
    """One access-log row ``security.<event>`` about ``staff`` (ids and codes, no name)."""
    record_access(
        session,
        acting=acting,
        action=f"security.{event}",
        target=f"staff:{staff.id} {detail}".strip()[:200],
    )


def log_changes(session: Session, *, acting: Acting, staff: Staff, before: dict) -> None:
    """One access-log row per watched field that changed: ``staff:12 nurse>gp``."""
    for name in WATCHED:
        old, new = before[name], getattr(staff, name)
        if old != new:
            log_event(session, acting, staff, name, f"{_code(old)}>{_code(new)}")


def other_admins(session: Session, *, actor: Staff) -> int:
    return session.scalar(
        select(func.count(Staff.id)).where(
            Staff.practice_id == actor.practice_id,
            Staff.is_admin.is_(True),
            Staff.is_active.is_(True),
            Staff.id != actor.id,
        )
    )


def open_change(session: Session, *, acting: Acting, staff: Staff, data):
    """Record an access-granting edit: ``pending`` when another admin can confirm it,
    else ``applied`` (the caller applies it) and shown until acknowledged."""
    status = PENDING if other_admins(session, actor=acting.actor) else APPLIED
    change = StaffChange(
        practice_id=staff.practice_id,
        staff=staff,
        requested_by=acting.actor,
        requested_at=acting.now,
        data=asdict(data),
        before_profession=staff.profession,
        after_profession=data.profession,
        status=status,
    )
    session.add(change)
    session.flush()
    event = "access_grant_requested" if status == PENDING else "access_grant_unconfirmed"
    detail = f"change:{change.id} {change.before_profession}>{change.after_profession}"
    log_event(session, acting, staff, event, detail)
    return change


def get_change(session: Session, *, actor: Staff, change_id: int) -> StaffChange:
    change = session.get(StaffChange, change_id)
    if change is None or change.practice_id != actor.practice_id:
        raise NotFound("Demande de modification introuvable.")
    return change


def decide_change(
    session: Session, *, acting: Acting, change: StaffChange, confirm: bool
) -> StaffChange:
    """A second admin confirms (applies) or refuses a pending change. Refuses the admin
    who asked for it and the account it concerns."""
    from umpro.team import services  # services calls this module

    if not can(acting.actor, "staff_change.decide", change):
        raise Forbidden(
            "Un autre administrateur doit confirmer ce changement d'accès : "
            "ni son auteur ni le compte concerné ne le peuvent."
        )
    if change.status != PENDING:
        raise Invalid("Ce changement a déjà été traité.")
    change.decided_by_id, change.decided_at = acting.actor.id, acting.now
    if confirm:
        services.apply_staff_input(
            session, acting=acting, staff=change.staff, data=services.StaffInput(**change.data)
        )
        change.status = APPLIED
        change.acknowledged_by_id, change.acknowledged_at = acting.actor.id, acting.now
    else:
        change.status = REFUSED
    event = "access_grant_confirmed" if confirm else "access_grant_refused"
    log_event(session, acting, change.staff, event, f"change:{change.id}")
    session.flush()
    return change


def acknowledge_change(session: Session, *, acting: Acting, change: StaffChange) -> None:
    """The account concerned, or an admin who did not make the change, acknowledges an
    access grant applied without a second admin."""
    if change.status != APPLIED or change.acknowledged_at is not None:
        raise Invalid("Ce changement a déjà été pris en compte.")
    if not can(acting.actor, "staff_change.acknowledge", change):
        raise Forbidden(
            "Ce changement doit être pris en compte par le compte concerné "
            "ou par un autre administrateur."
        )
    change.acknowledged_by_id, change.acknowledged_at = acting.actor.id, acting.now
    detail = f"change:{change.id}"
    log_event(session, acting, change.staff, "access_grant_acknowledged", detail)
    session.flush()


def changes_to_show(session: Session, *, viewer: Staff) -> list[StaffChange]:
    """What the viewer must see: changes of their own account not yet acknowledged, and
    for an admin every pending or unacknowledged change of the practice."""
    open_ = or_(
        StaffChange.status == PENDING,
        (StaffChange.status == APPLIED) & StaffChange.acknowledged_at.is_(None),
    )
    query = select(StaffChange).where(StaffChange.practice_id == viewer.practice_id, open_)
    if not viewer.is_admin:
        query = query.where(StaffChange.staff_id == viewer.id)
    return list(session.scalars(query.order_by(StaffChange.id).limit(50)))
