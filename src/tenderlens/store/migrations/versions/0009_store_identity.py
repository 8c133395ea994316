"""Store identity: one row naming this store, so data derived beside it knows which store it follows.

The text index beside the store (:mod:`tenderlens.search.engine`) records the
``search_changes`` position it reflects. A store deleted and created again at the same path
(or another database put there) starts its log again, and a position alone could match, or
run ahead of, the new store's: the index would answer from the old store's documents, or give
up on itself for good. ``store_identity`` holds one random id per store, made here, so every
store created or brought to this revision has its own; the index records it beside the
position and rebuilds when it differs.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "store_identity",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("identity", sa.Text, nullable=False),  # uuid4 hex, made once per store
        sa.CheckConstraint("id = 1", name="ck_store_identity_one_row"),
    )
    op.bulk_insert(table, [{"id": 1, "identity": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("store_identity")
