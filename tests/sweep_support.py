"""A practice full of objects for the sweeps (issue 14): its ids by URL argument name."""

from datetime import timedelta

from sqlalchemy import func, inspect, select

from tests import factories
from umpro.acting import Acting
from umpro.db import Base, utcnow


def populate(session, practice, *, name: str) -> dict[str, int]:
    """Create one object of each kind in ``practice`` (people named ``name``); returns
    the id to put in each URL argument (``patient_id``, ``task_id``, …)."""
    from umpro.auth.services import create_api_key
    from umpro.calendars import services as calendars
    from umpro.team import services as team

    team_ = factories.delegation_team(session, practice)
    gp, nurse = team_.gp, team_.nurse
    admin = factories.make_staff(session, practice, profession="coordinator", is_admin=True)
    gp.family_name = nurse.family_name = admin.family_name = name
    patient = factories.make_patient(session, practice, family_name=name, actor=gp)
    junior = factories.make_staff(session, practice, profession="junior_doctor", family_name=name)
    open_gp = factories.make_open_staff(session, practice, family_name=name)
    start = factories.local(factories.future_weekday(0), "09:00")
    appointment = factories.make_appointment(session, open_gp, patient, start_at=start)
    absence = factories.make_absence(
        session, open_gp, start_at=start + timedelta(days=1), end_at=start + timedelta(days=2)
    )
    entry = factories.make_entry(session, patient, gp)
    factories.make_declaration(session, patient, gp)
    other_patient = factories.make_patient(session, practice, family_name=name, actor=gp)
    request = factories.make_request(session, other_patient, gp)
    task = factories.make_task(session, gp, team_.patient, team_.dt2)
    membership_id = session.scalar(select(_table_model("protocol_membership").id).limit(1))
    feed, secret = calendars.create_feed(
        session,
        acting=Acting(None, utcnow()),
        owner=open_gp,
        data=calendars.FeedInput(label=name, detail="full"),
    )
    create_api_key(session, staff=gp, label=name)
    secretary = factories.make_staff(session, practice, profession="secretary", family_name=name)
    change = team.security.open_change(
        session,
        acting=Acting(admin, utcnow()),
        staff=secretary,
        data=team.StaffInput(
            email=secretary.email, given_name="A", family_name=name, profession="gp"
        ),
    )
    letter, weekly = _letter_and_weekly_absence(session, practice, gp, patient, junior)
    session.flush()
    ids = {
        "staff_id": junior.id,
        "patient_id": patient.id,
        "entry_id": entry.id,
        "request_id": request.id,
        "appointment_id": appointment.id,
        "absence_id": absence.id,
        "room_id": open_gp.test_room.id,
        "type_id": appointment.type_id,
        "rule_id": _first_id(session, "availability_rule", practice.id),
        "protocol_id": team_.dt2.id,
        "membership_id": membership_id,
        "task_id": task.id,
        "feed_id": feed.id,
        "change_id": change.id,
        "key_id": _first_id(session, "api_key", practice.id),
        "token": secret,
        "gp_id": gp.id,
        "letter_id": letter.id,
        "item_id": weekly.id,
    }
    return ids


def _letter_and_weekly_absence(session, practice, gp, patient, junior):
    """A referral letter of ``patient`` and a weekly absence of ``junior``."""
    from datetime import time

    from umpro.patients.services import letters
    from umpro.scheduling.services import templates

    now = utcnow()
    letter = letters.create_letter(
        session, acting=Acting(gp, now), patient=patient, recipient="Dr Avis", reason="Avis"
    )
    weekly = templates.save_weekly_absence(
        session,
        actor=None,
        practice_id=practice.id,
        data=templates.WeeklyAbsenceInput(
            staff_id=junior.id,
            weekday=2,
            start_time=time(14),
            end_time=time(18),
            valid_from=now.date(),
        ),
    )
    return letter, weekly


def _table_model(table: str):
    for mapper in Base.registry.mappers:
        if mapper.local_table is not None and mapper.local_table.name == table:
            return mapper.class_
    return None


def _first_id(session, table: str, practice_id: int) -> int | None:
    model = _table_model(table)
    if model is None:
        return None
    query = select(func.min(model.id))
    if "practice_id" in inspect(model).columns:
        query = query.where(model.practice_id == practice_id)
    return session.scalar(query)


def id_for(session, argument: str, ids: dict, practice_id: int) -> int:
    """The id of ``practice``'s object for a URL argument; for an argument no sweep knows
    yet (a route added later), the practice's first row of the table it names, else an
    id that exists nowhere."""
    if ids.get(argument):
        return ids[argument]
    table = argument.removesuffix("_id")
    for candidate in (table, f"{table}s"):
        found = _first_id(session, candidate, practice_id)
        if found:
            return found
    return 2**31 - 2


def fingerprint(session, *, skip=("access_log", "auth_session", "login_attempt")) -> dict:
    """Every row of every table but the logs: what a request must not have changed."""
    rows = {}
    for table in Base.metadata.sorted_tables:
        if table.name in skip:
            continue
        result = session.execute(select(table).order_by(*table.primary_key.columns))
        rows[table.name] = [tuple(str(v) for v in row) for row in result]
    return rows
