"""Versioned releases of long histories in pieces, so one new release rewrites one release's worth.

``records.pieces`` counts the rows of ``versioned_pieces`` that belong to the record: NULL or 0
means ``records.versioned`` is the whole versioned release; otherwise it is the skeleton (each
value's latest version) and the pieces hold the earlier versions, in ``piece`` order
(:mod:`tenderlens.versioned`). Records already stored stay whole until they are compiled again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("records", sa.Column("pieces", sa.Integer))
    op.create_table(
        "versioned_pieces",
        sa.Column("ocid", sa.Text, primary_key=True),
        sa.Column("piece", sa.Integer, primary_key=True),
        sa.Column("entries", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("versioned_pieces")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("pieces")
