"""Same-day care: hold policies and blocks, held slots, regulator fields on appointments

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 13:00:00

"""

import sqlalchemy as sa
from alembic import op

import umpro.db

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "hold_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("share_percent", sa.SmallInteger(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("slot_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("release_lead_minutes", sa.Integer(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "share_percent >= 0 AND share_percent <= 100", name=op.f("ck_hold_policy_share")
        ),
        sa.CheckConstraint(
            "slot_minutes > 0 AND slot_minutes <= 120", name=op.f("ck_hold_policy_slot")
        ),
        sa.CheckConstraint("release_lead_minutes >= 0", name=op.f("ck_hold_policy_lead")),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_hold_policy_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_hold_policy_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold_policy")),
        sa.UniqueConstraint(
            "practice_id", "staff_id", name=op.f("uq_hold_policy_practice_id_staff_id")
        ),
    )
    with op.batch_alter_table("hold_policy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hold_policy_practice_id"), ["practice_id"])
    op.create_table(
        "hold_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name=op.f("ck_hold_block_weekday")),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_hold_block_hours")),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["hold_policy.id"],
            name=op.f("fk_hold_block_policy_id_hold_policy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold_block")),
    )
    with op.batch_alter_table("hold_block", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hold_block_policy_id"), ["policy_id"])
    op.create_table(
        "held_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("start_at", umpro.db.UTCDateTime(), nullable=False),
        sa.Column("end_at", umpro.db.UTCDateTime(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("release_at", umpro.db.UTCDateTime(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", umpro.db.UTCDateTime(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_held_slot_period")),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_held_slot_appointment_id_appointment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_held_slot_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(["room_id"], ["room.id"], name=op.f("fk_held_slot_room_id_room")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_held_slot_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_slot")),
        sa.UniqueConstraint("staff_id", "start_at", name=op.f("uq_held_slot_staff_id_start_at")),
    )
    with op.batch_alter_table("held_slot", schema=None) as batch_op:
        batch_op.create_index("ix_held_slot_practice_start", ["practice_id", "start_at"])
        batch_op.create_index("ix_held_slot_state_release", ["state", "release_at"])
        batch_op.create_index(batch_op.f("ix_held_slot_practice_id"), ["practice_id"])
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
    op.drop_table("held_slot")
    op.drop_table("hold_block")
    op.drop_table("hold_policy")
