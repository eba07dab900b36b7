"""Sign-in, sign-in sessions, throttling and API keys.

Services take a session and explicit arguments; they flush, never commit.
"""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask_babel import format_datetime
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_access
from umpro.auth.models import ApiKey, AuthSession, LoginAttempt
from umpro.auth.passwords import verify_password
from umpro.errors import DomainError, NotFound
from umpro.team.models import Staff

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."
LAST_SEEN_GRANULARITY = timedelta(seconds=60)


class SignInRefused(DomainError):
    status = 401
    code = "sign_in_refused"


class SignInThrottled(SignInRefused):
    status = 429
    code = "throttled"

    def __init__(self, retry_at: datetime, *, what: str = "pour ce compte"):
        self.retry_at = retry_at
        super().__init__(
            f"Trop de tentatives de connexion {what}. Réessayez à partir de "
            f"{format_datetime(retry_at, 'HH:mm')}."
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _retry_at(
    session: Session, *conditions, max_failures: int, window: timedelta
) -> datetime | None:
    """When the failed attempts that match ``conditions`` stop throttling: ``window``
    after the oldest of the last ``max_failures``; None while there are fewer."""
    recent = session.scalars(
        select(LoginAttempt.at)
        .where(LoginAttempt.succeeded.is_(False), *conditions)
        .order_by(LoginAttempt.at.desc())
        .limit(max_failures)
    ).all()
    if len(recent) < max_failures:
        return None
    return recent[-1] + window


def throttled_until(
    session: Session, *, email: str, now: datetime, max_failures: int, window: timedelta
) -> datetime | None:
    """When the account may try again, if ``max_failures`` failed within ``window``."""
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    since = now - window
    if last_success is not None and last_success > since:
        since = last_success
    return _retry_at(
        session,
        LoginAttempt.email == email,
        LoginAttempt.at > since,
        max_failures=max_failures,
        window=window,
    )


def address_throttled_until(
    session: Session, *, ip: str, now: datetime, max_failures: int, window: timedelta
) -> datetime | None:
    """When a client address may try again, if ``max_failures`` failed from it within
    ``window`` whatever the accounts tried (one password sprayed on many accounts).
    A success from the address does not reset the count: the sprayer may own an account."""
    if not ip:
        return None
    return _retry_at(
        session,
        LoginAttempt.ip == ip,
        LoginAttempt.at > now - window,
        LoginAttempt.at <= now,
        max_failures=max_failures,
        window=window,
    )


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    ip: str,
    now: datetime,
    max_failures: int = 5,
    window: timedelta = timedelta(minutes=15),
    max_address_failures: int = 20,
) -> Staff:
    """Check the credentials and open a sign-in session for the staff member returned.

    The new session's token is ``staff.session_token`` (what Flask-Login keeps).

    Refuses, with the same message, an unknown e-mail and a wrong password; refuses a
    deactivated account; refuses any attempt once ``max_failures`` failed for that
    e-mail within ``window``, or once ``max_address_failures`` failed from the client
    address ``ip`` within ``window`` (both counted in the database, so they hold across
    workers).
    """
    email = normalise_email(email)
    retry_at = address_throttled_until(
        session, ip=ip, now=now, max_failures=max_address_failures, window=window
    )
    if retry_at is not None:
        raise SignInThrottled(retry_at, what="depuis votre adresse réseau")
    retry_at = throttled_until(
        session, email=email, now=now, max_failures=max_failures, window=window
    )
    if retry_at is not None:
        raise SignInThrottled(retry_at)
    staff = session.scalar(select(Staff).where(Staff.email == email))
    ok = verify_password(staff.password_hash if staff else None, password)
    session.add(LoginAttempt(email=email, at=now, succeeded=ok, ip=ip))
    if not ok:
        session.flush()
        raise SignInRefused(BAD_CREDENTIALS)
    if not staff.is_active:
        raise SignInRefused("Ce compte est désactivé. Adressez-vous au coordinateur de l'équipe.")
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(staff=staff, token_hash=token_hash(token), last_seen_at=now, ip=ip))
    session.flush()
    staff.session_token = token
    return staff


