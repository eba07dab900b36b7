"""Patients: search tokens, INS and address; shared file, sharing objection, médecin
traitant declarations and requests, referral letters.

Overlapping declarations of one patient are refused by the database: an exclusion
constraint on PostgreSQL (btree_gist), triggers on SQLite. Autogenerate sees neither:
the statements are umpro/patients/models.py's, run here. Patients registered before this
revision get their sort key and search tokens here.

Create Date: 2026-11-22 20:17:59.280025

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

import umpro.db
from migrations.shapes import (
    create_indexes,
    create_link_table,
    create_partial_unique_index,
    created_at_column,
    drop_tables,
    foreign_key,
    id_column,
    practice_column,
    primary_key,
)
from umpro.patients.models import DECLARATION_OVERLAP_POSTGRESQL, DECLARATION_OVERLAP_SQLITE

#: The patient's new text columns and their lengths.
NEW_TEXT_COLUMNS = {"address": 200, "postal_code": 10, "city": 100, "sort_key": 300}

# A frozen copy of umpro/patients/names.py as it was at this revision: the app's folding may
# change, what this step wrote may not.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_LETTERS = re.compile(r"[a-z]+")


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _sort_key(family_name, given_names):
    family = " ".join(_LETTERS.findall(_fold(family_name)))
    given = " ".join(_LETTERS.findall(_fold(given_names)))
    return f"{family} {given}"[:300]


def _tokens(*names):
    tokens = set()
    for name in names:
        folded = _fold(name)
        parts = _LETTERS.findall(folded)
        tokens.update(parts)
        for chunk in folded.split():
            chunk_parts = _LETTERS.findall(chunk)
            if len(chunk_parts) > 1:
                tokens.add("".join(chunk_parts))
        if len(parts) > 1:
            tokens.add("".join(parts))
    return {t[:60] for t in tokens}


def _index_existing_patients():
    bind = op.get_bind()
    patient = sa.table(
        "patient",
        sa.column("id"),
        sa.column("practice_id"),
        sa.column("family_name"),
        sa.column("birth_name"),
        sa.column("given_names"),
        sa.column("sort_key"),
    )
    token = sa.table(
        "patient_name_token", sa.column("patient_id"), sa.column("token"), sa.column("practice_id")
    )
    rows = bind.execute(
        sa.select(
            patient.c.id,
            patient.c.practice_id,
            patient.c.family_name,
            patient.c.birth_name,
            patient.c.given_names,
        )
    ).all()
    for row in rows:
        bind.execute(
            patient.update()
            .where(patient.c.id == row.id)
            .values(sort_key=_sort_key(row.family_name, row.given_names))
        )
        values = [
            {"patient_id": row.id, "token": t, "practice_id": row.practice_id}
            for t in sorted(_tokens(row.family_name, row.birth_name, row.given_names))
        ]
        if values:
            bind.execute(token.insert(), values)


revision = "0003"
down_revision = "0002"


def upgrade():
    op.create_table(
        "file_entry",
        id_column(),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        created_at_column(),
        sa.Column("dated_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("superseded_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entered_in_error_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entered_in_error_by_id", sa.Integer(), nullable=True),
        sa.Column("error_reason", sa.String(length=300), nullable=False),
        practice_column(),
        sa.CheckConstraint(
            "kind IN ('note', 'consultation', 'protocol_session', 'result', 'letter',"
            " 'administrative')",
            name=op.f("ck_file_entry_kind"),
        ),
        foreign_key("file_entry", "author_id", "staff"),
        foreign_key("file_entry", "entered_in_error_by_id", "staff"),
        foreign_key("file_entry", "original_id", "file_entry"),
        foreign_key("file_entry", "patient_id", "patient"),
        foreign_key("file_entry", "practice_id", "practice"),
        primary_key("file_entry"),
        sa.UniqueConstraint(
            "original_id", "version", name=op.f("uq_file_entry_original_id_version")
        ),
    )
    create_indexes(
        "file_entry",
        "original_id",
        "practice_id",
        ("ix_file_entry_timeline", ["patient_id", "dated_at"]),
    )

    op.create_table(
        "patient_name_token",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=60), nullable=False),
        practice_column(),
        foreign_key("patient_name_token", "patient_id", "patient", ondelete="CASCADE"),
        foreign_key("patient_name_token", "practice_id", "practice"),
        primary_key("patient_name_token", "patient_id", "token"),
    )
    create_indexes(
        "patient_name_token",
        ("ix_patient_name_token_lookup", ["practice_id", "token", "patient_id"]),
    )

    op.create_table(
        "sharing_objection",
        id_column(),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", umpro.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("lifted_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        practice_column(),
        foreign_key("sharing_objection", "lifted_by_id", "staff"),
        foreign_key("sharing_objection", "patient_id", "patient"),
        foreign_key("sharing_objection", "practice_id", "practice"),
        foreign_key("sharing_objection", "recorded_by_id", "staff"),
        primary_key("sharing_objection"),
    )
    create_indexes("sharing_objection", "patient_id", "practice_id")
    create_partial_unique_index(
        "sharing_objection", "uq_sharing_objection_standing", ["patient_id"], "lifted_at IS NULL"
    )

    op.create_table(
        "treating_declaration",
        id_column(),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("gp_id", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        practice_column(),
        created_at_column(),
        sa.CheckConstraint(
            "end_on IS NULL OR end_on > start_on", name=op.f("ck_treating_declaration_period")
        ),
        foreign_key("treating_declaration", "ended_by_id", "staff"),
        foreign_key("treating_declaration", "gp_id", "staff"),
        foreign_key("treating_declaration", "patient_id", "patient"),
        foreign_key("treating_declaration", "practice_id", "practice"),
        foreign_key("treating_declaration", "recorded_by_id", "staff"),
        primary_key("treating_declaration"),
    )
    create_indexes(
        "treating_declaration",
        ("ix_treating_declaration_gp_period", ["gp_id", "start_on", "end_on"]),
        ("ix_treating_declaration_patient_period", ["patient_id", "start_on"]),
        "practice_id",
    )
    create_partial_unique_index(
        "treating_declaration", "uq_treating_declaration_open", ["patient_id"], "end_on IS NULL"
    )

    op.create_table(
        "referral_letter",
        id_column(),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        created_at_column(),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("is_second_opinion", sa.Boolean(), nullable=False),
        sa.Column("reply_entry_id", sa.Integer(), nullable=True),
        sa.Column("reply_received_on", sa.Date(), nullable=True),
        practice_column(),
        foreign_key("referral_letter", "author_id", "staff"),
        foreign_key("referral_letter", "entry_id", "file_entry"),
        foreign_key("referral_letter", "patient_id", "patient"),
        foreign_key("referral_letter", "practice_id", "practice"),
        foreign_key("referral_letter", "reply_entry_id", "file_entry"),
        primary_key("referral_letter"),
        sa.UniqueConstraint("entry_id", name=op.f("uq_referral_letter_entry_id")),
    )
    create_indexes("referral_letter", "patient_id", "practice_id")

    op.create_table(
        "registration_request",
        id_column(),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("gp_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("has_chronic_condition", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", umpro.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.String(length=32), nullable=False),
        sa.Column("decision_note", sa.String(length=1000), nullable=False),
        sa.Column("oriented_to", sa.String(length=200), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=True),
        practice_column(),
        created_at_column(),
        sa.CheckConstraint(
            "channel IN ('phone', 'desk', 'conciliator', 'mediator')",
            name=op.f("ck_registration_request_channel"),
        ),
        sa.CheckConstraint(
            "status <> 'declined' OR (decline_reason IN ('capacity', 'out_of_area', 'continuity',"
            " 'specific_needs', 'trust') AND oriented_to <> '')",
            name=op.f("ck_registration_request_lawful_decline"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn')",
            name=op.f("ck_registration_request_status"),
        ),
        foreign_key("registration_request", "decided_by_id", "staff"),
        foreign_key("registration_request", "declaration_id", "treating_declaration"),
        foreign_key("registration_request", "gp_id", "staff"),
        foreign_key("registration_request", "patient_id", "patient"),
        foreign_key("registration_request", "practice_id", "practice"),
        foreign_key("registration_request", "recorded_by_id", "staff"),
        primary_key("registration_request"),
    )
    create_indexes(
        "registration_request",
        "patient_id",
        "practice_id",
        ("ix_registration_request_queue", ["gp_id", "status", "received_on"]),
    )
    create_partial_unique_index(
        "registration_request",
        "uq_registration_request_pending",
        ["patient_id", "gp_id"],
        "status = 'pending'",
    )

    create_link_table(
        "referral_letter_entry",
        ("letter_id", "referral_letter", "CASCADE"),
        ("entry_id", "file_entry"),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ins", sa.String(length=15), nullable=True))
        # Existing rows get "" (then the default goes: the models set these columns).
        for name, length in NEW_TEXT_COLUMNS.items():
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
        batch_op.add_column(
            sa.Column("updated_at", umpro.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_patient_practice_birth_date", ["practice_id", "birth_date"], unique=False
        )
        batch_op.create_index("ix_patient_practice_sort", ["practice_id", "sort_key"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_patient_practice_id_ins"), ["practice_id", "ins"]
        )

    with op.batch_alter_table("patient", schema=None) as batch_op:
        for name in NEW_TEXT_COLUMNS:
            batch_op.alter_column(name, server_default=None)
    _index_existing_patients()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(DECLARATION_OVERLAP_POSTGRESQL)
    elif op.get_bind().dialect.name == "sqlite":
        for statement in DECLARATION_OVERLAP_SQLITE:
            op.execute(statement)


def downgrade():
    drop_tables(
        "referral_letter_entry",
        "registration_request",
        "referral_letter",
        "treating_declaration",
        "sharing_objection",
        "patient_name_token",
        "file_entry",
    )
    # Last: on SQLite, rebuilding "patient" while rows still refer to it would fail.
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_patient_practice_id_ins"), type_="unique")
        batch_op.drop_index("ix_patient_practice_sort")
        batch_op.drop_index("ix_patient_practice_birth_date")
        batch_op.drop_column("updated_at")
        for name in reversed(NEW_TEXT_COLUMNS):
            batch_op.drop_column(name)
        batch_op.drop_column("ins")
