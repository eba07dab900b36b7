"""The schema of UMPro 0.1: every table, index and constraint, then what autogenerate does
not see (triggers, exclusion constraints, functions).

Fifteen migrations made the schema step by step while the domains were written, before any
release; this one replaces them. It keeps the id of the last of them, so that a database
brought up to date before it stays up to date. A database made during development and left
behind must first be upgraded with the code of commit 3d6429d (docs/deployment.md).

The raw SQL is the models' own (one source, issue 10): change it only with a new migration
that replaces it in existing databases, and leave this one a copy as it is now. The
versioned tables are listed here, frozen.

Create Date: 2026-11-27 19:30:00

"""

import sqlalchemy as sa
from alembic import op

import umpro.db
from umpro.auth.models import APPEND_ONLY_POSTGRESQL, APPEND_ONLY_SQLITE
from umpro.patients.models import DECLARATION_OVERLAP_POSTGRESQL, DECLARATION_OVERLAP_SQLITE
from umpro.scheduling.models import EXCLUSION_DDL, OVERLAP_TRIGGERS_SQLITE
from umpro.versioning import PG_FUNCTION, postgresql_trigger, sqlite_triggers

revision = "0015_access_log_patient_at"
down_revision = None

#: The tables whose changes raise their practice's data version (umpro/versioning.py).
VERSIONED = [
    "practice",
    "appointment_type",
    "patient",
    "protocol",
    "room",
    "patient_name_token",
    "staff",
    "absence",
    "appointment",
    "assisted_gp",
    "availability_rule",
    "file_entry",
    "hold_policy",
    "patient_list_snapshot",
    "patient_list_target",
    "protocol_consent",
    "protocol_membership",
    "reminder_opt_out",
    "sharing_objection",
    "staff_change",
    "treating_declaration",
    "weekly_absence",
    "appointment_event",
    "availability_rule_type",
    "care_task",
    "held_slot",
    "hold_block",
    "referral_letter",
    "registration_request",
    "reminder",
    "supervision_review",
    "adverse_event",
    "referral_letter_entry",
    "satisfaction_response",
    "task_appointment",
    "task_event",
]
#: How a row names its practice where not in its own ``practice_id``: its column, and for
#: a child table the parent table that column points at.
OTHER_PRACTICE_COLUMNS = {
    "practice": ("id", None),
    "assisted_gp": ("assistant_id", "staff"),
    "availability_rule_type": ("rule_id", "availability_rule"),
    "hold_block": ("policy_id", "hold_policy"),
    "referral_letter_entry": ("entry_id", "file_entry"),
}
VERSIONED_TABLES = [
    (table, *OTHER_PRACTICE_COLUMNS.get(table, ("practice_id", None))) for table in VERSIONED
]
#: PostgreSQL: the functions the triggers call.
FUNCTIONS = ["access_log_append_only()", "umpro_bump_practice_version()"]


def upgrade():
    create_tables()
    if op.get_bind().dialect.name == "postgresql":
        statements = [
            *APPEND_ONLY_POSTGRESQL,
            "CREATE EXTENSION IF NOT EXISTS btree_gist",
            DECLARATION_OVERLAP_POSTGRESQL,
            *EXCLUSION_DDL,
            PG_FUNCTION,
            *(postgresql_trigger(*table) for table in VERSIONED_TABLES),
        ]
    else:
        statements = [
            *APPEND_ONLY_SQLITE,
            *DECLARATION_OVERLAP_SQLITE,
            *OVERLAP_TRIGGERS_SQLITE,
            *(s for table in VERSIONED_TABLES for s in sqlite_triggers(*table)),
        ]
    for statement in statements:
        op.execute(statement)


def downgrade():
    """Drop every table but Alembic's own (their indexes, constraints and triggers go with
    them), then the functions."""
    bind = op.get_bind()
    tables = sa.MetaData()
    tables.reflect(bind=bind, only=lambda name, _: name != "alembic_version")
    tables.drop_all(bind=bind)
    if bind.dialect.name == "postgresql":
        for function in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")


