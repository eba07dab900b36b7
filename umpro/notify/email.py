"""E-mail backends: SMTP, or the log in development when no SMTP host is set.

Settings (config.py, each overridable by the environment): ``UMPRO_SMTP_HOST``,
``UMPRO_SMTP_PORT`` (default 587 with STARTTLS, 465 with SSL, 25 without TLS),
``UMPRO_SMTP_USER``, ``UMPRO_SMTP_PASSWORD``, ``UMPRO_SMTP_TLS`` (``starttls``, ``ssl`` or
``none``), ``UMPRO_SMTP_FROM``, ``UMPRO_SMTP_TIMEOUT`` (seconds). Wrong settings raise
``SettingsError`` with a French sentence naming the setting; nothing here crashes a caller.
"""

import contextlib
import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from umpro.notify import (
    LOGGED,
    SENT,
    Delivery,
    DeliveryError,
    SettingsError,
    describe_backend,
)

log = logging.getLogger(__name__)

TLS_MODES = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "sans chiffrement"}
_TLS_ALIASES = {"1": "starttls", "true": "starttls", "yes": "starttls", "oui": "starttls"}
_TLS_ALIASES |= {"0": "none", "false": "none", "no": "none", "non": "none", "": "starttls"}
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str
    password: str
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        host = str(config.get("UMPRO_SMTP_HOST") or "").strip()
        raw_tls = str(config.get("UMPRO_SMTP_TLS") or "").strip().lower()
        tls = _TLS_ALIASES.get(raw_tls, raw_tls)
        if tls not in TLS_MODES:
            raise SettingsError(
                f"UMPRO_SMTP_TLS vaut « {raw_tls} » : valeurs possibles starttls, ssl ou none."
            )
        raw_port = str(config.get("UMPRO_SMTP_PORT") or "").strip()
        if not raw_port:
            port = DEFAULT_PORTS[tls]
        elif raw_port.isdigit() and 0 < int(raw_port) < 65536:
            port = int(raw_port)
        else:
            raise SettingsError(
                f"UMPRO_SMTP_PORT vaut « {raw_port} » : un numéro de port entre 1 et 65535 "
                "est attendu (587 pour STARTTLS, 465 pour SSL)."
            )
        raw_timeout = str(config.get("UMPRO_SMTP_TIMEOUT") or "20").strip()
        try:
            timeout = float(raw_timeout)
        except ValueError:
            timeout = 0
        if not 0 < timeout <= 300:
            raise SettingsError(
                f"UMPRO_SMTP_TIMEOUT vaut « {raw_timeout} » : un nombre de secondes entre 1 "
                "et 300 est attendu."
            )
        sender = str(config.get("UMPRO_SMTP_FROM") or "").strip()
        if "@" not in parseaddr(sender)[1]:
            raise SettingsError(
                "UMPRO_SMTP_FROM est vide ou n'est pas une adresse électronique : indiquez "
                "l'adresse d'expédition des rappels (par exemple "
                "« Maison de santé <ne-pas-repondre@exemple.fr> »)."
            )
        user = str(config.get("UMPRO_SMTP_USER") or "")
        password = str(config.get("UMPRO_SMTP_PASSWORD") or "")
        if bool(user) != bool(password):
            raise SettingsError(
                "UMPRO_SMTP_USER et UMPRO_SMTP_PASSWORD vont ensemble : renseignez les deux, "
                "ou aucun si le serveur n'exige pas d'authentification."
            )
        return cls(host, port, tls, user, password, sender, timeout)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def describe(self) -> str:
        auth = f", compte {self.user}" if self.user else ""
        return f"serveur {self.where} ({TLS_MODES[self.tls]}{auth}), expéditeur {self.sender}"


def email_backend(config):
    """The configured backend: SMTP when a host is set, the log in development
    (``UMPRO_NOTIFY_LOG_FALLBACK``), else None (e-mail is off). Raises SettingsError."""
    if str(config.get("UMPRO_SMTP_HOST") or "").strip():
        return SmtpBackend(SmtpSettings.from_config(config))
    if config.get("UMPRO_NOTIFY_LOG_FALLBACK"):
        sender = str(config.get("UMPRO_SMTP_FROM") or "") or "UMPro <ne-pas-repondre@localhost>"
        return LogEmailBackend(sender)
    return None


def describe_email(config) -> tuple[bool, str]:
    """(settings usable, French description) for the admin page."""
    off = (
        "Aucun serveur SMTP configuré (UMPRO_SMTP_HOST est vide) : "
        "aucun rappel n'est envoyé par courriel."
    )
    return describe_backend(email_backend, config, what="SMTP", off=(False, off))


