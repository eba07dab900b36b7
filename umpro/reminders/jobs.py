"""The ``reminders`` job: for one practice, create the due reminder rows, then claim,
check, send and settle them one by one.

Transactions (this is the one place that commits reminder work): the claim and the
checks commit together, BEFORE the message leaves, so that another scheduler sees the
claim; no transaction is open while the server is talked to (SQLite: no write lock held);
the row is marked sent in its own transaction once the server accepted the message. A
crash between the claim and the mark leaves a claim that expires (``claimed_until``), and
the next run takes the reminder back: the only duplicate possible is a crash in the
milliseconds between the server's acceptance and that commit.
"""

import logging
from dataclasses import dataclass, field

from umpro.jobs.registry import JobContext, JobResult
from umpro.notify import DeliveryError, SettingsError
from umpro.notify.email import email_backend
from umpro.notify.sms import sms_backend
from umpro.reminders import messages
from umpro.reminders.models import CANCELLED, EMAIL, EXPIRED, LOGGED, SKIPPED, SMS
from umpro.reminders.services import (
    ReminderSettings,
    Verdict,
    check_reminder,
    claim_reminder,
    due_reminder_ids,
    enqueue_reminders,
    expire_overdue,
    record_failure,
    record_server_failure,
    settle,
)

log = logging.getLogger(__name__)


@dataclass
class Tally:
    sent: int = 0
    logged: int = 0
    skipped: int = 0
    dropped: int = 0
    failed: int = 0
    expired: int = 0
    errors: list[str] = field(default_factory=list)

    def error(self, channel: str, message: str) -> None:
        line = f"{'Courriel' if channel == EMAIL else 'SMS'} : {message}"
        if line not in self.errors:
            self.errors.append(line)

    def summary(self) -> str:
        parts = [
            (self.sent, "envoyé(s)"),
            (self.logged, "écrit(s) dans le journal, non envoyé(s)"),
            (self.skipped, "ignoré(s) (pas de contact ou refus du patient)"),
            (self.dropped, "sans objet (rendez-vous annulé ou déplacé)"),
            (self.failed, "en échec (nouvel essai au prochain passage)"),
            (self.expired, "non envoyé(s) avant le rendez-vous"),
        ]
        text = ", ".join(f"{n} {what}" for n, what in parts if n)
        return f"Rappels : {text}." if text else "Aucun rappel à envoyer."


class _Broken:
    """Stands for a channel whose settings are wrong: every send fails with the reason."""

    sender = ""

    def __init__(self, error: SettingsError):
        self.error = error

    def open(self):
        return self

    def close(self) -> None:
        pass

    def send(self, *args, **kwargs):
        raise self.error


def _backends(config) -> dict[str, object]:
    found = {}
    for channel, make in ((EMAIL, email_backend), (SMS, sms_backend)):
        try:
            backend = make(config)
        except SettingsError as error:
            backend = _Broken(error)
        if backend is not None:
            found[channel] = backend
    return found


def _practice_facts(practice) -> messages.PracticeFacts:
    return messages.PracticeFacts(
        id=practice.id,
        name=practice.name,
        address=practice.address or "",
        phone=practice.phone or "",
        timezone=practice.timezone,
    )


def run_reminders(ctx: JobContext) -> JobResult:
    session, settings = ctx.session, ReminderSettings.from_config(ctx.config)
    practice = _practice_facts(ctx.practice)
    practice_id = practice.id
    tally = Tally()
    tally.expired = expire_overdue(session, practice_id=practice_id, now=ctx.now)
    session.commit()
    for channel, backend in _backends(ctx.config).items():
        if isinstance(backend, _Broken):  # reported even when there is nothing to send
            tally.error(channel, backend.error.message)
        enqueue_reminders(
            session, practice_id=practice_id, channel=channel, now=ctx.now, settings=settings
        )
        session.commit()
        _deliver(ctx, settings, practice, channel, backend, tally)
    error = " ".join(tally.errors)
    return JobResult(
        done=tally.sent + tally.logged,
        skipped=tally.skipped + tally.dropped,
        failed=tally.failed + tally.expired,
        summary=tally.summary(),
        error=error,
    )


def _deliver(ctx, settings, practice, channel, backend, tally: Tally) -> None:
    session = ctx.session
    ids = due_reminder_ids(
        session, practice_id=practice.id, channel=channel, now=ctx.now, limit=settings.batch
    )
    session.commit()
    connection = backend.open() if channel == EMAIL else backend
    try:
        for reminder_id in ids:
            if ctx.stopping is not None and ctx.stopping.is_set():
                break
            if not _one(ctx, settings, practice, channel, connection, reminder_id, tally):
                break
    finally:
        if channel == EMAIL:
            connection.close()


def _one(ctx, settings, practice, channel, connection, reminder_id, tally: Tally) -> bool:
    """Handle one reminder; False when the channel is down for the rest of the run."""
    session, now = ctx.session, ctx.clock()
    reminder = claim_reminder(
        session, reminder_id=reminder_id, worker=ctx.worker, now=now, lease=settings.lease
    )
    if reminder is None:  # another scheduler has it, or it is already settled
        session.commit()
        return True
    verdict = check_reminder(session, reminder=reminder, now=now)
    if isinstance(verdict, Verdict):
        settle(
            session,
            reminder=reminder,
            worker=ctx.worker,
            status=verdict.status,
            reason=verdict.reason,
            now=now,
        )
        session.commit()
        if verdict.status == SKIPPED:
            tally.skipped += 1
        elif verdict.status == CANCELLED:
            tally.dropped += 1
        elif verdict.status == EXPIRED:
            tally.expired += 1
        return True
    facts = messages.ReminderFacts(
        reminder_id=reminder.id,
        appointment_id=reminder.appointment_id,
        patient_id=reminder.appointment.patient_id,
        start_at=reminder.start_at,
        professional=reminder.appointment.staff.display_name,
        is_home_visit=bool(reminder.appointment.type.is_home_visit),
        is_teleconsultation=bool(reminder.appointment.type.is_teleconsultation),
        practice=practice,
    )
    if channel == EMAIL:
        outgoing = messages.reminder_email(
            facts,
            to=verdict,
            sender=connection.sender,
            now=now,
            ics=messages.appointment_ics(reminder.appointment),
        )
    else:
        outgoing = messages.reminder_sms(facts)
    session.commit()  # the claim is visible before anything leaves
    try:
        if channel == EMAIL:
            delivery = connection.send(outgoing, ref=facts.ref)
        else:
            delivery = connection.send(to=verdict, text=outgoing, ref=facts.ref)
    except DeliveryError as error:
        now = ctx.clock()
        log.warning("Rappel non envoyé (%s) : %s", facts.ref, error.message)
        record_failure(
            session, reminder_id=facts.reminder_id, worker=ctx.worker, error=error.message, now=now
        )
        tally.failed += 1
        if error.server_wide:
            tally.failed += record_server_failure(
                session,
                practice_id=practice.id,
                channel=channel,
                error=error.message,
                now=now,
                tried=facts.reminder_id,
            )
            tally.error(channel, error.message)
        session.commit()
        return not error.server_wide
    now = ctx.clock()
    if not settle(
        session,
        reminder=reminder,
        worker=ctx.worker,
        status=delivery.status,
        now=now,
        delivery=delivery,
    ):
        log.warning("Rappel envoyé mais repris entre-temps par un autre envoi (%s)", facts.ref)
    session.commit()
    if delivery.status == LOGGED:
        tally.logged += 1
    else:
        tally.sent += 1
    return True
