"""The demo practice, created through the services so that it obeys the rules."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth import audit
from umpro.db import utcnow
from umpro.team import services as team
from umpro.team.models import Practice, Room, Staff
from umpro.team.professions import Profession

DEMO_SLUG = "msp-demo"
DOMAIN = "msp-demo.fr"


@dataclass(frozen=True)
class Member:
    key: str
    given_name: str
    family_name: str
    profession: Profession
    rpps: str | None = None
    is_admin: bool = False
    supervisor: str | None = None
    assists: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        return f"{self.key}@{DOMAIN}"

    def staff_input(self, *, email: str, created: dict[str, Staff]) -> team.StaffInput:
        """What creates this member under ``email``; ``created`` maps keys to members
        already created (the supervisor and the assisted GPs come first in ``TEAM``)."""
        return team.StaffInput(
            email=email,
            given_name=self.given_name,
            family_name=self.family_name,
            profession=self.profession,
            rpps=self.rpps,
            is_admin=self.is_admin,
            supervisor_id=created[self.supervisor].id if self.supervisor else None,
            assisted_gp_ids=[created[k].id for k in self.assists],
        )


TEAM = [
    Member("claire.martin", "Claire", "Martin", Profession.GP, "10100000001"),
    Member("karim.benali", "Karim", "Benali", Profession.GP, "10100000002"),
    Member("sophie.lefevre", "Sophie", "Lefèvre", Profession.GP, "10100000003"),
    Member(
        "lucas.moreau",
        "Lucas",
        "Moreau",
        Profession.JUNIOR_DOCTOR,
        "10100000004",
        supervisor="claire.martin",
    ),
    Member(
        "ines.garcia",
        "Inès",
        "Garcia",
        Profession.MEDICAL_ASSISTANT,
        "10100000005",
        assists=("claire.martin", "karim.benali"),
    ),
    Member("nathalie.roux", "Nathalie", "Roux", Profession.ASALEE_NURSE, "10100000006"),
    Member("julien.fournier", "Julien", "Fournier", Profession.APN_NURSE, "10100000007"),
    Member("marie.dubois", "Marie", "Dubois", Profession.SECRETARY),
    Member("thomas.petit", "Thomas", "Petit", Profession.SECRETARY),
    Member("amina.diallo", "Amina", "Diallo", Profession.HEALTH_MEDIATOR),
    Member("helene.bernard", "Hélène", "Bernard", Profession.COORDINATOR, is_admin=True),
    Member("paul.girard", "Paul", "Girard", Profession.REGULATOR),
]

ROOMS = [
    ("Cabinet 1 — Dr Martin", "gp_office"),
    ("Cabinet 2 — Dr Benali", "gp_office"),
    ("Cabinet 3 — Dr Lefèvre", "gp_office"),
    ("Secrétariat", "secretariat"),
    ("Bureau assistant médical", "medical_assistant"),
    ("Bureau infirmier", "nurse"),
    ("Bureau étudiant", "student"),
    ("Cabinet docteur junior", "junior_doctor"),
]


def load_demo(session: Session, *, password: str) -> Practice:
    """Create the demo practice once; a second call changes nothing."""
    practice = session.scalar(select(Practice).where(Practice.slug == DEMO_SLUG))
    if practice is None:
        practice = team.create_practice(
            session,
            name="Maison de santé des Tilleuls",
            slug=DEMO_SLUG,
            address="12 rue des Tilleuls, 69003 Lyon",
            phone="04 78 00 00 00",
        )
    existing = {
        s.email for s in session.scalars(select(Staff).where(Staff.practice_id == practice.id))
    }
    by_key: dict[str, Staff] = {
        s.email.split("@")[0]: s
        for s in session.scalars(select(Staff).where(Staff.practice_id == practice.id))
    }
    for member in TEAM:
        if member.email in existing:
            continue
        by_key[member.key] = team.create_staff(
            session,
            acting=Acting(None, utcnow()),
            practice=practice,
            password=password,
            data=member.staff_input(email=member.email, created=by_key),
        )
    rooms = {r.name for r in session.scalars(select(Room).where(Room.practice_id == practice.id))}
    for name, kind in ROOMS:
        if name not in rooms:
            team.save_room(session, practice_id=practice.id, name=name, kind=kind)
    session.flush()
    from umpro import domain_modules

    # Each domain's demo.py adds its part, in DOMAINS order, idempotently. Its access-log
    # rows are chained and written in one insert per domain, as a request's are.
    for module in domain_modules("demo"):
        audit.start_buffer(session)
        module.load(session, practice=practice, members=by_key, now=utcnow())
        audit.append(session, audit.take_buffer(session))
        session.flush()
    return practice


def demo_accounts(session: Session) -> list[Staff]:
    practice = session.scalar(select(Practice).where(Practice.slug == DEMO_SLUG))
    if practice is None:
        return []
    order = {m.email: i for i, m in enumerate(TEAM)}
    members = session.scalars(select(Staff).where(Staff.practice_id == practice.id)).all()
    return sorted(members, key=lambda s: order.get(s.email, len(order)))
