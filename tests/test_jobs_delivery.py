"""Reminders when things go wrong, and the other channels: SMTP down or refusing, wrong
settings, expiry, the development log backend, SMS backends."""

import logging
from datetime import timedelta

import pytest

from tests.test_jobs_reminders import (
    DAY_BEFORE,
    START,
    _appointment_at,
    _reminders,
)
from tests.test_jobs_reminders import clinic as _clinic_fixture
from tests.test_jobs_support import book, free_port, run_reminders
from tests.test_jobs_support import smtp as _smtp_fixture
from tests.test_jobs_support import smtp_server as _smtp_server_fixture
from umpro.notify import Delivery, DeliveryError
from umpro.notify.email import describe_email
from umpro.notify.sms import mobile_number
from umpro.reminders import services as service
from umpro.reminders.models import EXPIRED, LOGGED, PENDING, SENT

clinic, smtp, smtp_server = _clinic_fixture, _smtp_fixture, _smtp_server_fixture  # fixtures


def test_smtp_down_is_recorded_retried_and_reported_after_n_failures(
    session, clinic, smtp, smtp_server, app, sign_in
):
    practice, gp, kind = clinic
    for hours in (5, 6):
        book(session, gp, kind, hours_ahead=hours, now=DAY_BEFORE)
    session.commit()
    dead_port = free_port()
    app.config.update(UMPRO_SMTP_PORT=str(dead_port), UMPRO_REMINDER_REPORT_AFTER=2)
    admin, _ = sign_in("coordinator", is_admin=True)
    expected = (
        f"Connexion refusée par 127.0.0.1:{dead_port} : aucun serveur SMTP n'écoute à cette "
        "adresse (vérifiez UMPRO_SMTP_HOST et UMPRO_SMTP_PORT)."
    )

    first = run_reminders(session, practice, now=DAY_BEFORE)

    assert (first.status, first.done, first.failed) == ("error", 0, 2)
    assert first.error == f"Courriel : {expected}"
    assert [(r.status, r.failures, r.last_error) for r in _reminders(session)] == [
        (PENDING, 1, expected)
    ] * 2
    page = jobs_page(admin)
    assert expected in page  # the run's error
    assert "Aucun rappel en échec." in page  # not yet reported: 1 failure < 2

    second = run_reminders(session, practice, now=DAY_BEFORE + timedelta(minutes=5))
    assert [r.failures for r in _reminders(session)] == [2, 2]
    page = jobs_page(admin)
    assert "Aucun rappel en échec." not in page
    assert page.count(expected) >= 3  # last run + two reminders reported
    assert second.status == "error"

    app.config["UMPRO_SMTP_PORT"] = str(smtp_server.port)  # the server is back
    third = run_reminders(session, practice, now=DAY_BEFORE + timedelta(minutes=10))
    assert (third.status, third.done, len(smtp)) == ("ok", 2, 2)
    assert [(r.status, r.failures, r.last_error) for r in _reminders(session)] == [
        (SENT, 2, "")
    ] * 2
    assert "Aucun rappel en échec." in jobs_page(admin)


