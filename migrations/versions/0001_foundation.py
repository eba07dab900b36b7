"""Foundation: practice, staff, rooms, sign-in, API keys, append-only access log.

Create Date: 2026-11-22 19:49:02.146047

"""

import sqlalchemy as sa
from alembic import op

import umpro.db
from migrations.shapes import (
    create_indexes,
    create_link_table,
    created_at_column,
    drop_tables,
    foreign_key,
    id_column,
    practice_column,
    primary_key,
)
from umpro.auth.models import APPEND_ONLY_POSTGRESQL, APPEND_ONLY_SQLITE

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "access_log",
        id_column(),
        sa.Column("practice_id", sa.Integer(), nullable=True),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        primary_key("access_log"),
    )
    create_indexes(
        "access_log",
        ("ix_access_log_patient_id", ["patient_id"]),
        ("ix_access_log_practice_at", ["practice_id", "at"]),
        ("ix_access_log_staff_id", ["staff_id"]),
    )

    op.create_table(
        "login_attempt",
        id_column(),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        primary_key("login_attempt"),
    )
    create_indexes("login_attempt", ("ix_login_attempt_email_at", ["email", "at"]))

    op.create_table(
        "practice",
        id_column(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        created_at_column(),
        primary_key("practice"),
        sa.UniqueConstraint("slug", name=op.f("uq_practice_slug")),
    )
    op.create_table(
        "room",
        id_column(),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        practice_column(),
        created_at_column(),
        foreign_key("room", "practice_id", "practice"),
        primary_key("room"),
        sa.UniqueConstraint("practice_id", "name", name=op.f("uq_room_practice_id_name")),
    )
    create_indexes("room", "practice_id")

    op.create_table(
        "staff",
        id_column(),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("profession", sa.String(length=32), nullable=False),
        sa.Column("rpps", sa.String(length=11), nullable=True),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("deactivated_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        practice_column(),
        created_at_column(),
        foreign_key("staff", "practice_id", "practice"),
        foreign_key("staff", "supervisor_id", "staff"),
        primary_key("staff"),
        sa.UniqueConstraint("email", name=op.f("uq_staff_email")),
    )
    create_indexes("staff", "practice_id")

    op.create_table(
        "api_key",
        id_column(),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("last_used_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        practice_column(),
        created_at_column(),
        foreign_key("api_key", "practice_id", "practice"),
        foreign_key("api_key", "staff_id", "staff", ondelete="CASCADE"),
        primary_key("api_key"),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    create_indexes("api_key", "practice_id", "staff_id")

    create_link_table(
        "assisted_gp", ("assistant_id", "staff", "CASCADE"), ("gp_id", "staff", "CASCADE")
    )
    op.create_table(
        "auth_session",
        id_column(),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("last_seen_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        created_at_column(),
        foreign_key("auth_session", "staff_id", "staff", ondelete="CASCADE"),
        primary_key("auth_session"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_session_token_hash")),
    )
    create_indexes("auth_session", "staff_id")

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": APPEND_ONLY_SQLITE, "postgresql": APPEND_ONLY_POSTGRESQL}.get(
        dialect, []
    ):
        op.execute(statement)


def downgrade():
    drop_tables(
        "auth_session",
        "assisted_gp",
        "api_key",
        "staff",
        "room",
        "practice",
        "login_attempt",
        "access_log",
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS access_log_append_only()")
