"""Scale: each practice's data version, raised by the database at any change of page data
(issue 11; umpro/versioning.py)

Create Date: 2026-11-27 04:30:00

"""

import sqlalchemy as sa
from alembic import op

from umpro.versioning import PG_FUNCTION, postgresql_trigger, sqlite_triggers

revision = "0014_versions"
down_revision = "0013_flat"

#: The tables versioned at this revision, in the order their triggers are made.
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
TABLES = [(table, *OTHER_PRACTICE_COLUMNS.get(table, ("practice_id", None))) for table in VERSIONED]


def upgrade():
    op.create_table(
        "practice_data_version",
        sa.Column("practice_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("practice_id", name=op.f("pk_practice_data_version")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(postgresql_trigger(*table))
    else:
        for table in TABLES:
            for statement in sqlite_triggers(*table):
                op.execute(statement)


def downgrade():
    on_pg = op.get_bind().dialect.name == "postgresql"
    for table, _, _ in TABLES:
        if on_pg:
            op.execute(f"DROP TRIGGER practice_version_{table} ON {table}")
        else:
            for operation in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER practice_version_{table}_{operation}")
    if on_pg:
        op.execute("DROP FUNCTION umpro_bump_practice_version()")
    op.drop_table("practice_data_version")
