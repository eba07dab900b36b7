"""Patient-list growth

Create Date: 2026-11-26 12:37:39.725628

"""

import sqlalchemy as sa
from alembic import op

import umpro.db
from migrations.shapes import (
    create_indexes,
    created_at_column,
    drop_tables,
    foreign_key,
    id_column,
    practice_column,
    primary_key,
)

revision = "0009"
down_revision = "0008"


def upgrade():
    op.create_table(
        "patient_list_snapshot",
        id_column(),
        sa.Column("gp_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("patient_list", sa.Integer(), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.Column("file_active", sa.Integer(), nullable=False),
        sa.Column("ald", sa.Integer(), nullable=False),
        sa.Column("started", sa.Integer(), nullable=False),
        sa.Column("ended", sa.Integer(), nullable=False),
        sa.Column("computed_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        practice_column(),
        foreign_key("patient_list_snapshot", "gp_id", "staff"),
        foreign_key("patient_list_snapshot", "practice_id", "practice"),
        primary_key("patient_list_snapshot"),
        sa.UniqueConstraint("gp_id", "day", name=op.f("uq_patient_list_snapshot_gp_id_day")),
    )
    create_indexes("patient_list_snapshot", "practice_id")

    op.create_table(
        "patient_list_target",
        id_column(),
        sa.Column("gp_id", sa.Integer(), nullable=False),
        sa.Column("baseline_on", sa.Date(), nullable=False),
        sa.Column("baseline_value", sa.Integer(), nullable=False),
        sa.Column("target_percent", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("target_value", sa.Integer(), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=False),
        sa.Column("with_assistant", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        practice_column(),
        created_at_column(),
        sa.CheckConstraint(
            "baseline_value >= 0 AND target_value > baseline_value",
            name=op.f("ck_patient_list_target_values"),
        ),
        sa.CheckConstraint("deadline_on > baseline_on", name=op.f("ck_patient_list_target_period")),
        foreign_key("patient_list_target", "gp_id", "staff"),
        foreign_key("patient_list_target", "practice_id", "practice"),
        foreign_key("patient_list_target", "recorded_by_id", "staff"),
        primary_key("patient_list_target"),
    )
    create_indexes("patient_list_target", "gp_id", "practice_id")


def downgrade():
    drop_tables("patient_list_target", "patient_list_snapshot")
