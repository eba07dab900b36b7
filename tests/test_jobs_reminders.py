"""Reminders through a real SMTP server: French content and the .ics, exactly once
(unique rows, claims and leases), moved, cancelled, opted out, no e-mail, walk-ins, other
practices. Failures and other channels: test_jobs_delivery.py."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests import factories
from tests.test_jobs_support import (
    SENDER,
    book,
    email_reminder,
    make_clinic,
    run_reminders,
)
from tests.test_jobs_support import smtp as _smtp_fixture
from tests.test_jobs_support import smtp_server as _smtp_server_fixture
from umpro.auth.models import AccessLog
from umpro.reminders import services as service
from umpro.reminders.models import (
    CANCELLED,
    SENT,
    SKIPPED,
    Reminder,
    ReminderOptOut,
)

# Tuesday 3 March 2026, 09:30 in Paris (UTC+1) = 08:30 UTC; reminded the day before.
START = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)
DAY_BEFORE = START - timedelta(hours=22)

smtp, smtp_server = _smtp_fixture, _smtp_server_fixture  # fixtures


@pytest.fixture
def clinic(session, practice):
    return make_clinic(session, practice)


def _reminders(session, appointment=None):
    session.expire_all()
    query = select(Reminder).order_by(Reminder.id)
    if appointment is not None:
        query = query.where(Reminder.appointment_id == appointment.id)
    return list(session.scalars(query))


def _appointment_at(session, gp, kind, start, status="booked", **patient_fields):
    fields = {"family_name": "Lemoine", "email": "d.lemoine@exemple.fr"} | patient_fields
    patient = factories.make_patient(session, gp.practice, **fields)
    return factories.make_appointment(
        session, gp, patient, start_at=start, type=kind, status=status
    )


def test_reminder_email_in_french_through_smtp(session, clinic, smtp):
    practice, gp, kind = clinic
    appointment = _appointment_at(session, gp, kind, START)
    session.commit()

    run = run_reminders(session, practice, now=DAY_BEFORE)

    assert (run.status, run.done, run.skipped, run.failed) == ("ok", 1, 0, 0)
    assert run.summary == "Rappels : 1 envoyé(s)."
    assert len(smtp) == 1
    message = smtp.messages[0]
    assert message["Subject"] == "Rappel : rendez-vous le mardi 3 mars 2026 à 9 h 30"
    assert message["From"] == SENDER
    assert message["To"] == "d.lemoine@exemple.fr"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_body(("plain",)).get_content()
    for expected in (
        "Nous vous rappelons votre rendez-vous",
        "Date : mardi 3 mars 2026",
        "Heure : 9 h 30",
        "Professionnel : Dr Claire Martin",
        "3 place des Tilleuls, 35000 Rennes",
        "Pour annuler ou déplacer ce rendez-vous, appelez la maison de santé au 02 99 00 11 22.",
    ):
        assert expected in body
    assert "Lemoine" not in body and "LEMOINE" not in body  # no patient name
    assert "Consultation" not in body  # the type may reveal a condition
    (row,) = _reminders(session)
    assert (row.status, row.attempts, row.failures, row.claimed_until) == (SENT, 1, 0, None)
    assert row.message_id == message["Message-ID"]
    assert row.start_at == appointment.start_at
    log = session.scalars(select(AccessLog).where(AccessLog.action == "reminder.email.sent")).one()
    assert (log.patient_id, log.practice_id, log.target, log.staff_id) == (
        appointment.patient_id,
        practice.id,
        f"reminder:{row.id}",
        None,
    )


def test_reminder_carries_the_appointment_ics(session, clinic, smtp):
    pytest.importorskip("umpro.calendars.ics")
    practice, gp, kind = clinic
    appointment = _appointment_at(session, gp, kind, START)
    session.commit()

    run_reminders(session, practice, now=DAY_BEFORE)

    (attachment,) = list(smtp.messages[0].iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "rendez-vous.ics"
    assert attachment.get_param("method") == "REQUEST"
    text = attachment.get_content()
    text = text.decode() if isinstance(text, bytes) else text
    assert "METHOD:REQUEST" in text
    assert f"UID:{appointment.uid}" in text.replace("\r\n ", "")
    assert "20260303T083000Z" in text or "20260303T093000" in text


def test_each_reminder_is_sent_once_whatever_the_runs(session, clinic, smtp):
    practice, gp, kind = clinic
    for hours in (3, 10, 23):
        book(session, gp, kind, hours_ahead=hours, now=DAY_BEFORE)
    session.commit()

    first = run_reminders(session, practice, now=DAY_BEFORE, worker="scheduler-a")
    second = run_reminders(session, practice, now=DAY_BEFORE, worker="scheduler-b")
    later = run_reminders(session, practice, now=DAY_BEFORE + timedelta(minutes=5))

    assert (first.done, second.done, later.done) == (3, 0, 0)
    assert len(smtp) == 3
    assert len(smtp.by_recipient()) == 3
    assert {r.attempts for r in _reminders(session)} == {1}


def test_enqueue_is_idempotent_and_the_database_refuses_a_duplicate(session, clinic):
    practice, gp, kind = clinic
    appointment = book(session, gp, kind, hours_ahead=5, now=DAY_BEFORE)
    settings = service.ReminderSettings.from_config({})
    made = [
        service.enqueue_reminders(
            session, practice_id=practice.id, channel="email", now=DAY_BEFORE, settings=settings
        )
        for _ in range(2)
    ]
    assert made == [1, 0]
    session.add(email_reminder(appointment))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_a_claim_is_taken_once_and_taken_back_when_its_lease_expires(session, clinic):
    practice, gp, kind = clinic
    book(session, gp, kind, hours_ahead=5, now=DAY_BEFORE)
    settings = service.ReminderSettings.from_config({"UMPRO_REMINDER_LEASE_SECONDS": 60})
    service.enqueue_reminders(
        session, practice_id=practice.id, channel="email", now=DAY_BEFORE, settings=settings
    )
    (row,) = _reminders(session)

    def claim(worker, now):
        return service.claim_reminder(
            session, reminder_id=row.id, worker=worker, now=now, lease=settings.lease
        )

    assert claim("a", DAY_BEFORE) is not None
    assert claim("b", DAY_BEFORE + timedelta(seconds=59)) is None
    taken = claim("b", DAY_BEFORE + timedelta(seconds=61))
    assert (taken.claimed_by, taken.attempts) == ("b", 2)
    # The first holder lost it: it can no longer settle the row.
    assert not service.record_failure(
        session, reminder_id=row.id, worker="a", error="x", now=DAY_BEFORE
    )


def test_a_crashed_claim_is_resent_after_its_lease(session, clinic, smtp, app):
    practice, gp, kind = clinic
    book(session, gp, kind, hours_ahead=5, now=DAY_BEFORE)
    session.commit()
    app.config["UMPRO_REMINDER_LEASE_SECONDS"] = 120
    settings = service.ReminderSettings.from_config(app.config)
    service.enqueue_reminders(
        session, practice_id=practice.id, channel="email", now=DAY_BEFORE, settings=settings
    )
    (row,) = _reminders(session)
    # A scheduler claimed it, then died before sending.
    service.claim_reminder(
        session, reminder_id=row.id, worker="dead", now=DAY_BEFORE, lease=settings.lease
    )
    session.commit()

    during = run_reminders(session, practice, now=DAY_BEFORE + timedelta(seconds=60))
    after = run_reminders(session, practice, now=DAY_BEFORE + timedelta(seconds=121))

    assert (during.done, after.done) == (0, 1)
    (row,) = _reminders(session)
    assert (row.status, row.attempts, len(smtp)) == (SENT, 2, 1)


def test_a_moved_appointment_is_reminded_at_its_new_time(session, clinic, smtp):
    practice, gp, kind = clinic
    appointment = _appointment_at(session, gp, kind, START)
    session.commit()
    run_reminders(session, practice, now=DAY_BEFORE)
    # Moved to 11:30 the same day after the first reminder left.
    appointment.start_at += timedelta(hours=2)
    appointment.end_at += timedelta(hours=2)
    session.commit()

    run = run_reminders(session, practice, now=DAY_BEFORE + timedelta(hours=1))

    assert run.done == 1
    assert [m["Subject"] for m in smtp.messages] == [
        "Rappel : rendez-vous le mardi 3 mars 2026 à 9 h 30",
        "Rappel : rendez-vous le mardi 3 mars 2026 à 11 h 30",
    ]
    old, new = _reminders(session, appointment)
    assert (old.status, old.start_at) == (SENT, START)
    assert (new.status, new.start_at) == (SENT, START + timedelta(hours=2))


def test_a_reminder_due_for_the_old_time_is_dropped_for_the_new_one(session, clinic, smtp):
    practice, gp, kind = clinic
    appointment = _appointment_at(session, gp, kind, START)
    settings = service.ReminderSettings.from_config({})
    service.enqueue_reminders(
        session, practice_id=practice.id, channel="email", now=DAY_BEFORE, settings=settings
    )
    appointment.start_at += timedelta(minutes=45)
    appointment.end_at += timedelta(minutes=45)
    session.commit()

    run = run_reminders(session, practice, now=DAY_BEFORE)

    assert (run.done, run.skipped) == (1, 1)
    assert "1 sans objet (rendez-vous annulé ou déplacé)" in run.summary
    assert [m["Subject"][-9:] for m in smtp.messages] == ["à 10 h 15"]
    old, new = _reminders(session, appointment)
    assert (old.status, old.reason) == (
        CANCELLED,
        "Rendez-vous déplacé : le rappel part pour le nouvel horaire.",
    )
    assert new.status == SENT


def test_moved_to_a_later_day_it_is_reminded_the_day_before_that_day(session, clinic, smtp):
    practice, gp, kind = clinic
    appointment = _appointment_at(session, gp, kind, START)
    appointment.start_at += timedelta(days=7)
    appointment.end_at += timedelta(days=7)
    session.commit()

    assert run_reminders(session, practice, now=DAY_BEFORE).done == 0
    run = run_reminders(session, practice, now=DAY_BEFORE + timedelta(days=7))

    assert run.done == 1
    assert smtp.messages[0]["Subject"] == "Rappel : rendez-vous le mardi 10 mars 2026 à 9 h 30"


def test_a_cancelled_appointment_gets_no_reminder(session, clinic, smtp):
    practice, gp, kind = clinic
    before = _appointment_at(session, gp, kind, START, status="cancelled")
    after = _appointment_at(session, gp, kind, START + timedelta(hours=1))
    settings = service.ReminderSettings.from_config({})
    service.enqueue_reminders(
        session, practice_id=practice.id, channel="email", now=DAY_BEFORE, settings=settings
    )
    after.status = "cancelled"  # cancelled once its reminder was due, before it left
    session.commit()

    run = run_reminders(session, practice, now=DAY_BEFORE)

    assert (run.done, run.skipped, len(smtp)) == (0, 1, 0)
    assert _reminders(session, before) == []
    (row,) = _reminders(session, after)
    assert (row.status, row.reason) == (CANCELLED, "Rendez-vous annulé : pas de rappel.")


def _opt_out(session, patient, channel="email", **extra):
    row = ReminderOptOut(
        practice_id=patient.practice_id,
        patient_id=patient.id,
        channel=channel,
        at=DAY_BEFORE - timedelta(days=1),
        **extra,
    )
    session.add(row)
    session.flush()
    return row


def test_a_patient_who_opted_out_gets_no_reminder(session, clinic, smtp):
    practice, gp, kind = clinic
    early = _appointment_at(session, gp, kind, START)
    late = _appointment_at(session, gp, kind, START + timedelta(hours=1))
    withdrawn = _appointment_at(session, gp, kind, START + timedelta(hours=2))
    _opt_out(session, early.patient)
    _opt_out(session, withdrawn.patient, withdrawn_at=DAY_BEFORE - timedelta(hours=1))
    settings = service.ReminderSettings.from_config({})
    service.enqueue_reminders(
        session, practice_id=practice.id, channel="email", now=DAY_BEFORE, settings=settings
    )
    _opt_out(session, late.patient)  # said no after the reminder was due
    session.commit()

    run = run_reminders(session, practice, now=DAY_BEFORE)

    assert (run.done, run.skipped) == (1, 1)
    assert list(smtp.by_recipient()) == [withdrawn.patient.email]
    assert _reminders(session, early) == []
    (row,) = _reminders(session, late)
    assert (row.status, row.reason) == (SKIPPED, "Le patient refuse les rappels par courriel.")


def test_an_appointment_without_email_is_skipped_and_counted_once(session, clinic, smtp):
    practice, gp, kind = clinic
    appointment = _appointment_at(session, gp, kind, START, email="")
    book(session, gp, kind, hours_ahead=5, now=DAY_BEFORE)
    session.commit()

    run = run_reminders(session, practice, now=DAY_BEFORE)
    again = run_reminders(session, practice, now=DAY_BEFORE + timedelta(minutes=5))

    assert (run.status, run.done, run.skipped) == ("ok", 1, 1)
    assert "1 ignoré(s) (pas de contact ou refus du patient)" in run.summary
    assert (again.done, again.skipped) == (0, 0)
    (row,) = _reminders(session, appointment)
    assert (row.status, row.reason) == (SKIPPED, "Pas d'adresse électronique pour ce patient.")
    assert session.scalar(
        select(AccessLog).where(
            AccessLog.action == "reminder.email.skipped",
            AccessLog.patient_id == appointment.patient_id,
        )
    )


def test_walk_ins_and_last_minute_bookings_are_not_reminded(session, clinic, smtp):
    practice, gp, kind = clinic
    book(session, gp, kind, hours_ahead=0.5, now=DAY_BEFORE)
    book(session, gp, kind, hours_ahead=3, now=DAY_BEFORE, source="walk-in")
    book(session, gp, kind, hours_ahead=25, now=DAY_BEFORE)  # tomorrow's run
    session.commit()

    assert run_reminders(session, practice, now=DAY_BEFORE).done == 0
    assert _reminders(session) == []


def test_another_practice_is_not_touched(session, clinic, smtp):
    practice = clinic[0]
    _, other_gp, other_kind = make_clinic(session)
    book(session, other_gp, other_kind, hours_ahead=5, now=DAY_BEFORE)
    session.commit()

    assert run_reminders(session, practice, now=DAY_BEFORE).done == 0
    assert (_reminders(session), len(smtp)) == ([], 0)
