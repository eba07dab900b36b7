"""Agenda: appointment types, availability rules, absences, appointments and their history.

No two live appointments overlap for the same staff member, room or patient: exclusion
constraints on PostgreSQL (btree_gist, tstzrange), triggers on SQLite (where the booking
service also checks inside a BEGIN IMMEDIATE transaction). Autogenerate sees neither:
they are written here and in umpro/scheduling/models.py (same statements).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 21:00:00

"""

import sqlalchemy as sa
from alembic import op

import umpro.db

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_LIVE = "status IN ('booked', 'arrived', 'fulfilled')"
EXCLUSIONS = {
    "ex_appointment_staff_overlap": "staff_id",
    "ex_appointment_room_overlap": "room_id",
    "ex_appointment_patient_overlap": "patient_id",
}
_CLASH = (
    "EXISTS (SELECT 1 FROM appointment AS a"
    " WHERE a.status IN ('booked', 'arrived', 'fulfilled')"
    " AND a.start_at < NEW.end_at AND NEW.start_at < a.end_at AND a.id IS NOT NEW.id"
    " AND (a.staff_id = NEW.staff_id OR a.patient_id = NEW.patient_id"
    " OR a.room_id = NEW.room_id))"
)
SQLITE_TRIGGERS = {
    "appointment_no_overlap_insert": "BEFORE INSERT ON appointment",
    "appointment_no_overlap_update": (
        "BEFORE UPDATE OF staff_id, patient_id, room_id, start_at, end_at, status ON appointment"
    ),
}


def _no_overlap() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for name, column in EXCLUSIONS.items():
            op.execute(
                f"ALTER TABLE appointment ADD CONSTRAINT {name} EXCLUDE USING gist "
                f"({column} WITH =, tstzrange(start_at, end_at, '[)') WITH &&) WHERE ({_LIVE})"
            )
    elif dialect == "sqlite":
        for name, when in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when}\nWHEN NEW.{_LIVE} AND {_CLASH}\n"
                "BEGIN SELECT RAISE(ABORT, 'appointment_overlap'); END"
            )


def upgrade():
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
    with op.batch_alter_table("appointment_type", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointment_type_practice_id"), ["practice_id"], unique=False
        )
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
    with op.batch_alter_table("absence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_absence_practice_id"), ["practice_id"], unique=False)
        batch_op.create_index(
            "ix_absence_staff_period", ["staff_id", "start_at", "end_at"], unique=False
        )
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
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointment_patient_start", ["patient_id", "start_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointment_practice_id"), ["practice_id"], unique=False
        )
        batch_op.create_index(
            "ix_appointment_practice_start", ["practice_id", "start_at"], unique=False
        )
        batch_op.create_index("ix_appointment_room_start", ["room_id", "start_at"], unique=False)
        batch_op.create_index("ix_appointment_staff_start", ["staff_id", "start_at"], unique=False)
    op.create_table(
        "availability_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("open_on_holidays", sa.Boolean(), nullable=False),
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
    with op.batch_alter_table("availability_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availability_rule_practice_id"), ["practice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_availability_rule_staff_id"), ["staff_id"], unique=False
        )
    op.create_table(
        "weekly_absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
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
    with op.batch_alter_table("weekly_absence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_weekly_absence_practice_id"), ["practice_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_weekly_absence_staff_id"), ["staff_id"], unique=False)
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
    with op.batch_alter_table("appointment_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointment_event_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointment_event_practice_id"), ["practice_id"], unique=False
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
    _no_overlap()


def downgrade():
    # The exclusion constraints and triggers go with the appointment table.
    op.drop_table("availability_rule_type")
    with op.batch_alter_table("appointment_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_event_practice_id"))
        batch_op.drop_index(batch_op.f("ix_appointment_event_appointment_id"))
    op.drop_table("appointment_event")
    with op.batch_alter_table("weekly_absence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_weekly_absence_staff_id"))
        batch_op.drop_index(batch_op.f("ix_weekly_absence_practice_id"))
    op.drop_table("weekly_absence")
    with op.batch_alter_table("availability_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_rule_staff_id"))
        batch_op.drop_index(batch_op.f("ix_availability_rule_practice_id"))
    op.drop_table("availability_rule")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_staff_start")
        batch_op.drop_index("ix_appointment_room_start")
        batch_op.drop_index("ix_appointment_practice_start")
        batch_op.drop_index(batch_op.f("ix_appointment_practice_id"))
        batch_op.drop_index("ix_appointment_patient_start")
    op.drop_table("appointment")
    with op.batch_alter_table("absence", schema=None) as batch_op:
        batch_op.drop_index("ix_absence_staff_period")
        batch_op.drop_index(batch_op.f("ix_absence_practice_id"))
    op.drop_table("absence")
    with op.batch_alter_table("appointment_type", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_type_practice_id"))
    op.drop_table("appointment_type")
