"""Harvest checkpoints: per source, how far a harvest has completed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "harvest_state",
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("checkpoint", sa.Text),  # ISO instant: every window before it is fully stored
        sa.Column("last_success_at", sa.Text),
        sa.Column("last_error_at", sa.Text),
        sa.Column("last_error", sa.Text),
        sa.Column("last_summary", sa.Text),  # JSON: what the last completed run did
        sa.Column("updated_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("harvest_state")
