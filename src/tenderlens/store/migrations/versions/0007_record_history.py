"""Incremental compile without the history: each merged release's listing facts, kept on the record.

``records.history`` is a JSON list with one entry per merged release, in merge order: what the
listing and search entry need of it (id, tags, date, the notice type its own notice document
states; see :class:`tenderlens.search.listing.ReleaseFacts`). With it, a new release is merged
and listed without reading or parsing the releases merged before. NULL (every record stored
before this revision, and records that may not be extended) means the next compile reads the
whole history, as it did before, and fills it in: nothing stored is changed or lost.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("records", sa.Column("history", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("history")
