"""Scheduled jobs and reminders: job runs, scheduler heartbeats, reminders, opt-outs.

A reminder is unique per (appointment, channel, start_at): the database, not the code,
makes sure that a retry or a second scheduler never creates a second one. At most one
opt-out in force per patient and channel (partial unique index, SQLite and PostgreSQL).

Create Date: 2026-11-22 21:30:00

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

revision = "0005"
down_revision = "0004"


def upgrade():
    op.create_table(
        "scheduler_instance",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_runs", sa.JSON(), nullable=False),
        primary_key("scheduler_instance"),
    )
    op.create_table(
        "job_run",
        id_column(),
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
        practice_column(),
        sa.CheckConstraint(
            "status IN ('requested', 'running', 'ok', 'error')", name=op.f("ck_job_run_status")
        ),
        foreign_key("job_run", "practice_id", "practice"),
        foreign_key("job_run", "requested_by_id", "staff"),
        primary_key("job_run"),
    )
    create_indexes(
        "job_run",
        "practice_id",
        ("ix_job_run_practice_job", ["practice_id", "job", "id"]),
        ("ix_job_run_status", ["status"]),
    )

    op.create_table(
        "reminder_opt_out",
        id_column(),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("withdrawn_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        practice_column(),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_reminder_opt_out_channel")),
        foreign_key("reminder_opt_out", "patient_id", "patient"),
        foreign_key("reminder_opt_out", "practice_id", "practice"),
        foreign_key("reminder_opt_out", "recorded_by_id", "staff"),
        foreign_key("reminder_opt_out", "withdrawn_by_id", "staff"),
        primary_key("reminder_opt_out"),
    )
    create_indexes("reminder_opt_out", "patient_id", "practice_id")
    create_partial_unique_index(
        "reminder_opt_out",
        "uq_reminder_opt_out_active",
        ["patient_id", "channel"],
        "withdrawn_at IS NULL",
    )

    op.create_table(
        "reminder",
        id_column(),
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
        practice_column(),
        created_at_column(),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_reminder_channel")),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'logged', 'skipped', 'cancelled', 'expired')",
            name=op.f("ck_reminder_status"),
        ),
        foreign_key("reminder", "appointment_id", "appointment"),
        foreign_key("reminder", "practice_id", "practice"),
        primary_key("reminder"),
        sa.UniqueConstraint(
            "appointment_id",
            "channel",
            "start_at",
            name=op.f("uq_reminder_appointment_id_channel_start_at"),
        ),
    )
    create_indexes(
        "reminder",
        "practice_id",
        ("ix_reminder_practice_status_start", ["practice_id", "status", "start_at"]),
    )


def downgrade():
    drop_tables("reminder", "reminder_opt_out", "job_run", "scheduler_instance")
