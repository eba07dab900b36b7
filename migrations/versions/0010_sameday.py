"""Same-day care: hold policies and blocks, held slots, regulator fields on appointments

Create Date: 2026-11-26 13:00:00

"""

import sqlalchemy as sa
from alembic import op

import umpro.db
from migrations.shapes import (
    create_indexes,
    drop_tables,
    foreign_key,
    id_column,
    practice_column,
    primary_key,
)

revision = "0010"
down_revision = "0009"


def upgrade():
    op.create_table(
        "hold_policy",
        id_column(),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("share_percent", sa.SmallInteger(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("slot_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("release_lead_minutes", sa.Integer(), nullable=True),
        practice_column(),
        sa.Column("created_at", umpro.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "share_percent >= 0 AND share_percent <= 100", name=op.f("ck_hold_policy_share")
        ),
        sa.CheckConstraint(
            "slot_minutes > 0 AND slot_minutes <= 120", name=op.f("ck_hold_policy_slot")
        ),
        sa.CheckConstraint("release_lead_minutes >= 0", name=op.f("ck_hold_policy_lead")),
        foreign_key("hold_policy", "practice_id", "practice"),
        foreign_key("hold_policy", "staff_id", "staff", ondelete="CASCADE"),
        primary_key("hold_policy"),
        sa.UniqueConstraint(
            "practice_id", "staff_id", name=op.f("uq_hold_policy_practice_id_staff_id")
        ),
    )
    create_indexes("hold_policy", "practice_id")
    op.create_table(
        "hold_block",
        id_column(),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name=op.f("ck_hold_block_weekday")),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_hold_block_hours")),
        foreign_key("hold_block", "policy_id", "hold_policy", ondelete="CASCADE"),
        primary_key("hold_block"),
    )
    create_indexes("hold_block", "policy_id")
    op.create_table(
        "held_slot",
        id_column(),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("start_at", umpro.db.UTCDateTime(), nullable=False),
        sa.Column("end_at", umpro.db.UTCDateTime(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("release_at", umpro.db.UTCDateTime(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", umpro.db.UTCDateTime(), nullable=True),
        practice_column(),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_held_slot_period")),
        foreign_key("held_slot", "appointment_id", "appointment", ondelete="SET NULL"),
        foreign_key("held_slot", "practice_id", "practice"),
        foreign_key("held_slot", "room_id", "room"),
        foreign_key("held_slot", "staff_id", "staff", ondelete="CASCADE"),
        primary_key("held_slot"),
        sa.UniqueConstraint("staff_id", "start_at", name=op.f("uq_held_slot_staff_id_start_at")),
    )
    create_indexes(
        "held_slot",
        ("ix_held_slot_practice_start", ["practice_id", "start_at"]),
        ("ix_held_slot_state_release", ["state", "release_at"]),
        "practice_id",
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("regulator_name", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "regulator_reference", sa.String(length=60), nullable=False, server_default=""
            )
        )


def downgrade():
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_column("regulator_reference")
        batch_op.drop_column("regulator_name")
    drop_tables("held_slot", "hold_block", "hold_policy")
