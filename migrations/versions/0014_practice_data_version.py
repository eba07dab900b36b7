"""Scale: each practice's data version, raised by the database at any change of page data
(issue 11; umpro/versioning.py)

Create Date: 2026-11-27 04:30:00

"""

import sqlalchemy as sa
from alembic import op

from umpro.versioning import PG_FUNCTION, postgresql_trigger, sqlite_triggers

revision = "0014_versions"
down_revision = "0013_flat"

#: The tables versioned at this revision, each with how a row names its practice: its
#: column, and for a child table the parent table that column points at.
TABLES = [
    ("practice", "id", None),
    ("appointment_type", "practice_id", None),
    ("patient", "practice_id", None),
    ("protocol", "practice_id", None),
    ("room", "practice_id", None),
    ("patient_name_token", "practice_id", None),
    ("staff", "practice_id", None),
    ("absence", "practice_id", None),
    ("appointment", "practice_id", None),
    ("assisted_gp", "assistant_id", "staff"),
    ("availability_rule", "practice_id", None),
    ("file_entry", "practice_id", None),
    ("hold_policy", "practice_id", None),
    ("patient_list_snapshot", "practice_id", None),
    ("patient_list_target", "practice_id", None),
    ("protocol_consent", "practice_id", None),
    ("protocol_membership", "practice_id", None),
    ("reminder_opt_out", "practice_id", None),
    ("sharing_objection", "practice_id", None),
    ("staff_change", "practice_id", None),
    ("treating_declaration", "practice_id", None),
    ("weekly_absence", "practice_id", None),
    ("appointment_event", "practice_id", None),
    ("availability_rule_type", "rule_id", "availability_rule"),
    ("care_task", "practice_id", None),
    ("held_slot", "practice_id", None),
    ("hold_block", "policy_id", "hold_policy"),
    ("referral_letter", "practice_id", None),
    ("registration_request", "practice_id", None),
    ("reminder", "practice_id", None),
    ("supervision_review", "practice_id", None),
    ("adverse_event", "practice_id", None),
    ("referral_letter_entry", "entry_id", "file_entry"),
    ("satisfaction_response", "practice_id", None),
    ("task_appointment", "practice_id", None),
    ("task_event", "practice_id", None),
]


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
