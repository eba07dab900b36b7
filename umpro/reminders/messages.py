"""The reminder's words: a French e-mail (with the appointment's ``.ics`` once the iCal
work provides it) and a short SMS. No patient name and no appointment type (it may reveal
a condition): date, time, professional, address and how to cancel."""

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from babel.dates import format_date

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PracticeFacts:
    id: int
    name: str
    address: str
    phone: str
    timezone: str


@dataclass(frozen=True)
class ReminderFacts:
    reminder_id: int
    appointment_id: int
    patient_id: int
    start_at: datetime
    professional: str
    is_home_visit: bool
    is_teleconsultation: bool
    practice: PracticeFacts

    @property
    def local_start(self) -> datetime:
        return self.start_at.astimezone(ZoneInfo(self.practice.timezone))

    @property
    def ref(self) -> str:
        """Ids for log lines: never a name or an address."""
        return (
            f"rappel {self.reminder_id}, rendez-vous {self.appointment_id}, "
            f"patient {self.patient_id}"
        )


def long_date_fr(local: datetime) -> str:
    """``mardi 3 mars 2026``."""
    return format_date(local.date(), "EEEE d MMMM yyyy", locale="fr_FR")


def time_fr(local: datetime) -> str:
    """``9 h 30``, ``14 h 00`` (French typography)."""
    return f"{local.hour} h {local.minute:02d}"


def _place(facts: ReminderFacts) -> str:
    if facts.is_home_visit:
        return "à votre domicile (visite à domicile)"
    if facts.is_teleconsultation:
        return "téléconsultation (le lien vous sera communiqué par le professionnel)"
    return ", ".join(p for p in (facts.practice.name, facts.practice.address) if p)


def _how_to_cancel(facts: ReminderFacts) -> str:
    if facts.practice.phone:
        return (
            "Pour annuler ou déplacer ce rendez-vous, appelez la maison de santé au "
            f"{facts.practice.phone}."
        )
    return "Pour annuler ou déplacer ce rendez-vous, contactez la maison de santé."


def email_subject(facts: ReminderFacts) -> str:
    local = facts.local_start
    return f"Rappel : rendez-vous le {long_date_fr(local)} à {time_fr(local)}"


def email_text(facts: ReminderFacts) -> str:
    local = facts.local_start
    return "\n".join(
        [
            "Bonjour,",
            "",
            "Nous vous rappelons votre rendez-vous :",
            "",
            f"  Date : {long_date_fr(local)}",
            f"  Heure : {time_fr(local)}",
            f"  Professionnel : {facts.professional}",
            f"  Lieu : {_place(facts)}",
            "",
            _how_to_cancel(facts),
            "Si vous ne pouvez pas venir, merci de prévenir au plus tôt : le créneau sera "
            "proposé à un autre patient.",
            "",
            "Ce message est envoyé automatiquement, merci de ne pas y répondre.",
            facts.practice.name,
            "",
        ]
    )


def reminder_email(
    facts: ReminderFacts, *, to: str, sender: str, now: datetime, ics: bytes | None
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = email_subject(facts)
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(f"rappel-{facts.reminder_id}", domain=domain)
    # RFC 3834: an automatic message (no vacation auto-replies back).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email_text(facts))
    if ics:
        message.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename="rendez-vous.ics",
            params={"method": "REQUEST"},
        )
    return message


def reminder_sms(facts: ReminderFacts) -> str:
    local = facts.local_start
    day = format_date(local.date(), "EEEE d MMMM", locale="fr_FR")
    cancel = f" Pour annuler : {facts.practice.phone}." if facts.practice.phone else ""
    return (
        f"Rappel : RDV le {day} à {time_fr(local)} avec {facts.professional}, "
        f"{facts.practice.name}.{cancel}"
    )


def appointment_ics(appointment) -> bytes | None:
    """The appointment's ``.ics`` (METHOD:REQUEST). A failure there must not cost the
    patient the reminder: it is sent without the file."""
    from umpro.calendars.ics import appointment_ics as build

    try:
        return build(appointment, method="REQUEST")
    except Exception as error:  # the reminder still goes out, without the attachment
        log.warning(
            "Rappel sans fichier .ics (rendez-vous %s) : %s", appointment.id, type(error).__name__
        )
        return None