def load_signed_in(
    session: Session, *, token: str, now: datetime, idle_timeout: timedelta
) -> Staff | None:
    """The staff member behind a live sign-in session token, or None.

    A session idle for longer than ``idle_timeout`` is ended here.
    """
    auth = session.scalar(
        select(AuthSession).where(
            AuthSession.token_hash == token_hash(token), AuthSession.ended_at.is_(None)
        )
    )
    if auth is None or not auth.staff.is_active:
        return None
    if now - auth.last_seen_at > idle_timeout:
        auth.ended_at = now
        session.flush()
        return None
    if now - auth.last_seen_at > LAST_SEEN_GRANULARITY:
        auth.last_seen_at = now
        session.flush()
    auth.staff.session_token = token
    return auth.staff


def sign_out(session: Session, *, token: str, now: datetime) -> None:
    """End the sign-in session on the server: its cookie no longer opens anything."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == token_hash(token), AuthSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all_sessions(session: Session, *, staff: Staff, now: datetime) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.staff_id == staff.id, AuthSession.ended_at.is_(None))
        .values(ended_at=now)
    )


API_KEY_PREFIX = "umpro"


def create_api_key(
    session: Session, *, staff: Staff, label: str = "", expires_at: datetime | None = None
) -> str:
    """Create a key acting as ``staff``, living until revoked or ``expires_at``; returns
    the key, shown once (only its hash is kept)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    session.add(
        ApiKey(
            practice_id=staff.practice_id,
            staff=staff,
            prefix=prefix,
            key_hash=token_hash(key),
            label=label,
            expires_at=expires_at,
        )
    )
    session.flush()
    return key


def authenticate_api_key(session: Session, *, key: str, now: datetime) -> Staff | None:
    """The active staff member a live key acts as, or None."""
    api_key = find_api_key(session, key=key, now=now)
    return api_key.staff if api_key is not None else None


def find_api_key(session: Session, *, key: str, now: datetime) -> ApiKey | None:
    """The live key ``key`` (of an active staff member), its last use refreshed; None
    for an unknown, revoked or expired key."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    api_key = session.scalar(
        select(ApiKey).where(ApiKey.prefix == parts[1], ApiKey.revoked_at.is_(None))
    )
    if api_key is None or not secrets.compare_digest(api_key.key_hash, token_hash(key)):
        return None
    if not api_key.staff.is_active:
        return None
    if api_key.expires_at is not None and api_key.expires_at <= now:
        log.info("api key %s refused: expired", api_key.id)
        return None
    log.info("api key %s used by staff %s", api_key.id, api_key.staff_id)
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_SEEN_GRANULARITY:
        api_key.last_used_at = now
        session.flush()
    return api_key


def revoke_api_key(session: Session, *, acting: Acting, key_id: int) -> ApiKey:
    """Revoke one key of the actor's practice (an admin's task, or the key's own account):
    a security event in the access log (``api_key.revoke``, the key's and account's ids)."""
    api_key = session.get(ApiKey, key_id)
    if api_key is None or api_key.practice_id != acting.actor.practice_id:
        raise NotFound("Clé inconnue.")
    if api_key.revoked_at is None:
        api_key.revoked_at = acting.now
        log.info("api key %s revoked by staff %s", api_key.id, acting.actor.id)
        target = f"api_key:{api_key.id} staff:{api_key.staff_id}"
        record_access(session, acting=acting, action="api_key.revoke", target=target)
    session.flush()
    return api_key


def revoke_keys_of(session: Session, *, staff: Staff, now: datetime) -> None:
    """Revoke every live key of an account (its password reset, its deactivation)."""
    session.execute(
        update(ApiKey)
        .where(ApiKey.staff_id == staff.id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def list_api_keys(session: Session, *, practice_id: int) -> list[ApiKey]:
    """Every key of a practice, live ones first (a practice has a handful)."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.practice_id == practice_id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())
        )
    )
