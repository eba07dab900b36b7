"""Each practice's data version: a counter the database itself raises whenever a row a page
may show changes, so that a page whose data has not changed can be answered again
(``umpro.page_cache``) without any risk of showing it stale.

The counter lives in ``practice_data_version`` (one row per practice, created at its first
change). Triggers on every table of practice data raise it; no application code has to
remember to:

- SQLite: ``AFTER INSERT/UPDATE/DELETE`` triggers, one upsert per changed row (writers are
  serialised by the database, so the counter follows the order of commits).
- PostgreSQL: one deferred constraint trigger per table, which runs at commit and raises
  the counter once per transaction and practice. Taking the counter's row lock last, at
  commit, never makes two transactions wait for each other in a cycle, and the new value
  becomes visible in the same instant as the rows it stands for.

A reader reads the version *before* the data: the data it then reads is at least as new
as the version, so a page stored under a version never shows less than that version holds.

Tables that hold no page data are left out (the access log, sessions, sign-in attempts,
job runs, the calendar feed's own cache, API keys and feed tokens, whose last use changes
on every use). A table without ``practice_id`` is counted through its parent's. A new
table is versioned by default; ``tests/test_scale_schema.py`` then shows the migration it
needs (the triggers are compared after ``flask db upgrade`` and after ``create_all()``).

The baseline migration (``migrations/versions/0015_baseline.py``) builds its triggers with
the functions below: change their SQL only with a new migration that recreates the
triggers of existing databases, and leave the baseline a copy of them as they are now.
"""

from sqlalchemy import DDL, Integer, MetaData, Table, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from umpro.db import Base

#: Tables whose changes no cached page depends on.
UNVERSIONED = frozenset(
    {
        "access_log",
        "access_log_patient",
        "api_key",
        "auth_session",
        "calendar_event_cache",
        "feed_token",
        "job_run",
        "login_attempt",
        "practice_data_version",
        "scheduler_instance",
    }
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION umpro_bump_practice_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed jsonb;
    pid integer;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := to_jsonb(OLD); ELSE changed := to_jsonb(NEW); END IF;
    pid := (changed ->> TG_ARGV[0])::integer;
    IF TG_NARGS > 1 THEN
        EXECUTE 'SELECT practice_id FROM ' || quote_ident(TG_ARGV[1]) || ' WHERE id = $1'
            INTO pid USING pid;
    END IF;
    IF pid IS NULL OR current_setting('umpro.version_raised_' || pid, true) = '1' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('umpro.version_raised_' || pid, '1', true);
    INSERT INTO practice_data_version AS v (practice_id, version) VALUES (pid, 1)
        ON CONFLICT (practice_id) DO UPDATE SET version = v.version + 1;
    RETURN NULL;
END
$$
"""


class PracticeDataVersion(Base):
    __tablename__ = "practice_data_version"

    practice_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)


def practice_of(table: Table) -> tuple[str, str | None]:
    """How a row of ``table`` names its practice: (its column, None) or, for a table
    without ``practice_id``, (its column pointing at a parent row, the parent's table)."""
    if table.name == "practice":
        return "id", None
    if "practice_id" in table.c:
        return "practice_id", None
    for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
        if "practice_id" in fk.column.table.c:
            return fk.parent.name, fk.column.table.name
    raise LookupError(f"{table.name}: no way to its practice")


def versioned_tables(metadata: MetaData) -> list[Table]:
    return [t for t in metadata.sorted_tables if t.name not in UNVERSIONED]


def sqlite_triggers(table: str, column: str, parent: str | None) -> list[str]:
    # Names from the metadata (or a migration's frozen list), never from input.
    statements = []
    for operation, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        practice = f"{row}.{column}"
        if parent is not None:
            practice = f"(SELECT practice_id FROM {parent} WHERE id = {row}.{column})"  # noqa: S608
        statements.append(
            f"CREATE TRIGGER practice_version_{table}_{operation}"  # noqa: S608
            f" AFTER {operation.upper()} ON {table} WHEN {practice} IS NOT NULL"
            " BEGIN INSERT INTO practice_data_version (practice_id, version)"
            f" VALUES ({practice}, 1) ON CONFLICT (practice_id)"
            " DO UPDATE SET version = version + 1; END"
        )
    return statements


def postgresql_trigger(table: str, column: str, parent: str | None) -> str:
    arguments = f"'{column}'" + (f", '{parent}'" if parent else "")
    return (
        f"CREATE CONSTRAINT TRIGGER practice_version_{table}"
        f" AFTER INSERT OR UPDATE OR DELETE ON {table}"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        f" EXECUTE FUNCTION umpro_bump_practice_version({arguments})"
    )


@event.listens_for(Base.metadata, "after_create")
def _create_triggers(metadata, connection, tables=(), **kw):
    created = {t.name for t in tables} if tables else None
    on_pg = connection.dialect.name == "postgresql"
    if on_pg:
        connection.execute(DDL(PG_FUNCTION))
    for table in versioned_tables(metadata):
        if created is not None and table.name not in created:
            continue
        column, parent = practice_of(table)
        if on_pg:
            connection.execute(DDL(postgresql_trigger(table.name, column, parent)))
        else:
            for statement in sqlite_triggers(table.name, column, parent):
                connection.execute(DDL(statement))


def practice_version(session: Session, practice_id: int) -> int:
    """The practice's data version (0 before its first change): one primary-key read."""
    found = session.scalar(
        select(PracticeDataVersion.version).where(PracticeDataVersion.practice_id == practice_id)
    )
    return found or 0