def create_tables():
    """The tables and their indexes, as Alembic's autogenerate wrote them from the models."""
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=True),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("patient_ids", sa.Text(), server_default="", nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_patient_id", "access_log", ["patient_id"], unique=False)
    op.create_index("ix_access_log_practice_at", "access_log", ["practice_id", "at"], unique=False)
    op.create_index("ix_access_log_staff_id", "access_log", ["staff_id"], unique=False)
    op.create_table(
        "access_log_patient",
        sa.Column("access_log_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("access_log_id", "patient_id", name=op.f("pk_access_log_patient")),
    )
    op.create_index(
        "ix_access_log_patient_patient_at",
        "access_log_patient",
        ["patient_id", "at", "access_log_id"],
        unique=False,
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index("ix_login_attempt_email_at", "login_attempt", ["email", "at"], unique=False)
    op.create_index("ix_login_attempt_ip_at", "login_attempt", ["ip", "at"], unique=False)
    op.create_table(
        "practice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice")),
        sa.UniqueConstraint("slug", name=op.f("uq_practice_slug")),
    )
    op.create_table(
        "practice_data_version",
        sa.Column("practice_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("practice_id", name=op.f("pk_practice_data_version")),
    )
    op.create_table(
        "scheduler_instance",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_runs", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_instance")),
    )
    op.create_table(
        "appointment_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("professions", sa.JSON(), nullable=False),
        sa.Column("colour", sa.String(length=16), nullable=False),
        sa.Column("is_home_visit", sa.Boolean(), nullable=False),
        sa.Column("is_teleconsultation", sa.Boolean(), nullable=False),
        sa.Column("is_unscheduled", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 480",
            name=op.f("ck_appointment_type_duration"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_appointment_type_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_type")),
        sa.UniqueConstraint(
            "practice_id", "label", name=op.f("uq_appointment_type_practice_id_label")
        ),
    )
    op.create_index(
        op.f("ix_appointment_type_practice_id"), "appointment_type", ["practice_id"], unique=False
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("birth_name", sa.String(length=100), nullable=False),
        sa.Column("given_names", sa.String(length=150), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("ins", sa.String(length=15), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("has_chronic_condition", sa.Boolean(), nullable=False),
        sa.Column("sort_key", sa.String(length=300), nullable=False),
        sa.Column("updated_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sex IN ('F', 'M', 'I')", name=op.f("ck_patient_sex")),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_patient_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("practice_id", "ins", name=op.f("uq_patient_practice_id_ins")),
    )
    op.create_index(
        "ix_patient_practice_birth_date", "patient", ["practice_id", "birth_date"], unique=False
    )
    op.create_index(op.f("ix_patient_practice_id"), "patient", ["practice_id"], unique=False)
    op.create_index(
        "ix_patient_practice_sort", "patient", ["practice_id", "sort_key"], unique=False
    )
    op.create_table(
        "protocol",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("delegating_professions", sa.JSON(), nullable=False),
        sa.Column("delegate_professions", sa.JSON(), nullable=False),
        sa.Column("acts", sa.JSON(), nullable=False),
        sa.Column("min_age", sa.SmallInteger(), nullable=True),
        sa.Column("max_age", sa.SmallInteger(), nullable=True),
        sa.Column("sexes", sa.JSON(), nullable=False),
        sa.Column("inclusion_criteria", sa.JSON(), nullable=False),
        sa.Column("exclusion_criteria", sa.JSON(), nullable=False),
        sa.Column("consent_required", sa.Boolean(), nullable=False),
        sa.Column("result_fields", sa.JSON(), nullable=False),
        sa.Column("red_flags", sa.JSON(), nullable=False),
        sa.Column("default_due_days", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('asalee', 'national', 'local')", name=op.f("ck_protocol_kind")
        ),
        sa.CheckConstraint(
            "default_due_days >= 0 AND default_due_days <= 365", name=op.f("ck_protocol_due_days")
        ),
        sa.CheckConstraint(
            "min_age IS NULL OR max_age IS NULL OR min_age <= max_age",
            name=op.f("ck_protocol_age_window"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_protocol_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol")),
        sa.UniqueConstraint("practice_id", "code", name=op.f("uq_protocol_practice_id_code")),
    )
    op.create_index(op.f("ix_protocol_practice_id"), "protocol", ["practice_id"], unique=False)
    op.create_table(
        "room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_room_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room")),
        sa.UniqueConstraint("practice_id", "name", name=op.f("uq_room_practice_id_name")),
    )
    op.create_index(op.f("ix_room_practice_id"), "room", ["practice_id"], unique=False)
    op.create_table(
        "patient_name_token",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=60), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_name_token_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_patient_name_token_practice_id_practice"),
        ),
        sa.PrimaryKeyConstraint("patient_id", "token", name=op.f("pk_patient_name_token")),
    )
    op.create_index(
        "ix_patient_name_token_lookup",
        "patient_name_token",
        ["practice_id", "token", "patient_id"],
        unique=False,
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
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
        sa.Column("default_type_id", sa.Integer(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["default_type_id"],
            ["appointment_type.id"],
            name=op.f("fk_staff_default_type_id_appointment_type"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_staff_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"], ["staff.id"], name=op.f("fk_staff_supervisor_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_email")),
    )
    op.create_index(op.f("ix_staff_practice_id"), "staff", ["practice_id"], unique=False)
    op.create_table(
        "absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("start_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_absence_period")),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_absence_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_absence_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absence")),
    )
    op.create_index(op.f("ix_absence_practice_id"), "absence", ["practice_id"], unique=False)
    op.create_index(
        "ix_absence_staff_period", "absence", ["staff_id", "start_at", "end_at"], unique=False
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("last_used_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_api_key_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_api_key_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    op.create_index(op.f("ix_api_key_practice_id"), "api_key", ["practice_id"], unique=False)
    op.create_index(op.f("ix_api_key_staff_id"), "api_key", ["staff_id"], unique=False)
    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("start_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("is_unscheduled", sa.Boolean(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=300), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("regulator_name", sa.String(length=120), server_default="", nullable=False),
        sa.Column("regulator_reference", sa.String(length=60), server_default="", nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_appointment_period")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_appointment_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_appointment_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_appointment_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(["room_id"], ["room.id"], name=op.f("fk_appointment_room_id_room")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_appointment_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["appointment_type.id"],
            name=op.f("fk_appointment_type_id_appointment_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
        sa.UniqueConstraint("uid", name=op.f("uq_appointment_uid")),
    )
    op.create_index(
        "ix_appointment_patient_start", "appointment", ["patient_id", "start_at"], unique=False
    )
    op.create_index(
        op.f("ix_appointment_practice_id"), "appointment", ["practice_id"], unique=False
    )
    op.create_index(
        "ix_appointment_practice_start", "appointment", ["practice_id", "start_at"], unique=False
    )
    op.create_index(
        "ix_appointment_room_start", "appointment", ["room_id", "start_at"], unique=False
    )
    op.create_index(
        "ix_appointment_staff_start", "appointment", ["staff_id", "start_at"], unique=False
    )
    op.create_table(
        "assisted_gp",
        sa.Column("assistant_id", sa.Integer(), nullable=False),
        sa.Column("gp_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assistant_id"],
            ["staff.id"],
            name=op.f("fk_assisted_gp_assistant_id_staff"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gp_id"], ["staff.id"], name=op.f("fk_assisted_gp_gp_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("assistant_id", "gp_id", name=op.f("pk_assisted_gp")),
    )
    op.create_table(
        "auth_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("last_seen_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_auth_session_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_session_token_hash")),
    )
    op.create_index(op.f("ix_auth_session_staff_id"), "auth_session", ["staff_id"], unique=False)
    op.create_table(
        "availability_rule",
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("open_on_holidays", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_availability_rule_hours")),
        sa.CheckConstraint(
            "weekday >= 0 AND weekday <= 6", name=op.f("ck_availability_rule_weekday")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_availability_rule_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["room.id"], name=op.f("fk_availability_rule_room_id_room")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_availability_rule_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_rule")),
    )
    op.create_index(
        op.f("ix_availability_rule_practice_id"), "availability_rule", ["practice_id"], unique=False
    )
    op.create_index(
        op.f("ix_availability_rule_staff_id"), "availability_rule", ["staff_id"], unique=False
    )
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
    op.create_index(op.f("ix_feed_token_owner_id"), "feed_token", ["owner_id"], unique=False)
    op.create_index(op.f("ix_feed_token_practice_id"), "feed_token", ["practice_id"], unique=False)
    op.create_table(
        "file_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dated_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("superseded_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entered_in_error_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entered_in_error_by_id", sa.Integer(), nullable=True),
        sa.Column("error_reason", sa.String(length=300), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('note', 'consultation', 'protocol_session', 'result', 'letter', 'administrative')",
            name=op.f("ck_file_entry_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff.id"], name=op.f("fk_file_entry_author_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["entered_in_error_by_id"],
            ["staff.id"],
            name=op.f("fk_file_entry_entered_in_error_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["original_id"], ["file_entry.id"], name=op.f("fk_file_entry_original_id_file_entry")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_file_entry_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_file_entry_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_entry")),
        sa.UniqueConstraint(
            "original_id", "version", name=op.f("uq_file_entry_original_id_version")
        ),
    )
    op.create_index(op.f("ix_file_entry_original_id"), "file_entry", ["original_id"], unique=False)
    op.create_index(op.f("ix_file_entry_practice_id"), "file_entry", ["practice_id"], unique=False)
    op.create_index(
        "ix_file_entry_timeline", "file_entry", ["patient_id", "dated_at"], unique=False
    )
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
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("release_lead_minutes >= 0", name=op.f("ck_hold_policy_lead")),
        sa.CheckConstraint(
            "share_percent >= 0 AND share_percent <= 100", name=op.f("ck_hold_policy_share")
        ),
        sa.CheckConstraint(
            "slot_minutes > 0 AND slot_minutes <= 120", name=op.f("ck_hold_policy_slot")
        ),
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
    op.create_index(
        op.f("ix_hold_policy_practice_id"), "hold_policy", ["practice_id"], unique=False
    )
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(length=120), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('requested', 'running', 'ok', 'error')", name=op.f("ck_job_run_status")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_job_run_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["staff.id"], name=op.f("fk_job_run_requested_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
    )
    op.create_index(op.f("ix_job_run_practice_id"), "job_run", ["practice_id"], unique=False)
    op.create_index(
        "ix_job_run_practice_job", "job_run", ["practice_id", "job", "id"], unique=False
    )
    op.create_index("ix_job_run_status", "job_run", ["status"], unique=False)
    op.create_table(
        "patient_list_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
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
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["gp_id"], ["staff.id"], name=op.f("fk_patient_list_snapshot_gp_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_patient_list_snapshot_practice_id_practice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_list_snapshot")),
        sa.UniqueConstraint("gp_id", "day", name=op.f("uq_patient_list_snapshot_gp_id_day")),
    )
    op.create_index(
        op.f("ix_patient_list_snapshot_practice_id"),
        "patient_list_snapshot",
        ["practice_id"],
        unique=False,
    )
    op.create_table(
        "patient_list_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gp_id", sa.Integer(), nullable=False),
        sa.Column("baseline_on", sa.Date(), nullable=False),
        sa.Column("baseline_value", sa.Integer(), nullable=False),
        sa.Column("target_percent", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("target_value", sa.Integer(), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=False),
        sa.Column("with_assistant", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "baseline_value >= 0 AND target_value > baseline_value",
            name=op.f("ck_patient_list_target_values"),
        ),
        sa.CheckConstraint("deadline_on > baseline_on", name=op.f("ck_patient_list_target_period")),
        sa.ForeignKeyConstraint(
            ["gp_id"], ["staff.id"], name=op.f("fk_patient_list_target_gp_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_patient_list_target_practice_id_practice"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
            name=op.f("fk_patient_list_target_recorded_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_list_target")),
    )
    op.create_index(
        op.f("ix_patient_list_target_gp_id"), "patient_list_target", ["gp_id"], unique=False
    )
    op.create_index(
        op.f("ix_patient_list_target_practice_id"),
        "patient_list_target",
        ["practice_id"],
        unique=False,
    )
    op.create_table(
        "protocol_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_note", sa.String(length=500), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_protocol_consent_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_protocol_consent_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"], ["protocol.id"], name=op.f("fk_protocol_consent_protocol_id_protocol")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_protocol_consent_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["staff.id"],
            name=op.f("fk_protocol_consent_withdrawn_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_consent")),
    )
    op.create_index(
        op.f("ix_protocol_consent_patient_id"), "protocol_consent", ["patient_id"], unique=False
    )
    op.create_index(
        op.f("ix_protocol_consent_practice_id"), "protocol_consent", ["practice_id"], unique=False
    )
    op.create_index(
        "uq_protocol_consent_standing",
        "protocol_consent",
        ["patient_id", "protocol_id"],
        unique=True,
        sqlite_where=sa.text("withdrawn_at IS NULL"),
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )
    op.create_table(
        "protocol_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("trained_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until >= trained_on",
            name=op.f("ck_protocol_membership_period"),
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["staff.id"], name=op.f("fk_protocol_membership_ended_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_protocol_membership_practice_id_practice"),
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["protocol.id"],
            name=op.f("fk_protocol_membership_protocol_id_protocol"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
            name=op.f("fk_protocol_membership_recorded_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_protocol_membership_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_membership")),
    )
    op.create_index(
        op.f("ix_protocol_membership_practice_id"),
        "protocol_membership",
        ["practice_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_protocol_membership_protocol_id"),
        "protocol_membership",
        ["protocol_id"],
        unique=False,
    )
    op.create_index(
        "ix_protocol_membership_staff_protocol",
        "protocol_membership",
        ["staff_id", "protocol_id"],
        unique=False,
    )
    op.create_table(
        "reminder_opt_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("withdrawn_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_reminder_opt_out_channel")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_reminder_opt_out_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_reminder_opt_out_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_reminder_opt_out_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["staff.id"],
            name=op.f("fk_reminder_opt_out_withdrawn_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_opt_out")),
    )
    op.create_index(
        op.f("ix_reminder_opt_out_patient_id"), "reminder_opt_out", ["patient_id"], unique=False
    )
    op.create_index(
        op.f("ix_reminder_opt_out_practice_id"), "reminder_opt_out", ["practice_id"], unique=False
    )
    op.create_index(
        "uq_reminder_opt_out_active",
        "reminder_opt_out",
        ["patient_id", "channel"],
        unique=True,
        sqlite_where=sa.text("withdrawn_at IS NULL"),
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )
    op.create_table(
        "sharing_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("lifted_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["staff.id"], name=op.f("fk_sharing_objection_lifted_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_sharing_objection_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_sharing_objection_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_sharing_objection_recorded_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_objection")),
    )
    op.create_index(
        op.f("ix_sharing_objection_patient_id"), "sharing_objection", ["patient_id"], unique=False
    )
    op.create_index(
        op.f("ix_sharing_objection_practice_id"), "sharing_objection", ["practice_id"], unique=False
    )
    op.create_index(
        "uq_sharing_objection_standing",
        "sharing_objection",
        ["patient_id"],
        unique=True,
        sqlite_where=sa.text("lifted_at IS NULL"),
        postgresql_where=sa.text("lifted_at IS NULL"),
    )
    op.create_table(
        "staff_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("before_profession", sa.String(length=32), nullable=False),
        sa.Column("after_profession", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
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
    op.create_index(
        op.f("ix_staff_change_practice_id"), "staff_change", ["practice_id"], unique=False
    )
    op.create_index(op.f("ix_staff_change_staff_id"), "staff_change", ["staff_id"], unique=False)
    op.create_table(
        "treating_declaration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("gp_id", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "end_on IS NULL OR end_on > start_on", name=op.f("ck_treating_declaration_period")
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["staff.id"], name=op.f("fk_treating_declaration_ended_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["gp_id"], ["staff.id"], name=op.f("fk_treating_declaration_gp_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_treating_declaration_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_treating_declaration_practice_id_practice"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
            name=op.f("fk_treating_declaration_recorded_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treating_declaration")),
    )
    op.create_index(
        "ix_treating_declaration_gp_period",
        "treating_declaration",
        ["gp_id", "start_on", "end_on"],
        unique=False,
    )
    op.create_index(
        "ix_treating_declaration_patient_period",
        "treating_declaration",
        ["patient_id", "start_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_treating_declaration_practice_id"),
        "treating_declaration",
        ["practice_id"],
        unique=False,
    )
    op.create_index(
        "uq_treating_declaration_open",
        "treating_declaration",
        ["patient_id"],
        unique=True,
        sqlite_where=sa.text("end_on IS NULL"),
        postgresql_where=sa.text("end_on IS NULL"),
    )
    op.create_table(
        "weekly_absence",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_weekly_absence_hours")),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name=op.f("ck_weekly_absence_weekday")),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_weekly_absence_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_weekly_absence_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_absence")),
    )
    op.create_index(
        op.f("ix_weekly_absence_practice_id"), "weekly_absence", ["practice_id"], unique=False
    )
    op.create_index(
        op.f("ix_weekly_absence_staff_id"), "weekly_absence", ["staff_id"], unique=False
    )
    op.create_table(
        "appointment_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff.id"], name=op.f("fk_appointment_event_actor_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_appointment_event_appointment_id_appointment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_appointment_event_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_event")),
    )
    op.create_index(
        op.f("ix_appointment_event_appointment_id"),
        "appointment_event",
        ["appointment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_appointment_event_practice_id"), "appointment_event", ["practice_id"], unique=False
    )
    op.create_table(
        "availability_rule_type",
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["availability_rule.id"],
            name=op.f("fk_availability_rule_type_rule_id_availability_rule"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["appointment_type.id"],
            name=op.f("fk_availability_rule_type_type_id_appointment_type"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rule_id", "type_id", name=op.f("pk_availability_rule_type")),
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
    op.create_index(
        op.f("ix_calendar_event_cache_practice_id"),
        "calendar_event_cache",
        ["practice_id"],
        unique=False,
    )
    op.create_table(
        "care_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.String(length=500), nullable=False),
        sa.Column("status_changed_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("results", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("results_display", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("signs_observed", sa.JSON(), nullable=False),
        sa.Column("red_flags_raised", sa.JSON(), nullable=False),
        sa.Column("results_recorded_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_taken_back", sa.Boolean(), nullable=False),
        sa.Column("taken_back_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("inbox_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("inbox_reason", sa.String(length=16), nullable=True),
        sa.Column("acknowledged_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("file_entry_id", sa.Integer(), nullable=True),
        sa.Column("overdue_flagged_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "inbox_reason IS NULL OR inbox_reason IN ('escalation', 'rejection', 'failure', 'cancellation', 'results')",
            name=op.f("ck_care_task_inbox_reason"),
        ),
        sa.CheckConstraint(
            "owner_id IS NOT NULL OR NOT (status IN ('accepted', 'in-progress', 'on-hold', 'completed', 'failed'))",
            name=op.f("ck_care_task_owner"),
        ),
        sa.CheckConstraint(
            "priority IN ('asap', 'urgent', 'routine')", name=op.f("ck_care_task_priority")
        ),
        sa.CheckConstraint(
            "status <> 'completed' OR results IS NOT NULL", name=op.f("ck_care_task_results")
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'accepted', 'rejected', 'in-progress', 'on-hold', 'completed', 'failed', 'cancelled', 'entered-in-error')",
            name=op.f("ck_care_task_status"),
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["staff.id"], name=op.f("fk_care_task_acknowledged_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["file_entry_id"], ["file_entry.id"], name=op.f("fk_care_task_file_entry_id_file_entry")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff.id"], name=op.f("fk_care_task_owner_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_care_task_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_care_task_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"], ["protocol.id"], name=op.f("fk_care_task_protocol_id_protocol")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["staff.id"], name=op.f("fk_care_task_requester_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_task")),
    )
    op.create_index("ix_care_task_inbox", "care_task", ["requester_id", "inbox_at"], unique=False)
    op.create_index("ix_care_task_owner", "care_task", ["owner_id", "status"], unique=False)
    op.create_index("ix_care_task_patient", "care_task", ["patient_id", "created_at"], unique=False)
    op.create_index(op.f("ix_care_task_practice_id"), "care_task", ["practice_id"], unique=False)
    op.create_index(op.f("ix_care_task_protocol_id"), "care_task", ["protocol_id"], unique=False)
    op.create_index(
        "ix_care_task_queue", "care_task", ["practice_id", "status", "due_on"], unique=False
    )
    op.create_index(
        "ix_care_task_requested", "care_task", ["requester_id", "status", "due_on"], unique=False
    )
    op.create_index(
        "uq_care_task_open",
        "care_task",
        ["patient_id", "protocol_id"],
        unique=True,
        sqlite_where=sa.text("status IN ('requested', 'accepted', 'in-progress', 'on-hold')"),
        postgresql_where=sa.text("status IN ('requested', 'accepted', 'in-progress', 'on-hold')"),
    )
    op.create_table(
        "held_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("start_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("release_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
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
    op.create_index(op.f("ix_held_slot_practice_id"), "held_slot", ["practice_id"], unique=False)
    op.create_index(
        "ix_held_slot_practice_start", "held_slot", ["practice_id", "start_at"], unique=False
    )
    op.create_index(
        "ix_held_slot_state_release", "held_slot", ["state", "release_at"], unique=False
    )
    op.create_table(
        "hold_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_hold_block_hours")),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name=op.f("ck_hold_block_weekday")),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["hold_policy.id"],
            name=op.f("fk_hold_block_policy_id_hold_policy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold_block")),
    )
    op.create_index(op.f("ix_hold_block_policy_id"), "hold_block", ["policy_id"], unique=False)
    op.create_table(
        "referral_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("is_second_opinion", sa.Boolean(), nullable=False),
        sa.Column("reply_entry_id", sa.Integer(), nullable=True),
        sa.Column("reply_received_on", sa.Date(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff.id"], name=op.f("fk_referral_letter_author_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["file_entry.id"], name=op.f("fk_referral_letter_entry_id_file_entry")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_referral_letter_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_referral_letter_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["reply_entry_id"],
            ["file_entry.id"],
            name=op.f("fk_referral_letter_reply_entry_id_file_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_letter")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_referral_letter_entry_id")),
    )
    op.create_index(
        op.f("ix_referral_letter_patient_id"), "referral_letter", ["patient_id"], unique=False
    )
    op.create_index(
        op.f("ix_referral_letter_practice_id"), "referral_letter", ["practice_id"], unique=False
    )
    op.create_table(
        "registration_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("gp_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("has_chronic_condition", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.String(length=32), nullable=False),
        sa.Column("decision_note", sa.String(length=1000), nullable=False),
        sa.Column("oriented_to", sa.String(length=200), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'desk', 'conciliator', 'mediator')",
            name=op.f("ck_registration_request_channel"),
        ),
        sa.CheckConstraint(
            "status <> 'declined' OR (decline_reason IN ('capacity', 'out_of_area', 'continuity', 'specific_needs', 'trust') AND oriented_to <> '')",
            name=op.f("ck_registration_request_lawful_decline"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn')",
            name=op.f("ck_registration_request_status"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff.id"],
            name=op.f("fk_registration_request_decided_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["treating_declaration.id"],
            name=op.f("fk_registration_request_declaration_id_treating_declaration"),
        ),
        sa.ForeignKeyConstraint(
            ["gp_id"], ["staff.id"], name=op.f("fk_registration_request_gp_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_registration_request_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_registration_request_practice_id_practice"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
            name=op.f("fk_registration_request_recorded_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_request")),
    )
    op.create_index(
        op.f("ix_registration_request_patient_id"),
        "registration_request",
        ["patient_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_registration_request_practice_id"),
        "registration_request",
        ["practice_id"],
        unique=False,
    )
    op.create_index(
        "ix_registration_request_queue",
        "registration_request",
        ["gp_id", "status", "received_on"],
        unique=False,
    )
    op.create_index(
        "uq_registration_request_pending",
        "registration_request",
        ["patient_id", "gp_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("start_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=False),
        sa.Column("claimed_until", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("sent_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_reminder_channel")),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'logged', 'skipped', 'cancelled', 'expired')",
            name=op.f("ck_reminder_status"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_reminder_appointment_id_appointment"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_reminder_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint(
            "appointment_id",
            "channel",
            "start_at",
            name=op.f("uq_reminder_appointment_id_channel_start_at"),
        ),
    )
    op.create_index(op.f("ix_reminder_practice_id"), "reminder", ["practice_id"], unique=False)
    op.create_index(
        "ix_reminder_practice_status_start",
        "reminder",
        ["practice_id", "status", "start_at"],
        unique=False,
    )
    op.create_table(
        "supervision_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["file_entry.id"], name=op.f("fk_supervision_review_entry_id_file_entry")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_supervision_review_practice_id_practice"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["staff.id"],
            name=op.f("fk_supervision_review_reviewed_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_review")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_supervision_review_entry_id")),
    )
    op.create_index(
        op.f("ix_supervision_review_practice_id"),
        "supervision_review",
        ["practice_id"],
        unique=False,
    )
    op.create_table(
        "adverse_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "severity IN ('mild', 'moderate', 'severe')", name=op.f("ck_adverse_event_severity")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_adverse_event_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_adverse_event_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"], ["protocol.id"], name=op.f("fk_adverse_event_protocol_id_protocol")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["staff.id"], name=op.f("fk_adverse_event_reported_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["care_task.id"], name=op.f("fk_adverse_event_task_id_care_task")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_event")),
    )
    op.create_index(
        op.f("ix_adverse_event_practice_id"), "adverse_event", ["practice_id"], unique=False
    )
    op.create_index(
        op.f("ix_adverse_event_protocol_id"), "adverse_event", ["protocol_id"], unique=False
    )
    op.create_index(op.f("ix_adverse_event_task_id"), "adverse_event", ["task_id"], unique=False)
    op.create_table(
        "referral_letter_entry",
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["file_entry.id"],
            name=op.f("fk_referral_letter_entry_entry_id_file_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["referral_letter.id"],
            name=op.f("fk_referral_letter_entry_letter_id_referral_letter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("letter_id", "entry_id", name=op.f("pk_referral_letter_entry")),
    )
    op.create_table(
        "satisfaction_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("respondent", sa.String(length=10), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "respondent IN ('patient', 'delegate', 'delegator')",
            name=op.f("ck_satisfaction_response_respondent"),
        ),
        sa.CheckConstraint(
            "score >= 1 AND score <= 5", name=op.f("ck_satisfaction_response_score")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_satisfaction_response_practice_id_practice"),
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["protocol.id"],
            name=op.f("fk_satisfaction_response_protocol_id_protocol"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
            name=op.f("fk_satisfaction_response_recorded_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["care_task.id"], name=op.f("fk_satisfaction_response_task_id_care_task")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_response")),
    )
    op.create_index(
        op.f("ix_satisfaction_response_practice_id"),
        "satisfaction_response",
        ["practice_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_satisfaction_response_protocol_id"),
        "satisfaction_response",
        ["protocol_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_satisfaction_response_task_id"), "satisfaction_response", ["task_id"], unique=False
    )
    op.create_table(
        "task_appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('session', 'follow_up')", name=op.f("ck_task_appointment_purpose")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_task_appointment_appointment_id_appointment"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_task_appointment_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["care_task.id"], name=op.f("fk_task_appointment_task_id_care_task")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_appointment")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_task_appointment_appointment_id")),
    )
    op.create_index(
        op.f("ix_task_appointment_practice_id"), "task_appointment", ["practice_id"], unique=False
    )
    op.create_index(
        op.f("ix_task_appointment_task_id"), "task_appointment", ["task_id"], unique=False
    )
    op.create_table(
        "task_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('transition', 'acknowledge', 'take_back', 'session_booked', 'follow_up_booked', 'due_changed', 'overdue', 'adverse_event', 'satisfaction')",
            name=op.f("ck_task_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff.id"], name=op.f("fk_task_event_actor_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_task_event_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["care_task.id"], name=op.f("fk_task_event_task_id_care_task")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_event")),
    )
    op.create_index(op.f("ix_task_event_practice_id"), "task_event", ["practice_id"], unique=False)
    op.create_index(op.f("ix_task_event_task_id"), "task_event", ["task_id"], unique=False)
