"""Hardening: login attempts by address, API key expiry, staff changes to confirm

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 13:00:00

"""

import sqlalchemy as sa
from alembic import op

import umpro.db

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_ip_at", ["ip", "at"], unique=False)
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", umpro.db.UTCDateTime(), nullable=True))
    op.create_table(
        "staff_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", umpro.db.UTCDateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("before_profession", sa.String(length=32), nullable=False),
        sa.Column("after_profession", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", umpro.db.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", umpro.db.UTCDateTime(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["staff.id"],
            name=op.f("fk_staff_change_acknowledged_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["staff.id"], name=op.f("fk_staff_change_decided_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_staff_change_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["staff.id"], name=op.f("fk_staff_change_requested_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_staff_change_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_change")),
    )
    with op.batch_alter_table("staff_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_change_practice_id"), ["practice_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_staff_change_staff_id"), ["staff_id"], unique=False)


def downgrade():
    with op.batch_alter_table("staff_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_change_staff_id"))
        batch_op.drop_index(batch_op.f("ix_staff_change_practice_id"))
    op.drop_table("staff_change")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_ip_at")
