"""Initial schema: releases with history, published compiled releases, records, reference tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("ocid", sa.Text, primary_key=True),
        sa.Column("release_id", sa.Text, primary_key=True),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("date_utc", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("ingest_seq", sa.BigInteger, nullable=False),
        sa.Column("ingested_at", sa.Text, nullable=False),
        sa.Column("repairs", sa.Text),
    )
    op.create_index("ix_releases_ingest_seq", "releases", ["ingest_seq"])
    op.create_table(
        "release_history",
        sa.Column("history_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ocid", sa.Text, nullable=False),
        sa.Column("release_id", sa.Text, nullable=False),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("ingest_seq", sa.BigInteger, nullable=False),
        sa.Column("ingested_at", sa.Text, nullable=False),
        sa.Column("replaced_at", sa.Text, nullable=False),
        sa.Column("repairs", sa.Text),
    )
    op.create_index("ix_release_history_key", "release_history", ["ocid", "release_id"])
    op.create_table(
        "published_compiled",
        sa.Column("ocid", sa.Text, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("ingest_seq", sa.BigInteger, nullable=False),
        sa.Column("ingested_at", sa.Text, nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("ocid", sa.Text, primary_key=True),
        sa.Column("compiled", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("versioned", sa.JSON().with_variant(JSONB(), "postgresql")),
        sa.Column("release_count", sa.Integer, nullable=False),
        sa.Column("compiled_from", sa.Text, nullable=False),
        sa.Column("last_date", sa.Text),
        sa.Column("compiled_at", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("notice_type", sa.Text),
        sa.Column("stage", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("buyer_name", sa.Text),
        sa.Column("notes", sa.Text),
    )
    op.create_index("ix_records_notice_type", "records", ["notice_type"])
    op.create_index("ix_records_stage", "records", ["stage"])
    op.create_index("ix_records_source", "records", ["source"])
    op.create_table("pending_compiles", sa.Column("ocid", sa.Text, primary_key=True))
    op.create_table(
        "ingest_runs",
        sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("summary", sa.Text),
    )
    op.create_table(
        "cpv_codes",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
    )
    op.create_table(
        "postcodes",
        sa.Column("postcode", sa.Text, primary_key=True),
        sa.Column("local_authority_code", sa.Text),
        sa.Column("local_authority", sa.Text),
        sa.Column("ward_code", sa.Text),
        sa.Column("ward", sa.Text),
        sa.Column("constituency_code", sa.Text),
        sa.Column("constituency", sa.Text),
    )


def downgrade() -> None:
    for table in (
        "postcodes",
        "cpv_codes",
        "ingest_runs",
        "pending_compiles",
        "records",
        "published_compiled",
        "release_history",
        "releases",
    ):
        op.drop_table(table)
