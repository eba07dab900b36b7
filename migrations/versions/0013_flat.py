"""Scale: an index on a requester's open hand-offs (issue 11)

Create Date: 2026-11-26 17:40:00

"""

from alembic import op

revision = "0013_flat"
down_revision = "0012_daily"


def upgrade():
    op.create_index(
        "ix_care_task_requested", "care_task", ["requester_id", "status", "due_on"], unique=False
    )


def downgrade():
    op.drop_index("ix_care_task_requested", table_name="care_task")
