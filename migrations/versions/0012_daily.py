"""Daily use: a default appointment type per professional

Create Date: 2026-11-26 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_daily"
down_revision = "0011"


FK_NAME = "fk_staff_default_type_id_appointment_type"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # A batch rebuild of ``staff`` would DROP the table every other one points to,
        # which SQLite refuses on a filled database with foreign keys on; a nullable column
        # with its reference is a plain ALTER there.
        op.execute(
            "ALTER TABLE staff ADD COLUMN default_type_id INTEGER"
            f" CONSTRAINT {FK_NAME} REFERENCES appointment_type (id)"
        )
        return
    op.add_column("staff", sa.Column("default_type_id", sa.Integer(), nullable=True))
    op.create_foreign_key(FK_NAME, "staff", "appointment_type", ["default_type_id"], ["id"])


def downgrade():
    on_sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("staff", schema=None) as batch_op:
        if not on_sqlite:  # SQLite's inline reference has no name: the rebuild drops it
            batch_op.drop_constraint(FK_NAME, type_="foreignkey")
        batch_op.drop_column("default_type_id")