class LogEmailBackend:
    """Development: writes the message to the log (ids only, never the address)."""

    name = "log"

    def __init__(self, sender: str):
        self.sender = sender

    def describe(self) -> str:
        return (
            "aucun serveur SMTP (développement) : les courriels sont écrits dans le journal "
            "de l'application, ils ne sont pas envoyés"
        )

    def open(self) -> "LogEmailBackend":
        return self

    def close(self) -> None:
        pass

    def send(self, message: EmailMessage, *, ref: str) -> Delivery:
        body = message.get_body(("plain",))
        log.info(
            "Courriel NON envoyé (aucun serveur SMTP, développement) — %s\nObjet : %s\n%s",
            ref,
            message["Subject"],
            body.get_content() if body is not None else "",
        )
        return Delivery(LOGGED, message["Message-ID"] or "")


class SmtpBackend:
    name = "smtp"

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.sender = settings.sender

    def describe(self) -> str:
        return self.settings.describe()

    def open(self) -> "SmtpConnection":
        return SmtpConnection(self.settings)


class SmtpConnection:
    """One SMTP session reused for the messages of a run, opened on the first send."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.sender = settings.sender
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage, *, ref: str) -> Delivery:
        if self._smtp is None:
            self._smtp = self._connect()
        s = self.settings
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()), (0, b""))
            raise DeliveryError(
                f"Adresse du patient refusée par le serveur SMTP {s.where} "
                f"(code {code} : {_text(text)})."
            ) from error
        except smtplib.SMTPSenderRefused as error:
            self._drop()
            raise DeliveryError(
                f"Adresse d'expédition refusée par le serveur SMTP {s.where} (UMPRO_SMTP_FROM, "
                f"code {error.smtp_code} : {_text(error.smtp_error)}).",
                server_wide=True,
            ) from error
        except smtplib.SMTPResponseException as error:
            closing = error.smtp_code == 421  # "service not available, closing channel"
            if closing:
                self._drop()
            raise DeliveryError(
                f"Le serveur SMTP {s.where} a refusé le message "
                f"(code {error.smtp_code} : {_text(error.smtp_error)}).",
                server_wide=closing,
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise DeliveryError(
                f"La connexion au serveur SMTP {s.where} a été coupée pendant l'envoi "
                f"({type(error).__name__}) : le message n'a pas été accepté.",
                server_wide=True,
            ) from error
        if refused:  # one recipient per message: refused means not sent
            raise DeliveryError(f"Adresse du patient refusée par le serveur SMTP {s.where}.")
        return Delivery(SENT, message["Message-ID"] or "")

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError):
                self._smtp.close()
        self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp = None
        try:
            if s.tls == "ssl":
                context = ssl.create_default_context()
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password)
            return smtp
        except (OSError, smtplib.SMTPException) as error:
            if smtp is not None:
                with contextlib.suppress(OSError):
                    smtp.close()
            raise DeliveryError(_connect_error(s, error), server_wide=True) from error


def _connect_error(s: SmtpSettings, error: Exception) -> str:
    """A French sentence for a failed connection, naming the setting to check."""
    if isinstance(error, socket.gaierror):
        return (
            f"Serveur SMTP introuvable : « {s.host} » ne correspond à aucune adresse "
            "(vérifiez UMPRO_SMTP_HOST)."
        )
    if isinstance(error, ConnectionRefusedError):
        return (
            f"Connexion refusée par {s.where} : aucun serveur SMTP n'écoute à cette adresse "
            "(vérifiez UMPRO_SMTP_HOST et UMPRO_SMTP_PORT)."
        )
    if isinstance(error, TimeoutError):
        return (
            f"Le serveur SMTP {s.where} ne répond pas (délai de {s.timeout:g} s dépassé ; "
            "vérifiez UMPRO_SMTP_HOST, UMPRO_SMTP_PORT et le pare-feu)."
        )
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (
            f"Identifiants refusés par le serveur SMTP {s.where} (vérifiez UMPRO_SMTP_USER et "
            f"UMPRO_SMTP_PASSWORD ; code {error.smtp_code})."
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return (
            f"Le serveur SMTP {s.where} ne propose pas ce qui est demandé ({_text(error)}) : "
            "vérifiez UMPRO_SMTP_TLS (starttls, ssl ou none) et l'authentification."
        )
    if isinstance(error, ssl.SSLError):
        return (
            f"Échec de la négociation TLS avec {s.where} ({error.reason or error}) : "
            "vérifiez UMPRO_SMTP_TLS et UMPRO_SMTP_PORT (465 pour ssl, 587 pour starttls)."
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return (
            f"Le serveur SMTP {s.where} a refusé la connexion "
            f"(code {error.smtp_code} : {_text(error.smtp_error)})."
        )
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return (
            f"Le serveur SMTP {s.where} a fermé la connexion dès l'ouverture "
            "(vérifiez UMPRO_SMTP_TLS et UMPRO_SMTP_PORT)."
        )
    return f"Connexion au serveur SMTP {s.where} impossible : {error}."


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip()[:200]
