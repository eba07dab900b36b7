"""Calendars: feed tokens (hashed secrets, detail level, throttle) and the cache of
serialised VEVENTs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 20:20:22

"""

import sqlalchemy as sa
from alembic import op

import umpro.db

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feed_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_started_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_count", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(scope = 'practice') = (target_id IS NULL)", name=op.f("ck_feed_token_target")
        ),
        sa.CheckConstraint(
            "detail IN ('busy', 'initials', 'full')", name=op.f("ck_feed_token_detail")
        ),
        sa.CheckConstraint(
            "scope IN ('staff', 'room', 'practice')", name=op.f("ck_feed_token_scope")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_feed_token_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff.id"],
            name=op.f("fk_feed_token_owner_id_staff"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_feed_token_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_token_token_hash")),
    )
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_token_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_feed_token_practice_id"), ["practice_id"], unique=False
        )

    op.create_table(
        "calendar_event_cache",
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("updated_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("vevent", sa.Text(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_calendar_event_cache_appointment_id_appointment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_calendar_event_cache_practice_id_practice"),
        ),
        sa.PrimaryKeyConstraint("appointment_id", "variant", name=op.f("pk_calendar_event_cache")),
    )
    with op.batch_alter_table("calendar_event_cache", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_event_cache_practice_id"), ["practice_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("calendar_event_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_event_cache_practice_id"))
    op.drop_table("calendar_event_cache")
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_token_practice_id"))
        batch_op.drop_index(batch_op.f("ix_feed_token_owner_id"))
    op.drop_table("feed_token")
