"""Declarative base, naming convention, UTC datetime type and common mixins."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC. Refuses naive datetimes; always returns aware ones.

    SQLite has no time zone type, so values come back naive there: they are UTC by
    construction and get their tzinfo back here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC instants")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: Tests set this (fixture ``frozen_now``) so that pages and services see a fixed instant;
#: it stays ``None`` in a running application.
frozen_at: datetime | None = None


def utcnow() -> datetime:
    """The one clock of the application (services also accept ``now=``)."""
    return frozen_at if frozen_at is not None else datetime.now(UTC)


def one_of(column: str, values) -> str:
    """The SQL of a CHECK that ``column`` holds one of ``values``: ``status IN ('a', 'b')``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def unique_where(name: str, *columns: str, where: str) -> Index:
    """A partial unique index, the same on SQLite and PostgreSQL: at most one row per
    ``columns`` among the rows that match the SQL ``where`` (the standing objection…)."""
    return Index(
        name, *columns, unique=True, sqlite_where=text(where), postgresql_where=text(where)
    )


def label_of(labels: dict[str, str], column: str) -> property:
    """A read-only property: the French label of ``column``'s value in ``labels`` (the
    value itself when it has none), e.g. ``status_label = label_of(STATUSES, "status")``."""

    def label(self) -> str:
        value = getattr(self, column)
        return labels.get(value, value)

    return property(label)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PracticeOwned:
    """Every table holding practice data carries ``practice_id``."""

    @declared_attr
    def practice_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("practice.id"), index=True)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: WAL, foreign keys, a busy timeout, and transactions that we open ourselves."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy's "begin" event decide how a transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: True while a read-only request runs (set by ``errors_wiring``): its transactions then
#: open deferred on SQLite and take no write lock.
_reading: ContextVar[bool] = ContextVar("umpro_read_only_transactions", default=False)


def read_only_transactions(flag: bool) -> None:
    """Let the transactions that open from now on (in this context) be read-only ones
    (``True``) or writers (``False``, the default: CLI, jobs, unsafe requests, tests)."""
    _reading.set(flag)


@contextmanager
def writer_transactions():
    """Inside a read-only request, let the transactions opened in the block take the
    write lock first (SQLite), then go back to reading."""
    token = _reading.set(False)
    try:
        yield
    finally:
        _reading.reset(token)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """SQLite: a writer's transaction takes the write lock first (``BEGIN IMMEDIATE``);
    a read-only request's opens deferred (``BEGIN``) and never blocks another request.

    A deferred transaction that reads, then writes, fails with SQLITE_BUSY_SNAPSHOT when
    another writer committed in between: so a read-only request writes nothing in its
    transaction; its access-log rows are written after rendering, in a short writer
    transaction of their own. Booking checks, made in writers' transactions, cannot race.
    Readers are never blocked (WAL).
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN" if _reading.get() else "BEGIN IMMEDIATE")
