"""Scale: a patient's accesses found by time (issue 11)

The patient page's "who saw this file" and the journal filtered on a patient read the
rows of one patient over a period. Indexed by (patient_id, access_log_id), they read
every access to the patient ever written, then sorted them by time: a followed patient
is shown on the team's agenda pages all day long. Each index row now carries the time of
its access-log row (copied, like ``patient_ids``, and never changed).

Create Date: 2026-11-27 13:00:00

"""

import sqlalchemy as sa
from alembic import op

import umpro.db

revision = "0015_access_log_patient_at"
down_revision = "0014_versions"


def upgrade():
    op.add_column("access_log_patient", sa.Column("at", umpro.db.UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE access_log_patient SET at ="
        " (SELECT access_log.at FROM access_log WHERE access_log.id = access_log_id)"
    )
    op.drop_index("ix_access_log_patient_patient", table_name="access_log_patient")
    with op.batch_alter_table("access_log_patient") as batch_op:
        batch_op.alter_column("at", existing_type=umpro.db.UTCDateTime(), nullable=False)
    op.create_index(
        "ix_access_log_patient_patient_at",
        "access_log_patient",
        ["patient_id", "at", "access_log_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_access_log_patient_patient_at", table_name="access_log_patient")
    with op.batch_alter_table("access_log_patient") as batch_op:
        batch_op.drop_column("at")
    op.create_index(
        "ix_access_log_patient_patient",
        "access_log_patient",
        ["patient_id", "access_log_id"],
        unique=False,
    )
