"""Outgoing messages to patients: e-mail through SMTP and SMS, behind small backends.

A backend answers with a ``Delivery`` saying what really happened: ``sent`` (the server
accepted the message) or ``logged`` (a development backend wrote it to the log and did
NOT send it). When a message is not accepted it raises ``DeliveryError`` with a French
sentence; nothing pretends to have sent what it did not.
"""

from collections.abc import Callable
from dataclasses import dataclass

SENT, LOGGED = "sent", "logged"


@dataclass(frozen=True)
class Delivery:
    status: str
    #: The message's Message-ID, or the SMS provider's id.
    reference: str = ""


class DeliveryError(Exception):
    """The message was not accepted. ``server_wide``: the server or the settings are at
    fault, not this message, so the other messages of the run would fail the same way."""

    def __init__(self, message: str, *, server_wide: bool = False):
        super().__init__(message)
        self.message = message
        self.server_wide = server_wide


class SettingsError(DeliveryError):
    """The UMPRO_SMTP_* / UMPRO_SMS_* settings are wrong (a French sentence says which)."""

    def __init__(self, message: str):
        super().__init__(message, server_wide=True)


def describe_backend(
    make_backend: Callable, config, *, what: str, off: tuple[bool, str]
) -> tuple[bool, str]:
    """(usable, French description) of the backend ``make_backend(config)`` builds for the
    admin page: its settings error (``what`` names them), ``off`` when none is set."""
    try:
        backend = make_backend(config)
    except SettingsError as error:
        return False, f"Configuration {what} invalide : {error.message}"
    if backend is None:
        return off
    return True, backend.describe()
