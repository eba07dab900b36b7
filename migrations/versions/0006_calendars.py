"""Calendars: feed tokens (hashed secrets, detail level, throttle) and the cache of
serialised VEVENTs.

Create Date: 2026-11-22 20:20:22

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

revision = "0006"
down_revision = "0005"


def upgrade():
    op.create_table(
        "feed_token",
        id_column(),
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
        practice_column(),
        created_at_column(),
        sa.CheckConstraint(
            "(scope = 'practice') = (target_id IS NULL)", name=op.f("ck_feed_token_target")
        ),
        sa.CheckConstraint(
            "detail IN ('busy', 'initials', 'full')", name=op.f("ck_feed_token_detail")
        ),
        sa.CheckConstraint(
            "scope IN ('staff', 'room', 'practice')", name=op.f("ck_feed_token_scope")
        ),
        foreign_key("feed_token", "created_by_id", "staff"),
        foreign_key("feed_token", "owner_id", "staff", ondelete="CASCADE"),
        foreign_key("feed_token", "practice_id", "practice"),
        primary_key("feed_token"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_token_token_hash")),
    )
    create_indexes("feed_token", "owner_id", "practice_id")

    op.create_table(
        "calendar_event_cache",
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("updated_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("vevent", sa.Text(), nullable=False),
        practice_column(),
        foreign_key("calendar_event_cache", "appointment_id", "appointment", ondelete="CASCADE"),
        foreign_key("calendar_event_cache", "practice_id", "practice"),
        primary_key("calendar_event_cache", "appointment_id", "variant"),
    )
    create_indexes("calendar_event_cache", "practice_id")


def downgrade():
    drop_tables("calendar_event_cache", "feed_token")
