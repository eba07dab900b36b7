"""Hardening: login attempts by address, API key expiry, staff changes to confirm

Create Date: 2026-11-26 13:00:00

"""

import sqlalchemy as sa
from alembic import op

import umpro.db
from migrations.shapes import (
    create_indexes,
    foreign_key,
    id_column,
    practice_column,
    primary_key,
)

revision = "0011"
down_revision = "0010"


def upgrade():
    create_indexes("login_attempt", ("ix_login_attempt_ip_at", ["ip", "at"]))
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", umpro.db.UTCDateTime(), nullable=True))
    op.create_table(
        "staff_change",
        id_column(),
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
        practice_column(),
        foreign_key("staff_change", "acknowledged_by_id", "staff"),
        foreign_key("staff_change", "decided_by_id", "staff"),
        foreign_key("staff_change", "practice_id", "practice"),
        foreign_key("staff_change", "requested_by_id", "staff"),
        foreign_key("staff_change", "staff_id", "staff", ondelete="CASCADE"),
        primary_key("staff_change"),
    )
    create_indexes("staff_change", "practice_id", "staff_id")


def downgrade():
    op.drop_table("staff_change")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_ip_at")
