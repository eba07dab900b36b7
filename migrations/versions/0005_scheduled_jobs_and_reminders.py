"""Scheduled jobs and reminders: job runs, scheduler heartbeats, reminders, opt-outs.

A reminder is unique per (appointment, channel, start_at): the database, not the code,
makes sure that a retry or a second scheduler never creates a second one. At most one
opt-out in force per patient and channel (partial unique index, SQLite and PostgreSQL).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 21:30:00

"""

import sqlalchemy as sa
from alembic import op

import umpro.db

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_instance")),
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
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_run_practice_id"), ["practice_id"], unique=False)
        batch_op.create_index("ix_job_run_practice_job", ["practice_id", "job", "id"], unique=False)
        batch_op.create_index("ix_job_run_status", ["status"], unique=False)

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
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_reminder_opt_out_practice_id_practice"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
            name=op.f("fk_reminder_opt_out_recorded_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["staff.id"],
            name=op.f("fk_reminder_opt_out_withdrawn_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_opt_out")),
    )
    with op.batch_alter_table("reminder_opt_out", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminder_opt_out_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reminder_opt_out_practice_id"), ["practice_id"], unique=False
        )
        batch_op.create_index(
            "uq_reminder_opt_out_active",
            ["patient_id", "channel"],
            unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
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
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_practice_id"), ["practice_id"], unique=False)
        batch_op.create_index(
            "ix_reminder_practice_status_start",
            ["practice_id", "status", "start_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_practice_status_start")
        batch_op.drop_index(batch_op.f("ix_reminder_practice_id"))
    op.drop_table("reminder")

    with op.batch_alter_table("reminder_opt_out", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_reminder_opt_out_active",
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_reminder_opt_out_practice_id"))
        batch_op.drop_index(batch_op.f("ix_reminder_opt_out_patient_id"))
    op.drop_table("reminder_opt_out")

    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_index("ix_job_run_status")
        batch_op.drop_index("ix_job_run_practice_job")
        batch_op.drop_index(batch_op.f("ix_job_run_practice_id"))
    op.drop_table("job_run")

    op.drop_table("scheduler_instance")