def jobs_page(browser) -> str:
    import html

    response = browser.get("/admin/taches-planifiees")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_a_refused_recipient_fails_alone(session, clinic, smtp):
    practice, gp, kind = clinic
    refused = book(session, gp, kind, hours_ahead=5, now=DAY_BEFORE)
    accepted = book(session, gp, kind, hours_ahead=6, now=DAY_BEFORE)
    smtp.refuse.add(refused.patient.email)
    session.commit()

    run = run_reminders(session, practice, now=DAY_BEFORE)

    assert (run.status, run.done, run.failed) == ("ok", 1, 1)
    assert list(smtp.by_recipient()) == [accepted.patient.email]
    (row,) = _reminders(session, refused)
    assert (row.status, row.failures) == (PENDING, 1)
    assert row.last_error.startswith("Adresse du patient refusée par le serveur SMTP")
    assert "code 550" in row.last_error


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("UMPRO_SMTP_PORT", "abc", "UMPRO_SMTP_PORT vaut « abc » : un numéro de port"),
        ("UMPRO_SMTP_TLS", "peut-être", "UMPRO_SMTP_TLS vaut « peut-être »"),
        ("UMPRO_SMTP_FROM", "", "UMPRO_SMTP_FROM est vide ou n'est pas une adresse"),
        ("UMPRO_SMTP_USER", "compte", "UMPRO_SMTP_USER et UMPRO_SMTP_PASSWORD vont ensemble"),
        ("UMPRO_SMTP_TIMEOUT", "0", "UMPRO_SMTP_TIMEOUT vaut « 0 »"),
    ],
)
def test_wrong_smtp_settings_give_a_french_error_not_a_crash(
    session, clinic, smtp, app, caplog, setting, value, message
):
    practice, gp, kind = clinic
    book(session, gp, kind, hours_ahead=5, now=DAY_BEFORE)
    session.commit()
    app.config[setting] = value

    with caplog.at_level(logging.ERROR):
        run = run_reminders(session, practice, now=DAY_BEFORE)

    assert run.status == "error"
    assert run.error.startswith(f"Courriel : {message}")
    assert any(message in record.getMessage() for record in caplog.records)
    ok, text = describe_email(app.config)
    assert not ok and text.startswith(f"Configuration SMTP invalide : {message}")
    (row,) = _reminders(session)
    assert (row.status, row.failures, len(smtp)) == (PENDING, 1, 0)


def test_pending_reminders_expire_when_the_appointment_starts(session, clinic, app):
    practice, gp, kind = clinic
    appointment = book(session, gp, kind, hours_ahead=5, now=DAY_BEFORE)
    app.config.update(UMPRO_SMTP_HOST="", UMPRO_NOTIFY_LOG_FALLBACK=False)
    service.enqueue_reminders(
        session,
        practice_id=practice.id,
        channel="email",
        now=DAY_BEFORE,
        settings=service.ReminderSettings.from_config({}),
    )
    session.commit()

    run = run_reminders(session, practice, now=appointment.start_at + timedelta(minutes=1))

    assert (run.failed, run.summary) == (1, "Rappels : 1 non envoyé(s) avant le rendez-vous.")
    (row,) = _reminders(session)
    assert row.status == EXPIRED


def test_development_writes_emails_to_the_log_with_ids_only(session, clinic, app, caplog):
    practice, gp, kind = clinic
    appointment = _appointment_at(session, gp, kind, START)
    session.commit()
    app.config.update(UMPRO_SMTP_HOST="", UMPRO_NOTIFY_LOG_FALLBACK=True, UMPRO_SMS_BACKEND="")

    with caplog.at_level(logging.INFO, logger="umpro.notify"):
        run = run_reminders(session, practice, now=DAY_BEFORE)

    assert (run.done, run.summary) == (
        1,
        "Rappels : 1 écrit(s) dans le journal, non envoyé(s).",
    )
    (row,) = _reminders(session)
    assert row.status == LOGGED and row.status_label == "Écrit dans le journal (non envoyé)"
    (line,) = [r.getMessage() for r in caplog.records if "NON envoyé" in r.getMessage()]
    assert (
        f"rappel {row.id}, rendez-vous {appointment.id}, patient {appointment.patient_id}" in line
    )
    assert "Heure : 9 h 30" in line
    assert "Lemoine" not in line.title() and "d.lemoine@exemple.fr" not in line


def test_without_smtp_host_in_production_no_email_is_pretended(session, clinic, app):
    practice, gp, kind = clinic
    book(session, gp, kind, hours_ahead=5, now=DAY_BEFORE)
    session.commit()
    app.config.update(UMPRO_SMTP_HOST="", UMPRO_NOTIFY_LOG_FALLBACK=False, UMPRO_SMS_BACKEND="")

    run = run_reminders(session, practice, now=DAY_BEFORE)

    assert (run.done, run.summary) == (0, "Aucun rappel à envoyer.")
    assert _reminders(session) == []
    ok, text = describe_email(app.config)
    assert not ok and text.startswith("Aucun serveur SMTP configuré (UMPRO_SMTP_HOST est vide)")


