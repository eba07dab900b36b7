"""Scale: one access-log row per view (patient list indexed), overlap triggers bounded on
both sides, appointments capped at 12 hours.

Create Date: 2026-11-26 12:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from migrations.shapes import (
    APPOINTMENT_OVERLAP_TRIGGERS,
    UNBOUNDED_APPOINTMENT_CLASH,
    create_appointment_overlap_triggers,
    primary_key,
)

revision = "0008"
down_revision = "0007"


# Frozen copies of the statements in umpro/scheduling/models.py as they are at this
# revision (0004 made the previous, unbounded triggers: migrations/shapes.py).
def _clash(column: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM appointment AS a WHERE a.{column} = NEW.{column}"  # noqa: S608 - constant column names
        " AND a.start_at < NEW.end_at AND a.start_at > datetime(NEW.start_at, '-12 hours')"
        " AND a.end_at > NEW.start_at AND a.status IN ('booked', 'arrived', 'fulfilled')"
        " AND a.id IS NOT NEW.id)"
    )


_CLASH = "(" + " OR ".join(_clash(c) for c in ("staff_id", "room_id", "patient_id")) + ")"
DURATION_TRIGGERS = {
    "appointment_max_duration_insert": "BEFORE INSERT ON appointment",
    "appointment_max_duration_update": "BEFORE UPDATE OF start_at, end_at ON appointment",
}
_TOO_LONG = "julianday(NEW.end_at) - julianday(NEW.start_at) > 12 / 24.0"
PG_DURATION = (
    "ALTER TABLE appointment ADD CONSTRAINT ck_appointment_max_duration"
    " CHECK (end_at - start_at <= interval '12 hours')"
)


def _replace_overlap_triggers(clash: str) -> None:
    for name in APPOINTMENT_OVERLAP_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    create_appointment_overlap_triggers(clash)


def upgrade():
    op.add_column(
        "access_log",
        sa.Column("patient_ids", sa.Text(), nullable=False, server_default=sa.text("''")),
    )
    op.create_table(
        "access_log_patient",
        sa.Column("access_log_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        primary_key("access_log_patient", "access_log_id", "patient_id"),
    )
    op.create_index(
        "ix_access_log_patient_patient",
        "access_log_patient",
        ["patient_id", "access_log_id"],
        unique=False,
    )
    # Earlier rows named at most one patient: index them for "who saw patient X".
    op.execute(
        "INSERT INTO access_log_patient (access_log_id, patient_id)"
        " SELECT id, patient_id FROM access_log WHERE patient_id IS NOT NULL"
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _replace_overlap_triggers(_CLASH)
        for name, when in DURATION_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when}\nWHEN {_TOO_LONG}\n"
                "BEGIN SELECT RAISE(ABORT, 'appointment_too_long'); END"
            )
    elif dialect == "postgresql":
        op.execute(PG_DURATION)
        # Missing from 0002 (found by tests/test_scale_schema.py); SQLite would need the
        # table rebuilt, so there the check stays the models' only.
        op.execute(
            "ALTER TABLE patient ADD CONSTRAINT ck_patient_sex CHECK (sex IN ('F', 'M', 'I'))"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in DURATION_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        _replace_overlap_triggers(UNBOUNDED_APPOINTMENT_CLASH)
    elif dialect == "postgresql":
        op.execute("ALTER TABLE appointment DROP CONSTRAINT IF EXISTS ck_appointment_max_duration")
        op.execute("ALTER TABLE patient DROP CONSTRAINT IF EXISTS ck_patient_sex")
    op.drop_index("ix_access_log_patient_patient", table_name="access_log_patient")
    op.drop_table("access_log_patient")
    with op.batch_alter_table("access_log") as batch_op:
        batch_op.drop_column("patient_ids")
