"""Incremental compile: what a record was merged from, so one new release extends it.

``records.merged_seq`` is the highest ``ingest_seq`` among the releases merged into the record
when the record may be extended by later releases (a regular history, merged without any
workaround); NULL means the next compile merges the whole history again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("records", sa.Column("merged_seq", sa.BigInteger))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("merged_seq")
