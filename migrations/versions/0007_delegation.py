"""Delegation

Create Date: 2026-11-22 20:32:01.609983

"""

import sqlalchemy as sa
from alembic import op

import umpro.db
from migrations.shapes import (
    create_indexes,
    create_partial_unique_index,
    created_at_column,
    drop_tables,
    foreign_key,
    id_column,
    practice_column,
    primary_key,
)

revision = "0007"
down_revision = "0006"


def upgrade():
    op.create_table(
        "protocol",
        id_column(),
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
        practice_column(),
        created_at_column(),
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
        foreign_key("protocol", "practice_id", "practice"),
        primary_key("protocol"),
        sa.UniqueConstraint("practice_id", "code", name=op.f("uq_protocol_practice_id_code")),
    )
    create_indexes("protocol", "practice_id")

    op.create_table(
        "protocol_consent",
        id_column(),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_note", sa.String(length=500), nullable=False),
        practice_column(),
        foreign_key("protocol_consent", "patient_id", "patient"),
        foreign_key("protocol_consent", "practice_id", "practice"),
        foreign_key("protocol_consent", "protocol_id", "protocol"),
        foreign_key("protocol_consent", "recorded_by_id", "staff"),
        foreign_key("protocol_consent", "withdrawn_by_id", "staff"),
        primary_key("protocol_consent"),
    )
    create_indexes("protocol_consent", "patient_id", "practice_id")
    create_partial_unique_index(
        "protocol_consent",
        "uq_protocol_consent_standing",
        ["patient_id", "protocol_id"],
        "withdrawn_at IS NULL",
    )

    op.create_table(
        "protocol_membership",
        id_column(),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("trained_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        practice_column(),
        created_at_column(),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until >= trained_on",
            name=op.f("ck_protocol_membership_period"),
        ),
        foreign_key("protocol_membership", "ended_by_id", "staff"),
        foreign_key("protocol_membership", "practice_id", "practice"),
        foreign_key("protocol_membership", "protocol_id", "protocol"),
        foreign_key("protocol_membership", "recorded_by_id", "staff"),
        foreign_key("protocol_membership", "staff_id", "staff"),
        primary_key("protocol_membership"),
    )
    create_indexes(
        "protocol_membership",
        "practice_id",
        "protocol_id",
        ("ix_protocol_membership_staff_protocol", ["staff_id", "protocol_id"]),
    )

    op.create_table(
        "care_task",
        id_column(),
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
        practice_column(),
        created_at_column(),
        sa.CheckConstraint(
            "inbox_reason IS NULL OR inbox_reason IN ('escalation', 'rejection', "
            "'failure', 'cancellation', 'results')",
            name=op.f("ck_care_task_inbox_reason"),
        ),
        sa.CheckConstraint(
            "owner_id IS NOT NULL OR NOT (status IN ('accepted', 'in-progress', "
            "'on-hold', 'completed', 'failed'))",
            name=op.f("ck_care_task_owner"),
        ),
        sa.CheckConstraint(
            "priority IN ('asap', 'urgent', 'routine')", name=op.f("ck_care_task_priority")
        ),
        sa.CheckConstraint(
            "status <> 'completed' OR results IS NOT NULL", name=op.f("ck_care_task_results")
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'accepted', 'rejected', 'in-progress', "
            "'on-hold', 'completed', 'failed', 'cancelled', 'entered-in-error')",
            name=op.f("ck_care_task_status"),
        ),
        foreign_key("care_task", "acknowledged_by_id", "staff"),
        foreign_key("care_task", "file_entry_id", "file_entry"),
        foreign_key("care_task", "owner_id", "staff"),
        foreign_key("care_task", "patient_id", "patient"),
        foreign_key("care_task", "practice_id", "practice"),
        foreign_key("care_task", "protocol_id", "protocol"),
        foreign_key("care_task", "requester_id", "staff"),
        primary_key("care_task"),
    )
    create_indexes(
        "care_task",
        ("ix_care_task_inbox", ["requester_id", "inbox_at"]),
        ("ix_care_task_owner", ["owner_id", "status"]),
        ("ix_care_task_patient", ["patient_id", "created_at"]),
        "practice_id",
        "protocol_id",
        ("ix_care_task_queue", ["practice_id", "status", "due_on"]),
    )
    create_partial_unique_index(
        "care_task",
        "uq_care_task_open",
        ["patient_id", "protocol_id"],
        "status IN ('requested', 'accepted', 'in-progress', 'on-hold')",
    )

    op.create_table(
        "supervision_review",
        id_column(),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        practice_column(),
        foreign_key("supervision_review", "entry_id", "file_entry"),
        foreign_key("supervision_review", "practice_id", "practice"),
        foreign_key("supervision_review", "reviewed_by_id", "staff"),
        primary_key("supervision_review"),
        sa.UniqueConstraint("entry_id", name=op.f("uq_supervision_review_entry_id")),
    )
    create_indexes("supervision_review", "practice_id")

    op.create_table(
        "adverse_event",
        id_column(),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        practice_column(),
        sa.CheckConstraint(
            "severity IN ('mild', 'moderate', 'severe')", name=op.f("ck_adverse_event_severity")
        ),
        foreign_key("adverse_event", "patient_id", "patient"),
        foreign_key("adverse_event", "practice_id", "practice"),
        foreign_key("adverse_event", "protocol_id", "protocol"),
        foreign_key("adverse_event", "reported_by_id", "staff"),
        foreign_key("adverse_event", "task_id", "care_task"),
        primary_key("adverse_event"),
    )
    create_indexes("adverse_event", "practice_id", "protocol_id", "task_id")

    op.create_table(
        "satisfaction_response",
        id_column(),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("respondent", sa.String(length=10), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        practice_column(),
        sa.CheckConstraint(
            "respondent IN ('patient', 'delegate', 'delegator')",
            name=op.f("ck_satisfaction_response_respondent"),
        ),
        sa.CheckConstraint(
            "score >= 1 AND score <= 5", name=op.f("ck_satisfaction_response_score")
        ),
        foreign_key("satisfaction_response", "practice_id", "practice"),
        foreign_key("satisfaction_response", "protocol_id", "protocol"),
        foreign_key("satisfaction_response", "recorded_by_id", "staff"),
        foreign_key("satisfaction_response", "task_id", "care_task"),
        primary_key("satisfaction_response"),
    )
    create_indexes("satisfaction_response", "practice_id", "protocol_id", "task_id")

    op.create_table(
        "task_appointment",
        id_column(),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        practice_column(),
        sa.CheckConstraint(
            "purpose IN ('session', 'follow_up')", name=op.f("ck_task_appointment_purpose")
        ),
        foreign_key("task_appointment", "appointment_id", "appointment"),
        foreign_key("task_appointment", "practice_id", "practice"),
        foreign_key("task_appointment", "task_id", "care_task"),
        primary_key("task_appointment"),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_task_appointment_appointment_id")),
    )
    create_indexes("task_appointment", "practice_id", "task_id")

    op.create_table(
        "task_event",
        id_column(),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        practice_column(),
        sa.CheckConstraint(
            "kind IN ('transition', 'acknowledge', 'take_back', 'session_booked', "
            "'follow_up_booked', 'due_changed', 'overdue', 'adverse_event', "
            "'satisfaction')",
            name=op.f("ck_task_event_kind"),
        ),
        foreign_key("task_event", "actor_id", "staff"),
        foreign_key("task_event", "practice_id", "practice"),
        foreign_key("task_event", "task_id", "care_task"),
        primary_key("task_event"),
    )
    create_indexes("task_event", "practice_id", "task_id")


def downgrade():
    drop_tables(
        "task_event",
        "task_appointment",
        "satisfaction_response",
        "adverse_event",
        "supervision_review",
        "care_task",
        "protocol_membership",
        "protocol_consent",
        "protocol",
    )
