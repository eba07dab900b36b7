"""Sign-in sessions, sign-in attempts, API keys and the access log."""

from datetime import datetime

from sqlalchemy import DDL, Boolean, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from umpro.db import Base, PracticeOwned, Timestamped, UTCDateTime
from umpro.team.models import Staff


class AuthSession(Timestamped, Base):
    """A server-side sign-in session: the cookie carries only its random token.

    Signing in creates a new one (the identifier changes), signing out ends it on the
    server, and ``last_seen_at`` drives the idle timeout.
    """

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str] = mapped_column(String(64), default="")

    staff: Mapped[Staff] = relationship(lazy="joined", innerjoin=True)


class LoginAttempt(Base):
    """One sign-in attempt, kept in the database so throttling holds across workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    ip: Mapped[str] = mapped_column(String(64), default="")


class ApiKey(PracticeOwned, Timestamped, Base):
    """A key that acts as one account. Only its SHA-256 is stored (it has 256 random bits)."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100), default="")
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: None: the key lives until revoked.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(lazy="joined", innerjoin=True)


class AccessLog(Base):
    """Append-only, hash-chained record of every access to patient data.

    Each row's ``hash`` covers its own fields and the previous row's hash, so altering or
    removing a row breaks the chain from there on (``flask umpro audit verify``). Triggers
    refuse UPDATE and DELETE in the database itself.
    """

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_practice_at", "practice_id", "at"),
        Index("ix_access_log_patient_id", "patient_id"),
        Index("ix_access_log_staff_id", "staff_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(32), default="")
    #: The one patient concerned, when one is (also listed in ``patient_ids``).
    patient_id: Mapped[int | None] = mapped_column(Integer)
    #: Every patient shown by this access, sorted ids joined by commas ("" when none);
    #: covered by the hash. ``AccessLogPatient`` indexes it for "who saw patient X".
    patient_ids: Mapped[str] = mapped_column(Text, default="", server_default="")
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AccessLogPatient(Base):
    """One patient listed by an access-log row: the index behind "who saw patient X".

    Derived from ``AccessLog.patient_ids`` (which the hash covers); a view listing fifty
    patients writes one log row and one executemany here, never fifty chained rows.
    """

    __tablename__ = "access_log_patient"
    __table_args__ = (
        # A patient's accesses over a period, newest first, without reading the others.
        Index("ix_access_log_patient_patient_at", "patient_id", "at", "access_log_id"),
    )

    # No foreign key: like the log itself, this is never updated nor deleted.
    access_log_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The access-log row's ``at``, copied.
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


#: The database itself refuses to change or remove an access-log row. The baseline
#: migration runs these very statements: change them only with a new migration that
#: replaces them in existing databases, and leave the baseline a copy of them as they are.
APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END""",
    """CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END""",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'access_log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
ON access_log FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()""",
]

for _statement in APPEND_ONLY_SQLITE:
    event.listen(AccessLog.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in APPEND_ONLY_POSTGRESQL:
    event.listen(
        AccessLog.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
