"""Column, constraint, index and trigger shapes that the migrations in versions/ share.

FROZEN: a migration that has run must give the same schema forever, and every migration
calls these. Never change what a helper here creates (type, name, order, options): write a
new helper instead and leave the old one to the migrations that already use it.
"""

import sqlalchemy as sa
from alembic import op

import umpro.db


def id_column() -> sa.Column:
    """The integer primary-key column ``id``."""
    return sa.Column("id", sa.Integer(), nullable=False)


def practice_column() -> sa.Column:
    """The ``practice_id`` column of a row that belongs to one practice."""
    return sa.Column("practice_id", sa.Integer(), nullable=False)


def created_at_column() -> sa.Column:
    """The ``created_at`` timestamp column (UTC, with time zone)."""
    return sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False)


def primary_key(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The primary key ``pk_<table>`` on ``columns`` (``id`` when none are given)."""
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=op.f(f"pk_{table}"))


def foreign_key(
    table: str, column: str, target: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    """``table.column`` references ``target.id``, named ``fk_<table>_<column>_<target>``."""
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=name, ondelete=ondelete)


def create_link_table(table: str, *links: tuple[str, ...]) -> None:
    """Create a table whose rows link rows of other tables: a link ``(column, target)`` or
    ``(column, target, ondelete)`` is an integer column referencing ``target.id``; the
    columns, in the given order, are together the primary key."""
    op.create_table(
        table,
        *(sa.Column(column, sa.Integer(), nullable=False) for column, *_ in links),
        # The references in the order Alembic's autogenerate wrote them: by column name.
        *(foreign_key(table, *link) for link in sorted(links)),
        primary_key(table, *(column for column, *_ in links)),
    )


def create_indexes(table: str, *indexes: str | tuple[str, list[str]]) -> None:
    """Create the table's indexes in the given order: a column name gives the one-column
    index ``ix_<table>_<column>``; a ``(name, columns)`` pair a named index."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for index in indexes:
            if isinstance(index, str):
                batch_op.create_index(batch_op.f(f"ix_{table}_{index}"), [index], unique=False)
            else:
                name, columns = index
                batch_op.create_index(name, columns, unique=False)


def create_partial_unique_index(table: str, name: str, columns: list[str], where: str) -> None:
    """A unique index over the rows that match ``where`` (SQLite and PostgreSQL)."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(
            name,
            columns,
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def drop_tables(*tables: str) -> None:
    """Drop the tables in the given order (their indexes and triggers go with them)."""
    for table in tables:
        op.drop_table(table)


#: The appointments that hold their slot (booked, arrived or seen).
LIVE_APPOINTMENT = "status IN ('booked', 'arrived', 'fulfilled')"
#: SQLite: the triggers that refuse overlapping live appointments, and when they fire.
APPOINTMENT_OVERLAP_TRIGGERS = {
    "appointment_no_overlap_insert": "BEFORE INSERT ON appointment",
    "appointment_no_overlap_update": (
        "BEFORE UPDATE OF staff_id, patient_id, room_id, start_at, end_at, status ON appointment"
    ),
}
#: The clash the overlap triggers looked for as 0004 made them: a live appointment of the
#: same staff member, patient or room over the new one's period (0008 bounds the search).
UNBOUNDED_APPOINTMENT_CLASH = (
    "EXISTS (SELECT 1 FROM appointment AS a"
    " WHERE a.status IN ('booked', 'arrived', 'fulfilled')"
    " AND a.start_at < NEW.end_at AND NEW.start_at < a.end_at AND a.id IS NOT NEW.id"
    " AND (a.staff_id = NEW.staff_id OR a.patient_id = NEW.patient_id"
    " OR a.room_id = NEW.room_id))"
)


def create_appointment_overlap_triggers(clash: str) -> None:
    """SQLite: the triggers that refuse to write a live appointment for which the SQL
    condition ``clash`` holds."""
    for name, when in APPOINTMENT_OVERLAP_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} {when}\nWHEN NEW.{LIVE_APPOINTMENT} AND {clash}\n"
            "BEGIN SELECT RAISE(ABORT, 'appointment_overlap'); END"
        )
