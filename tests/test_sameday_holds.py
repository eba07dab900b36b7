"""Held slots: computed from the openings (absences, holidays, DST), policy refusals,
the ordinary search never offering them before their day, booking them at the desk
on their day and by the regulator within 48 h during SAS hours, the release job."""

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.factories import (
    local,
    make_absence,
    make_appointment_type,
    make_hold_policy,
    make_open_staff,
    make_patient,
    make_staff,
)
from umpro.acting import Acting
from umpro.errors import Forbidden, Invalid
from umpro.scheduling.models import (
    HELD,
    LOST,
    RELEASED,
    USED,
    Appointment,
    AppointmentEvent,
    HeldSlot,
)
from umpro.scheduling.services import booking, holds, sameday, slots
from umpro.scheduling.services.holds import PolicyInput, set_policy
from umpro.scheduling.services.openings import load_template

MONDAY = date(2027, 1, 11)
TUESDAY = MONDAY + timedelta(days=1)
NOW = local(MONDAY, "09:00")
TZ = "Europe/Paris"


@pytest.fixture
def s(session, practice):
    gp = make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    scene = SimpleNamespace(
        practice=practice,
        gp=gp,
        secretary=make_staff(session, practice, profession="secretary"),
        regulator=make_staff(session, practice, profession="regulator"),
        consult=make_appointment_type(session, practice, label="Consultation"),
        patient=make_patient(session, practice),
    )
    scene.policy = make_hold_policy(session, practice)
    return scene


def utc_hours(session, s, day):
    template = load_template(
        session, practice_id=s.practice.id, staff_ids=[s.gp.id], first_day=day, last_day=day, tz=TZ
    )
    policies = holds.load_policies(session, practice_id=s.practice.id)
    return [
        h.start_at.strftime("%H:%M")
        for h in holds.compute_holds(template, policies, staff_id=s.gp.id, day=day)
    ]


def test_a_share_is_held_at_the_end_of_each_opening(session, s):
    # 25 % of 08:00–12:00 is one hour, of 14:00–19:00 75 minutes: 4 + 5 slots of 15 min.
    assert utc_hours(session, s, MONDAY) == [
        "10:00", "10:15", "10:30", "10:45",  # 11:00–12:00 Paris (UTC+1)
        "16:45", "17:00", "17:15", "17:30", "17:45",
    ]  # fmt: skip
    # Not on Saturday (no opening) nor on a day outside the policy's days.
    assert utc_hours(session, s, MONDAY + timedelta(days=5)) == []
    make_hold_policy(session, s.practice, staff=s.gp, weekdays=(1, 2))
    assert utc_hours(session, s, MONDAY) == []


def test_holds_follow_absences_holidays_and_dst(session, s):
    # An absence 08:00–10:00 leaves 10:00–12:00 open: 30 min held, 11:30–12:00.
    make_absence(session, s.gp, start_at=local(TUESDAY, "08:00"), end_at=local(TUESDAY, "10:00"))
    assert utc_hours(session, s, TUESDAY)[:2] == ["10:30", "10:45"]
    # Easter Monday 2027 is closed: nothing held.
    assert utc_hours(session, s, date(2027, 3, 29)) == []
    # Across the DST change (28 March 2027) the held slots keep their wall-clock hours.
    assert utc_hours(session, s, date(2027, 3, 26))[0] == "10:00"  # 11:00 UTC+1
    assert utc_hours(session, s, date(2027, 3, 30))[0] == "09:00"  # 11:00 UTC+2


def test_explicit_blocks_are_cut_to_the_openings(session, s):
    make_hold_policy(
        session,
        s.practice,
        staff=s.gp,
        mode="blocks",
        blocks=((0, time(11, 30), time(12, 0)), (0, time(14, 0), time(14, 30))),
    )
    assert utc_hours(session, s, MONDAY) == ["10:30", "10:45", "13:00", "13:15"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"share_percent": 120}, "de 0 à 100 %"),
        ({"share_percent": -1}, "de 0 à 100 %"),
        ({"weekdays": ()}, "au moins un jour"),
        (
            {
                "mode": "blocks",
                "blocks": ((0, time(9, 0), time(10, 0)), (0, time(9, 30), time(10, 30))),
            },
            "se chevauchent",
        ),
        ({"mode": "blocks", "blocks": ((0, time(12, 0), time(13, 0)),)}, "sort des plages"),
        ({"mode": "blocks", "blocks": ((5, time(9, 0), time(10, 0)),)}, "sort des plages"),
    ],
)
def test_bad_policies_are_refused_in_french(session, s, values, message):
    data = PolicyInput(**({"mode": "share", "share_percent": 30} | values))
    admin = make_staff(session, s.practice, profession="coordinator", is_admin=True)
    before = session.scalar(select(func.count(HeldSlot.id)))
    with pytest.raises(Invalid, match=message):
        set_policy(session, actor=admin, staff=s.gp, data=data)
    assert session.scalar(select(func.count(HeldSlot.id))) == before


