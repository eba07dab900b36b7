"""Patients: identity

Create Date: 2026-11-22 19:53:35.198920

"""

import sqlalchemy as sa
from alembic import op

from migrations.shapes import (
    create_indexes,
    created_at_column,
    foreign_key,
    id_column,
    practice_column,
    primary_key,
)

revision = "0002"
down_revision = "0001"


def upgrade():
    op.create_table(
        "patient",
        id_column(),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("birth_name", sa.String(length=100), nullable=False),
        sa.Column("given_names", sa.String(length=150), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("has_chronic_condition", sa.Boolean(), nullable=False),
        practice_column(),
        created_at_column(),
        foreign_key("patient", "practice_id", "practice"),
        primary_key("patient"),
    )
    create_indexes("patient", "practice_id")


def downgrade():
    op.drop_table("patient")
