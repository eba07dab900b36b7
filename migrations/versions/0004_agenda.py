"""Agenda: appointment types, availability rules, absences, appointments and their history.

No two live appointments overlap for the same staff member, room or patient: exclusion
constraints on PostgreSQL (btree_gist, tstzrange), triggers on SQLite (where the booking
service also checks inside a BEGIN IMMEDIATE transaction). Autogenerate sees neither:
they are written here (the triggers in migrations/shapes.py, where 0008's downgrade makes
them again) and in umpro/scheduling/models.py (same statements).

Create Date: 2026-11-22 21:00:00

"""

import sqlalchemy as sa
from alembic import op

import umpro.db
from migrations.shapes import (
    LIVE_APPOINTMENT,
    UNBOUNDED_APPOINTMENT_CLASH,
    create_appointment_overlap_triggers,
    create_indexes,
    create_link_table,
    created_at_column,
    drop_tables,
    foreign_key,
    id_column,
    practice_column,
    primary_key,
)

revision = "0004"
down_revision = "0003"

EXCLUSIONS = {
    "ex_appointment_staff_overlap": "staff_id",
    "ex_appointment_room_overlap": "room_id",
    "ex_appointment_patient_overlap": "patient_id",
}


def _no_overlap() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for name, column in EXCLUSIONS.items():
            op.execute(
                f"ALTER TABLE appointment ADD CONSTRAINT {name} EXCLUDE USING gist "
                f"({column} WITH =, tstzrange(start_at, end_at, '[)') WITH &&)"
                f" WHERE ({LIVE_APPOINTMENT})"
            )
    elif dialect == "sqlite":
        create_appointment_overlap_triggers(UNBOUNDED_APPOINTMENT_CLASH)


def upgrade():
    op.create_table(
        "appointment_type",
        id_column(),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("professions", sa.JSON(), nullable=False),
        sa.Column("colour", sa.String(length=16), nullable=False),
        sa.Column("is_home_visit", sa.Boolean(), nullable=False),
        sa.Column("is_teleconsultation", sa.Boolean(), nullable=False),
        sa.Column("is_unscheduled", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        practice_column(),
        created_at_column(),
        sa.CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 480",
            name=op.f("ck_appointment_type_duration"),
        ),
        foreign_key("appointment_type", "practice_id", "practice"),
        primary_key("appointment_type"),
        sa.UniqueConstraint(
            "practice_id", "label", name=op.f("uq_appointment_type_practice_id_label")
        ),
    )
    create_indexes("appointment_type", "practice_id")
    op.create_table(
        "absence",
        id_column(),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("start_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        practice_column(),
        created_at_column(),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_absence_period")),
        foreign_key("absence", "practice_id", "practice"),
        foreign_key("absence", "staff_id", "staff", ondelete="CASCADE"),
        primary_key("absence"),
    )
    create_indexes(
        "absence", "practice_id", ("ix_absence_staff_period", ["staff_id", "start_at", "end_at"])
    )
    op.create_table(
        "appointment",
        id_column(),
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
        practice_column(),
        created_at_column(),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_appointment_period")),
        foreign_key("appointment", "created_by_id", "staff"),
        foreign_key("appointment", "patient_id", "patient"),
        foreign_key("appointment", "practice_id", "practice"),
        foreign_key("appointment", "room_id", "room"),
        foreign_key("appointment", "staff_id", "staff"),
        foreign_key("appointment", "type_id", "appointment_type"),
        primary_key("appointment"),
        sa.UniqueConstraint("uid", name=op.f("uq_appointment_uid")),
    )
    create_indexes(
        "appointment",
        ("ix_appointment_patient_start", ["patient_id", "start_at"]),
        "practice_id",
        ("ix_appointment_practice_start", ["practice_id", "start_at"]),
        ("ix_appointment_room_start", ["room_id", "start_at"]),
        ("ix_appointment_staff_start", ["staff_id", "start_at"]),
    )
    op.create_table(
        "availability_rule",
        id_column(),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("open_on_holidays", sa.Boolean(), nullable=False),
        practice_column(),
        created_at_column(),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_availability_rule_hours")),
        sa.CheckConstraint(
            "weekday >= 0 AND weekday <= 6", name=op.f("ck_availability_rule_weekday")
        ),
        foreign_key("availability_rule", "practice_id", "practice"),
        foreign_key("availability_rule", "room_id", "room"),
        foreign_key("availability_rule", "staff_id", "staff", ondelete="CASCADE"),
        primary_key("availability_rule"),
    )
    create_indexes("availability_rule", "practice_id", "staff_id")
    op.create_table(
        "weekly_absence",
        id_column(),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        practice_column(),
        created_at_column(),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_weekly_absence_hours")),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name=op.f("ck_weekly_absence_weekday")),
        foreign_key("weekly_absence", "practice_id", "practice"),
        foreign_key("weekly_absence", "staff_id", "staff", ondelete="CASCADE"),
        primary_key("weekly_absence"),
    )
    create_indexes("weekly_absence", "practice_id", "staff_id")
    op.create_table(
        "appointment_event",
        id_column(),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        practice_column(),
        foreign_key("appointment_event", "actor_id", "staff"),
        foreign_key("appointment_event", "appointment_id", "appointment", ondelete="CASCADE"),
        foreign_key("appointment_event", "practice_id", "practice"),
        primary_key("appointment_event"),
    )
    create_indexes("appointment_event", "appointment_id", "practice_id")
    create_link_table(
        "availability_rule_type",
        ("rule_id", "availability_rule", "CASCADE"),
        ("type_id", "appointment_type", "CASCADE"),
    )
    _no_overlap()


def downgrade():
    # The exclusion constraints and triggers go with the appointment table.
    drop_tables(
        "availability_rule_type",
        "appointment_event",
        "weekly_absence",
        "availability_rule",
        "appointment",
        "absence",
        "appointment_type",
    )