@pytest.mark.parametrize("profession", ["nurse", "asalee_nurse", "student", "regulator"])
def test_nurses_students_and_the_regulator_cannot_change_policies(session, s, profession):
    someone = make_staff(session, s.practice, profession=profession)
    data = PolicyInput(mode="share", share_percent=10)
    with pytest.raises(Forbidden):
        set_policy(session, actor=someone, staff=s.gp, data=data)
    with pytest.raises(Forbidden):
        set_policy(session, actor=someone, staff=None, data=data)


def test_a_gp_sets_their_own_policy_but_not_a_colleagues(session, s):
    other = make_open_staff(session, s.practice)
    policy = set_policy(session, actor=s.gp, staff=s.gp, data=PolicyInput("share", 40))
    assert policy.staff_id == s.gp.id and policy.share_percent == 40
    with pytest.raises(Forbidden):
        set_policy(session, actor=s.gp, staff=other, data=PolicyInput("share", 40))


def offered(session, s, actor=None, day=TUESDAY, now=NOW):
    return [
        slot.start_at
        for slot in slots.offer_slots(
            session,
            acting=Acting(actor or s.secretary, now),
            appointment_type=s.consult,
            start_from=local(day, "00:00"),
            until=local(day, "23:59"),
            min_notice_minutes=30,
            limit=200,
        )
    ]


def test_the_ordinary_search_never_offers_a_held_slot(session, s):
    tomorrow = offered(session, s)
    assert local(TUESDAY, "10:45") in tomorrow
    assert local(TUESDAY, "11:00") not in tomorrow and local(TUESDAY, "18:45") not in tomorrow
    held = sameday.free_held_slots(
        session,
        practice_id=s.practice.id,
        tz=TZ,
        staff=[s.gp],
        start_at=local(TUESDAY, "00:00"),
        end_at=local(TUESDAY, "23:59"),
        now=NOW,
    )
    assert [o.start_at for o in held][:2] == [local(TUESDAY, "11:00"), local(TUESDAY, "11:15")]
    assert held[0].type_id == s.consult.id
    # Once released (60 min before it starts), a held slot is an ordinary one.
    later = offered(session, s, now=local(TUESDAY, "10:00"))
    assert local(TUESDAY, "11:00") in later and local(TUESDAY, "11:15") not in later


def test_the_search_offers_only_agendas_the_actor_may_book(session, s):
    nurse = make_staff(session, s.practice, profession="nurse")
    assert offered(session, s, actor=nurse) == []
    assert offered(session, s, actor=s.gp)


def book(session, s, day, hour, *, actor=None, source="phone", now=NOW, **kwargs):
    return booking.book_appointment(
        session,
        acting=Acting(actor or s.secretary, now),
        patient=kwargs.pop("patient", s.patient),
        staff=s.gp,
        appointment_type=s.consult,
        start_at=local(day, hour),
        source=source,
        **kwargs,
    )


def state_at(session, s, day, hour):
    return session.scalar(
        select(HeldSlot.state).where(
            HeldSlot.staff_id == s.gp.id, HeldSlot.start_at == local(day, hour)
        )
    )


def test_the_desk_books_a_held_slot_on_its_own_day(session, s):
    appointment = book(session, s, MONDAY, "11:00")
    assert appointment.is_unscheduled
    assert state_at(session, s, MONDAY, "11:00") == USED


def test_the_desk_cannot_book_a_held_slot_of_another_day(session, s):
    with pytest.raises(Invalid, match="gardé pour les soins non programmés"):
        book(session, s, TUESDAY, "11:00")
    assert session.scalar(select(func.count(Appointment.id))) == 0
    assert session.scalar(select(func.count(HeldSlot.id))) == 0


def test_the_regulator_books_within_48_hours_and_is_recorded(session, s):
    appointment = book(session, s, TUESDAY, "11:00", actor=s.regulator, source="regulator")
    assert appointment.is_unscheduled and appointment.source == "regulator"
    assert appointment.regulator_name == s.regulator.display_name
    assert state_at(session, s, TUESDAY, "11:00") == USED
    event = session.scalar(
        select(AppointmentEvent).where(AppointmentEvent.appointment_id == appointment.id)
    )
    assert event.changes["regulator_name"] == [None, s.regulator.display_name]


