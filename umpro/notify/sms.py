"""SMS backends behind one small interface.

``UMPRO_SMS_BACKEND``: empty (SMS off), ``console`` (development: the text is written to
the log, NOT sent, and the reminder says so), or ``package.module:Class`` for a provider
(the class is built with the app config and has ``describe()`` and
``send(*, to, text, ref) -> Delivery``, raising ``DeliveryError`` when not accepted).
"""

import importlib
import logging
import re

from umpro.notify import LOGGED, Delivery, SettingsError, describe_backend

log = logging.getLogger(__name__)


class ConsoleSmsBackend:
    name = "console"

    def __init__(self, config=None):
        pass

    def describe(self) -> str:
        return "console (développement) : les SMS sont écrits dans le journal, pas envoyés"

    def send(self, *, to: str, text: str, ref: str) -> Delivery:
        log.info("SMS NON envoyé (console, développement) — %s : %s", ref, text)
        return Delivery(LOGGED)


def sms_backend(config):
    """The configured SMS backend, or None when SMS is off. Raises SettingsError."""
    name = str(config.get("UMPRO_SMS_BACKEND") or "").strip()
    if not name:
        return None
    if name == "console":
        return ConsoleSmsBackend(config)
    module_name, _, class_name = name.partition(":")
    try:
        backend_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as error:
        raise SettingsError(
            f"UMPRO_SMS_BACKEND vaut « {name} » : valeurs possibles « console » ou "
            "« paquet.module:Classe » d'un fournisseur installé."
        ) from error
    return backend_class(config)


def describe_sms(config) -> tuple[bool, str]:
    """(usable, French description) for the admin page; SMS off is not an error."""
    off = "aucun service d'envoi de SMS configuré : pas de rappel par SMS"
    return describe_backend(sms_backend, config, what="SMS", off=(True, off))


_MOBILE_FR = re.compile(r"^0[67]\d{8}$")


def mobile_number(phone: str) -> str | None:
    """A French mobile number in E.164 (``+336…``), another country's ``+`` number as
    given, or None (landline, empty, unreadable): SMS only reach mobiles."""
    digits = re.sub(r"[\s.\-()]", "", phone or "")
    if digits.startswith("0033"):
        digits = "+" + digits[2:]
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    if _MOBILE_FR.match(digits):
        return "+33" + digits[1:]
    if re.fullmatch(r"\+(?!33)\d{8,15}", digits):
        return digits
    return None
