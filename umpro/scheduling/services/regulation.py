"""SAS regulation (Service d'Accès aux Soins) and the out-of-hours duty (PDSA).

The SAS regulates weekdays 8–20 h and Saturday 8–12 h (practice zone); outside those
hours, and on public holidays, the PDSA answers. A regulator books a held or free slot
starting within 48 h.
"""

from datetime import datetime, timedelta

from umpro.acting import Acting
from umpro.auth.permissions import can
from umpro.errors import Invalid
from umpro.scheduling.holidays import holiday_name
from umpro.team.models import Staff
from umpro.timeutil import to_local

#: weekday → (first hour, hour after the last) of the SAS regulation.
SAS_HOURS = {0: (8, 20), 1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 20), 5: (8, 12)}
#: A regulator books a slot starting within this delay.
REGULATOR_WINDOW = timedelta(hours=48)
REGULATOR = "regulator"
SAS_HOURS_TEXT = "en semaine de 8 h à 20 h et le samedi de 8 h à 12 h"


def sas_open(now: datetime, tz: str) -> bool:
    """True during the SAS's hours (not on public holidays: the PDSA answers then)."""
    local = to_local(now, tz)
    hours = SAS_HOURS.get(local.weekday())
    if hours is None or holiday_name(local.date()):
        return False
    return hours[0] <= local.hour < hours[1]


def out_of_hours(now: datetime, tz: str) -> bool:
    """True when the PDSA (permanence des soins ambulatoires) applies."""
    return not sas_open(now, tz)


def check_regulator_booking(
    *,
    acting: Acting,
    staff: Staff,
    source: str,
    start_at: datetime,
    regulator_name: str,
    regulator_reference: str,
) -> tuple[str, str]:
    """The (name, reference) to store for a booking of ``source``; ("", "") when it is
    not a regulated one. Refuses (422, nothing saved): a regulator account booking under
    another source; ``regulator`` from a desk user without the regulator's name and
    reference; a slot starting more than 48 h ahead; a booking outside SAS hours."""
    is_regulator = can(acting.actor, "agenda.regulate", staff)
    if source != REGULATOR:
        if is_regulator:
            raise Invalid(
                "Un compte de régulation prend ses rendez-vous avec l'origine "
                "« Régulation (SAS) ».",
                field="source",
            )
        return "", ""
    name, reference = (regulator_name or "").strip(), (regulator_reference or "").strip()
    if len(name) > 120 or len(reference) > 60:
        raise Invalid("Nom du régulateur ou référence trop longs.", field="regulator_reference")
    if is_regulator:
        name = name or acting.actor.display_name
    elif not (name and reference):
        raise Invalid(
            "Un rendez-vous de la régulation (SAS) se prend depuis un compte de régulation, "
            "ou en indiquant le nom du régulateur et la référence de la régulation.",
            field="regulator_reference" if name else "regulator_name",
        )
    if start_at - acting.now > REGULATOR_WINDOW:
        raise Invalid(
            "La régulation (SAS) ne prend que des créneaux commençant dans les 48 heures.",
            field="start",
        )
    tz = staff.practice.timezone
    if not sas_open(acting.now, tz):
        raise Invalid(
            f"La régulation (SAS) prend des rendez-vous {SAS_HOURS_TEXT} ; en dehors, "
            "c'est la permanence des soins (PDSA).",
            field="source",
        )
    return name, reference