def test_a_desk_user_records_the_regulator_and_the_reference(session, s):
    with pytest.raises(Invalid, match="nom du régulateur et la référence"):
        book(session, s, TUESDAY, "11:00", source="regulator", regulator_name="Dr Sas")
    appointment = book(
        session,
        s,
        TUESDAY,
        "11:00",
        source="regulator",
        regulator_name="Dr Sas",
        regulator_reference="SAS-42",
    )
    assert (appointment.regulator_name, appointment.regulator_reference) == ("Dr Sas", "SAS-42")
    history = session.scalar(
        select(AppointmentEvent).where(AppointmentEvent.appointment_id == appointment.id)
    )
    assert history.changes["regulator_reference"] == [None, "SAS-42"]


@pytest.mark.parametrize(
    ("day", "hour", "now", "message"),
    [
        (MONDAY + timedelta(days=3), "09:00", NOW, "dans les 48 heures"),  # Thursday: 72 h
        (TUESDAY, "09:00", local(MONDAY, "20:30"), "PDSA"),  # after 20 h
        (MONDAY + timedelta(days=7), "09:00", local(MONDAY + timedelta(days=6), "10:00"), "PDSA"),
        (MONDAY + timedelta(days=7), "09:00", local(MONDAY + timedelta(days=5), "13:00"), "PDSA"),
    ],
)
def test_regulator_refusals(session, s, day, hour, now, message):
    with pytest.raises(Invalid, match=message):
        book(session, s, day, hour, actor=s.regulator, source="regulator", now=now)
    assert session.scalar(select(func.count(Appointment.id))) == 0


def test_the_regulator_books_only_as_the_regulator(session, s):
    with pytest.raises(Forbidden):
        book(session, s, TUESDAY, "09:00", actor=s.regulator, source="phone")
    assert session.scalar(select(func.count(Appointment.id))) == 0


def test_the_regulator_may_take_an_ordinary_slot_on_saturday_morning(session, s):
    saturday = MONDAY + timedelta(days=5)
    appointment = book(
        session,
        s,
        saturday + timedelta(days=2),
        "09:00",
        actor=s.regulator,
        source="regulator",
        now=local(saturday, "10:00"),
    )
    assert appointment.id and appointment.is_unscheduled


def run_job(session, s, now):
    holds.materialise(
        session,
        practice_id=s.practice.id,
        tz=TZ,
        first_day=MONDAY,
        last_day=TUESDAY,
        now=now,
    )
    return holds.release_due(session, practice_id=s.practice.id, now=now)


def test_the_release_job_ends_every_held_slot(session, s):
    assert run_job(session, s, NOW) == (0, 0)
    written = session.scalar(select(func.count(HeldSlot.id)))
    assert written == 18  # 9 a day, Monday and Tuesday
    book(session, s, MONDAY, "11:00")
    # The 11:00 slot is used; the 11:15 one is released at 10:15, not before.
    assert run_job(session, s, local(MONDAY, "10:05")) == (0, 0)
    assert run_job(session, s, local(MONDAY, "10:20")) == (1, 0)  # 11:15 released
    assert state_at(session, s, MONDAY, "11:15") == RELEASED
    assert state_at(session, s, MONDAY, "11:00") == USED
    # With no release time, a held slot that passes unused is lost.
    s.policy.release_lead_minutes = None
    session.query(HeldSlot).filter(HeldSlot.state == HELD).update({"release_at": None})
    assert run_job(session, s, local(MONDAY, "12:00")) == (0, 2)  # 11:30 and 11:45
    assert state_at(session, s, MONDAY, "11:45") == LOST
    # Idempotent: a second run changes nothing.
    assert run_job(session, s, local(MONDAY, "12:00")) == (0, 0)
    assert session.scalar(select(func.count(HeldSlot.id))) == written


def test_a_cancelled_booking_gives_its_held_slot_back(session, s):
    """Held capacity is not lost when the patient cancels: the slot is held again, and
    the release job releases or loses it as usual."""
    appointment = book(session, s, MONDAY, "11:00")
    assert state_at(session, s, MONDAY, "11:00") == USED
    booking.cancel_appointment(
        session, acting=Acting(s.secretary, NOW), appointment=appointment, reason="Mieux"
    )
    assert state_at(session, s, MONDAY, "11:00") == HELD
    again = book(session, s, MONDAY, "11:00", patient=make_patient(session, s.practice))
    assert state_at(session, s, MONDAY, "11:00") == USED and again.is_unscheduled


def test_a_booking_cancelled_after_its_start_keeps_the_slot_used(session, s):
    appointment = book(session, s, MONDAY, "11:00")
    booking.cancel_appointment(
        session,
        acting=Acting(s.secretary, local(MONDAY, "11:05")),
        appointment=appointment,
        reason="Parti avant la fin",
    )
    assert state_at(session, s, MONDAY, "11:00") == USED
