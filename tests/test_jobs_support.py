"""Helpers for the jobs tests (no tests here): a real SMTP server (aiosmtpd on 127.0.0.1)
that can refuse a recipient or hold a message, running reminders, a practice with
appointments to remind."""

import asyncio
import itertools
import socket
import threading
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from tests import factories
from umpro.db import utcnow
from umpro.jobs.registry import get_job
from umpro.jobs.runner import run_job

SENDER = "Maison de santé des Tilleuls <ne-pas-repondre@msp-tilleuls.fr>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP server accepted. ``refuse``: recipients answered 550. ``hold_from``:
    the n-th message (1-based) and later wait in DATA until ``release`` is set; a client
    that dies meanwhile never gets its 250, and the message is not stored."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()
        self.hold_from: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self.messages)

    def by_recipient(self) -> dict[str, list]:
        with self._lock:
            found: dict[str, list] = {}
            for message in self.messages:
                found.setdefault(message["To"], []).append(message)
            return found

    def bodies(self) -> list[str]:
        with self._lock:
            return [m.get_body(("plain",)).get_content() for m in self.messages]


class _Handler:
    def __init__(self, inbox: Inbox):
        self.inbox = inbox
        self.seen = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.inbox.refuse:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.inbox.hold_from is not None and self.seen >= self.inbox.hold_from:
            self.inbox.holding.set()
            while not self.inbox.release.is_set():  # cancelled if the client goes away
                await asyncio.sleep(0.05)
        message = message_from_bytes(envelope.original_content, policy=default_policy)
        with self.inbox._lock:
            self.inbox.messages.append(message)
        return "250 2.0.0 Message accepté"


class SmtpServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(_Handler(self.inbox), hostname="127.0.0.1", port=self.port)

    def config(self) -> dict:
        return {
            "UMPRO_SMTP_HOST": "127.0.0.1",
            "UMPRO_SMTP_PORT": str(self.port),
            "UMPRO_SMTP_TLS": "none",
            "UMPRO_SMTP_FROM": SENDER,
            "UMPRO_SMTP_TIMEOUT": "10",
        }


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.controller.start()
    try:
        yield server
    finally:
        server.inbox.release.set()
        server.controller.stop()


@pytest.fixture
def smtp(app, smtp_server):
    """The app configured to send through the test's SMTP server; yields its inbox."""
    app.config.update(smtp_server.config())
    app.config.update(UMPRO_NOTIFY_LOG_FALLBACK=False, UMPRO_SMS_BACKEND="")
    return smtp_server.inbox


def run_reminders(session, practice, *, now=None, config=None, worker="test"):
    """One run of the ``reminders`` job for ``practice`` at ``now``; returns the JobRun."""
    from flask import current_app

    now = now or utcnow()
    return run_job(
        session,
        get_job("reminders"),
        practice_id=practice.id,
        config=config or current_app.config,
        worker=worker,
        clock=lambda: now,
    )


def make_clinic(session, practice=None):
    """A practice with an address and a phone, Dr Claire Martin, a type: (practice, gp,
    type). ``practice``: the test's own (the one ``sign_in`` signs into)."""
    practice = practice or factories.make_practice(session)
    practice.address = "3 place des Tilleuls, 35000 Rennes"
    practice.phone = "02 99 00 11 22"
    gp = factories.make_staff(
        session, practice, given_name="Claire", family_name="Martin", profession="gp"
    )
    kind = factories.make_appointment_type(session, practice, label="Consultation")
    return practice, gp, kind


_emails = itertools.count(1)


def email_reminder(appointment, **fields):
    """An e-mail reminder row for ``appointment``, made directly rather than by the service."""
    from umpro.reminders.models import Reminder

    return Reminder(
        practice_id=appointment.practice_id,
        appointment_id=appointment.id,
        channel="email",
        start_at=appointment.start_at,
        **fields,
    )


def book(session, gp, kind, *, hours_ahead: float = 20, now=None, patient=None, **fields):
    """An appointment ``hours_ahead`` after ``now`` for a new patient with an e-mail.
    ``fields``: the patient's (email, phone…); ``status``/``source`` go to the appointment."""
    now = now or utcnow()
    appointment_fields = {k: fields.pop(k) for k in ("status", "source") if k in fields}
    if patient is None:
        fields = {"email": f"patient{next(_emails)}@exemple.fr"} | fields
        patient = factories.make_patient(session, gp.practice, **fields)
    start = (now + timedelta(hours=hours_ahead)).replace(microsecond=0)
    return factories.make_appointment(
        session, gp, patient, start_at=start, type=kind, **appointment_fields
    )
