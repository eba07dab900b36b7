"""Agenda services without HTTP: holidays, openings across DST, booking rules, overlaps,
moves, cancellations, statuses, history (the junior's rules and slots: test_scheduling_slots)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import (
    local,
    make_absence,
    make_appointment_type,
    make_open_staff,
    make_patient,
    make_practice,
    make_rule,
    make_staff,
)
from tests.scheduling_support import DAY, NOW, book, count
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.errors import Conflict, Forbidden, Invalid, NotFound
from umpro.scheduling.holidays import easter_sunday, french_public_holidays
from umpro.scheduling.models import AppointmentEvent
from umpro.scheduling.parsing import parse_instant
from umpro.scheduling.services import booking, reading
from umpro.scheduling.services.openings import load_template, openings_for

# --- holidays and openings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_is_computed(year, easter):
    assert easter_sunday(year) == easter


def test_french_public_holidays_include_the_moving_ones():
    days = french_public_holidays(2026)
    assert len(days) == 11
    assert days[date(2026, 4, 6)] == "Lundi de Pâques"
    assert days[date(2026, 5, 14)] == "Ascension"
    assert days[date(2026, 5, 25)] == "Lundi de Pentecôte"
    assert days[date(2026, 7, 14)] == "Fête nationale"
    assert date(2026, 4, 3) not in days  # Good Friday only in Alsace-Moselle
    assert date(2026, 4, 3) in french_public_holidays(2026, alsace_moselle=True)


@pytest.mark.parametrize(
    ("winter_day", "summer_day"),
    [(date(2027, 3, 26), date(2027, 4, 2)), (date(2026, 10, 30), date(2026, 10, 23))],
)
def test_rules_keep_wall_clock_hours_across_dst(session, t, winter_day, summer_day):
    template = load_template(
        session,
        practice_id=t.practice.id,
        staff_ids=[t.gp.id],
        first_day=min(winter_day, summer_day),
        last_day=max(winter_day, summer_day),
        tz="Europe/Paris",
    )
    winter = openings_for(template, staff_id=t.gp.id, day=winter_day)
    summer = openings_for(template, staff_id=t.gp.id, day=summer_day)
    assert [(o.start_at.hour, o.end_at.hour) for o in winter] == [(7, 11), (13, 18)]
    assert [(o.start_at.hour, o.end_at.hour) for o in summer] == [(6, 10), (12, 17)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2027-03-28T02:30", "n'existe pas le 28/03/2027"),
        ("2026-10-25T02:30", "existe deux fois le 25/10/2026"),
    ],
)
def test_dst_gap_and_overlap_are_refused_not_shifted(value, message):
    with pytest.raises(Invalid, match=message):
        parse_instant(value, tz="Europe/Paris", field="start")


def test_an_instant_with_offset_is_taken_as_is():
    assert parse_instant("2026-10-25T02:30+01:00", tz="Europe/Paris", field="start").hour == 1


# --- booking ----------------------------------------------------------------------


def test_booking_assigns_the_rules_room_and_writes_history_and_access_log(session, t):
    appointment = book(session, t)
    assert appointment.status == "booked"
    assert appointment.room_id == t.gp.test_room.id
    assert (appointment.end_at - appointment.start_at) == timedelta(minutes=15)
    assert appointment.sequence == 0 and appointment.version == 1 and len(appointment.uid) == 36
    event = session.scalar(select(AppointmentEvent))
    assert (event.action, event.actor_id) == ("create", t.secretary.id)
    assert event.changes["start_at"][1] == local(DAY, "09:00").isoformat()
    log = session.scalars(select(AccessLog).where(AccessLog.action == "appointment.create")).one()
    assert (log.patient_id, log.target) == (t.patient.id, f"appointment:{appointment.id}")


def test_reading_an_appointment_or_a_list_writes_the_access_log_in_the_service(
    frozen_now, session, t
):
    appointment = book(session, t)
    opened = reading.open_appointment(
        session, acting=Acting(t.gp, utcnow(), "10.0.0.1"), appointment_id=appointment.id
    )
    assert opened.id == appointment.id
    row = session.scalars(select(AccessLog).where(AccessLog.action == "appointment.read")).one()
    assert (row.patient_id, row.target, row.ip) == (
        t.patient.id,
        f"appointment:{appointment.id}",
        "10.0.0.1",
    )
    student = make_staff(session, t.practice, profession="student")
    with pytest.raises(Forbidden):
        reading.open_appointment(
            session, acting=Acting(student, utcnow()), appointment_id=appointment.id
        )
    reading.log_appointment_shown(
        session, acting=Acting(student, utcnow()), appointment=appointment, action="agenda.read"
    )
    reading.log_appointment_shown(
        session, acting=Acting(t.gp, utcnow()), appointment=appointment, action="agenda.read"
    )
    listed = session.scalars(select(AccessLog).where(AccessLog.action == "agenda.read")).all()
    assert [(r.target, r.patient_id) for r in listed] == [
        (f"appointment:{appointment.id}", t.patient.id)
    ]


def test_reading_the_agenda_logs_the_patients_of_the_columns_drawn(frozen_now, session, t):
    first = book(session, t, "09:00")
    other = make_patient(session, t.practice)
    book(session, t, "09:00", staff=t.gp2, patient=other)
    start_at, end_at = local(DAY, "00:00"), local(DAY + timedelta(days=1), "00:00")

    def read(actor, target, **kwargs):
        return reading.read_agenda(
            session,
            acting=Acting(actor, utcnow(), "10.0.0.2"),
            start_at=start_at,
            end_at=end_at,
            action="agenda.read",
            target=target,
            **kwargs,
        )

    one = read(t.gp, "one", columns=lambda read: [t.gp.id])
    assert ([a.id for a in one.appointments], one.columns, one.visible) == (
        [first.id],
        {t.gp.id},
        {first.id},
    )
    every = read(t.gp, "all")
    assert every.columns is None and len(every.appointments) == 2 == len(every.visible)
    student = make_staff(session, t.practice, profession="student")
    hidden = read(student, "none")
    assert len(hidden.appointments) == 2 and hidden.visible == set()
    rows = session.scalars(
        select(AccessLog).where(AccessLog.action == "agenda.read").order_by(AccessLog.id)
    ).all()
    assert [(r.target, r.ip) for r in rows] == [("one", "10.0.0.2"), ("all", "10.0.0.2")]
    assert rows[0].patient_ids == str(t.patient.id)
    assert rows[1].patient_ids == ",".join(str(i) for i in sorted([t.patient.id, other.id]))


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        ("08:50", "09:05", True),  # ends inside
        ("09:15", "09:30", True),  # starts inside
        ("09:10", "09:20", True),  # inside
        ("08:45", "09:45", True),  # covers
        ("08:45", "09:00", False),  # ends when it starts
        ("09:30", "09:45", False),  # starts when it ends
    ],
)
def test_variable_length_overlaps_are_refused(session, t, start, end, refused):
    book(session, t, "09:00", appointment_type=t.long)  # 09:00–09:30
    other = make_patient(session, t.practice)
    if refused:
        with pytest.raises(Conflict, match=r"a déjà un rendez-vous de 09:00 à 09:30"):
            book(session, t, start, end=end, patient=other)
        session.rollback()
        assert count(session) == 0
    else:
        book(session, t, start, end=end, patient=other)
        assert count(session) == 2


def test_a_patient_booked_with_two_staff_at_once_is_refused(session, t):
    book(session, t, "09:00")
    with pytest.raises(Conflict, match="Ce patient a déjà un rendez-vous de 09:00 à 09:15 avec"):
        book(session, t, "09:10", staff=t.gp2)


def test_a_room_is_not_booked_twice(session, t):
    book(session, t, "09:00")
    with pytest.raises(Conflict, match=r"La salle « .* » est déjà occupée de 09:00 à 09:15"):
        book(
            session,
            t,
            "09:05",
            staff=t.gp2,
            patient=make_patient(session, t.practice),
            room_id=t.gp.test_room.id,
        )


def test_a_cancelled_appointment_frees_the_time(session, t):
    first = book(session, t, "09:00")
    booking.cancel_appointment(
        session, acting=Acting(t.secretary, NOW), appointment=first, reason="Patient empêché"
    )
    second = book(session, t, "09:00", patient=make_patient(session, t.practice))
    assert second.status == "booked" and first.status == "cancelled"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"start": "12:30"},
            Invalid,
            r"en dehors des plages d'ouverture .*\(ce jour-là : 08:00–12:00, 14:00–19:00\)",
        ),
        ({"start": "11:50", "appointment_type": "long"}, Invalid, "en dehors des plages"),
        ({"start": "10:00", "day": date(2027, 1, 16)}, Invalid, r"\(aucune plage ce jour-là\)"),
        ({"start": "10:00", "end": "09:00"}, Invalid, "La fin du rendez-vous doit être après"),
        ({"start": "10:00", "now": local(DAY, "11:00")}, Invalid, "déjà passé"),
        (
            {"start": "10:00", "day": date(2027, 3, 29)},
            Invalid,
            r"29/03/2027 est un jour férié \(Lundi de Pâques\)",
        ),
        ({"start": "10:00", "appointment_type": "nursing"}, Invalid, "ne réalise pas « Soins »"),
    ],
)
def test_bad_placements_are_refused_in_french(session, t, kwargs, error, message):
    kinds = {
        "long": t.long,
        "nursing": make_appointment_type(session, t.practice, label="Soins", professions=["nurse"]),
    }
    if "appointment_type" in kwargs:
        kwargs["appointment_type"] = kinds[kwargs["appointment_type"]]
    with pytest.raises(error, match=message):
        book(session, t, kwargs.pop("start"), **kwargs)
    session.rollback()
    assert count(session) == 0


def test_a_rule_open_on_holidays_accepts_bookings(session, t):
    make_rule(session, t.gp2, weekday=0, start="20:00", end="21:00", open_on_holidays=True)
    appointment = book(session, t, "20:00", day=date(2027, 3, 29), staff=t.gp2)
    assert appointment.room_id is None


def test_rule_types_restrict_what_is_booked(session, t):
    make_rule(session, t.gp2, weekday=5, start="09:00", end="12:00", type_ids=[t.long.id])
    saturday = date(2027, 1, 16)
    with pytest.raises(Invalid, match="« Consultation » n'est pas proposé sur cette plage"):
        book(session, t, "09:00", day=saturday, staff=t.gp2)
    assert book(session, t, "09:00", day=saturday, staff=t.gp2, appointment_type=t.long)


def test_an_absent_staff_member_is_not_booked(session, t):
    make_absence(session, t.gp, start_at=local(DAY, "00:00"), end_at=local(DAY, "23:00"))
    with pytest.raises(Invalid, match=r"est absent\(e\) \(congés\) de 00:00 à 23:00"):
        book(session, t, "09:00")


def test_a_patient_of_another_practice_is_not_found(session, t):
    stranger = make_patient(session, make_practice(session))
    with pytest.raises(NotFound, match=r"Patient introuvable\."):
        book(session, t, patient=stranger)


# --- permissions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "owner", "allowed"),
    [
        ("secretary", "gp", True),
        ("secretary", "nurse", True),
        ("gp", "gp", True),
        ("gp", "other_gp", False),
        ("nurse", "nurse", True),
        ("nurse", "gp", False),
        ("student", "gp", False),
        ("student", "student", False),
        ("assistant", "gp", True),
        ("assistant", "other_gp", False),
        ("supervisor", "junior", True),
        ("health_mediator", "gp", False),
    ],
)
def test_who_books_in_which_agenda(session, practice, actor, owner, allowed):
    gp = make_open_staff(session, practice)
    people = {
        "gp": gp,
        "supervisor": gp,
        "other_gp": make_open_staff(session, practice),
        "nurse": make_open_staff(session, practice, profession="asalee_nurse"),
        "student": make_open_staff(session, practice, profession="student"),
        "secretary": make_staff(session, practice, profession="secretary"),
        "health_mediator": make_staff(session, practice, profession="health_mediator"),
        "assistant": make_staff(
            session, practice, profession="medical_assistant", assisted_gp_ids=[gp.id]
        ),
        "junior": make_open_staff(
            session, practice, profession="junior_doctor", supervisor_id=gp.id
        ),
    }
    staff = people[owner]
    kind = make_appointment_type(session, practice, professions=[staff.profession])
    call = dict(
        acting=Acting(people[actor], NOW),
        patient=make_patient(session, practice),
        staff=staff,
        appointment_type=kind,
        start_at=local(DAY, "09:00"),
    )
    if allowed:
        assert booking.book_appointment(session, **call).staff_id == staff.id
    else:
        with pytest.raises(Forbidden, match="Vous ne pouvez pas prendre de rendez-vous"):
            booking.book_appointment(session, **call)


# --- changes ----------------------------------------------------------------------


def _move(session, t, appointment, start, version=1):
    """The secretary moves the appointment to `start` on DAY, quoting `version`."""
    return booking.update_appointment(
        session,
        acting=Acting(t.secretary, NOW),
        appointment=appointment,
        version=version,
        start_at=local(DAY, start),
    )


def _set_status(session, actor, appointment, status, at):
    """`actor` sets the appointment's status at `at` o'clock on DAY."""
    return booking.set_status(
        session, acting=Acting(actor, local(DAY, at)), appointment=appointment, status=status
    )


def test_moving_raises_sequence_and_version_and_keeps_history(session, t):
    appointment = book(session, t, "09:00")
    _move(session, t, appointment, "15:00")
    assert appointment.start_at == local(DAY, "15:00")
    assert (appointment.sequence, appointment.version) == (1, 2)
    events = session.scalars(select(AppointmentEvent).order_by(AppointmentEvent.id)).all()
    assert [e.action for e in events] == ["create", "move"]
    assert events[1].changes["start_at"] == [
        local(DAY, "09:00").isoformat(),
        local(DAY, "15:00").isoformat(),
    ]


def test_a_stale_version_is_refused(session, t):
    appointment = book(session, t, "09:00")
    with pytest.raises(Conflict, match="modifié entre-temps, rechargez"):
        _move(session, t, appointment, "10:00", version=0)


def test_moving_onto_a_taken_time_is_refused(session, t):
    book(session, t, "09:00")
    other = book(session, t, "10:00", patient=make_patient(session, t.practice))
    with pytest.raises(Conflict, match="a déjà un rendez-vous de 09:00 à 09:15"):
        _move(session, t, other, "09:05")


def test_cancel_needs_a_reason_and_happens_once(session, t):
    appointment = book(session, t)
    with pytest.raises(Invalid, match="Indiquez le motif"):
        booking.cancel_appointment(
            session, acting=Acting(t.secretary, NOW), appointment=appointment, reason=" "
        )
    booking.cancel_appointment(
        session,
        acting=Acting(t.secretary, NOW),
        appointment=appointment,
        reason="Grève des transports",
    )
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "Grève des transports")
    assert appointment.sequence == 1
    with pytest.raises(Invalid, match="ne peut plus être annulé"):
        booking.cancel_appointment(
            session, acting=Acting(t.secretary, NOW), appointment=appointment, reason="encore"
        )


def test_statuses_follow_the_visit(session, t):
    appointment = book(session, t, "09:00")
    with pytest.raises(Invalid, match="n'a pas encore commencé"):
        _set_status(session, t.gp, appointment, "fulfilled", "08:00")
    with pytest.raises(Invalid, match="plus de deux heures"):
        _set_status(session, t.gp, appointment, "arrived", "06:00")
    for status in ("arrived", "fulfilled"):
        _set_status(session, t.gp, appointment, status, "09:10")
    assert (appointment.status, appointment.sequence) == ("fulfilled", 2)
    with pytest.raises(Invalid, match="« vu » ne peut pas passer à « non venu »"):
        _set_status(session, t.gp, appointment, "noshow", "09:20")


def test_a_noshow_goes_back_to_booked_only_if_the_time_is_still_free(session, t):
    appointment = book(session, t, "09:00")
    _set_status(session, t.secretary, appointment, "noshow", "09:20")
    book(session, t, "09:00", patient=make_patient(session, t.practice), now=local(DAY, "08:00"))
    with pytest.raises(Conflict, match="a déjà un rendez-vous"):
        _set_status(session, t.secretary, appointment, "booked", "09:30")