def test_sms_console_backend_logs_and_says_not_sent(session, clinic, app, caplog):
    practice, gp, kind = clinic
    mobile = _appointment_at(session, gp, kind, START, phone="06 12 34 56 78", email="")
    landline = _appointment_at(
        session, gp, kind, START + timedelta(hours=1), phone="02 99 11 22 33"
    )
    session.commit()
    app.config.update(UMPRO_SMTP_HOST="", UMPRO_NOTIFY_LOG_FALLBACK=False)
    app.config["UMPRO_SMS_BACKEND"] = "console"

    with caplog.at_level(logging.INFO, logger="umpro.notify"):
        run = run_reminders(session, practice, now=DAY_BEFORE)

    assert (run.done, run.skipped) == (1, 1)
    (row,) = _reminders(session, mobile)
    assert (row.channel, row.status) == ("sms", LOGGED)
    (skipped,) = _reminders(session, landline)
    assert skipped.reason == "Pas de numéro de téléphone mobile pour ce patient."
    (line,) = [r.getMessage() for r in caplog.records if "SMS NON envoyé" in r.getMessage()]
    assert "Rappel : RDV le mardi 3 mars à 9 h 30 avec Dr Claire Martin" in line
    assert "02 99 00 11 22" in line and "06 12" not in line and "Lemoine" not in line.title()


class RefusingSms:
    """A provider that answers with an error: the reminder must not be marked sent."""

    def __init__(self, config):
        pass

    def describe(self):
        return "essai"

    def send(self, *, to, text, ref):
        raise DeliveryError("Le fournisseur SMS a refusé le message (crédit épuisé).")


class AcceptingSms(RefusingSms):
    sent: list = []

    def send(self, *, to, text, ref):
        self.sent.append(to)
        return Delivery("sent", "sms-1")


def test_sms_provider_interface_sent_only_when_accepted(session, clinic, app):
    practice, gp, kind = clinic
    _appointment_at(session, gp, kind, START, phone="+33 7 12 34 56 78", email="")
    session.commit()
    app.config.update(UMPRO_SMTP_HOST="", UMPRO_NOTIFY_LOG_FALLBACK=False)
    app.config["UMPRO_SMS_BACKEND"] = "tests.test_jobs_delivery:RefusingSms"

    refused = run_reminders(session, practice, now=DAY_BEFORE)
    app.config["UMPRO_SMS_BACKEND"] = "tests.test_jobs_delivery:AcceptingSms"
    accepted = run_reminders(session, practice, now=DAY_BEFORE + timedelta(minutes=5))

    assert (refused.done, refused.failed, accepted.done) == (0, 1, 1)
    (row,) = _reminders(session)
    assert (row.status, row.failures, row.message_id) == (SENT, 1, "sms-1")
    assert AcceptingSms.sent == ["+33712345678"]


def test_unknown_sms_backend_is_a_french_settings_error(app):
    app.config.update(UMPRO_SMTP_HOST="", UMPRO_SMS_BACKEND="pigeon")
    from umpro.notify.sms import describe_sms

    ok, text = describe_sms(app.config)
    assert not ok
    assert text.startswith("Configuration SMS invalide : UMPRO_SMS_BACKEND vaut « pigeon »")


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07.12.34.56.78", "+33712345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033712345678", "+33712345678"),
        ("+32 470 12 34 56", "+32470123456"),
        ("02 99 00 11 22", None),
        ("", None),
        ("pas de téléphone", None),
    ],
)
def test_mobile_numbers(phone, expected):
    assert mobile_number(phone) == expected
