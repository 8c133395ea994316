"""Search: the buyer index holds the ocid too, so a notice's nearest notices of its buyer are a range.

The similar notices of a notice page (:func:`tenderlens.match.index.shared_keys`) take the ten
ocids after and the ten before the notice's own among its buyer's notices. With
``ix_search_index_buyer_key`` on ``buyer_key`` alone, each branch read every notice of the
buyer and sorted them: 8.1 ms a page for a buyer with 4,905 notices (a county council or an
NHS trust publishes thousands), against 0.01 ms as two range reads of
``(buyer_key, ocid)``, which also serves every lookup by buyer alone.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_search_index_buyer_ocid", "search_index", ["buyer_key", "ocid"])
    op.drop_index("ix_search_index_buyer_key", table_name="search_index")


def downgrade() -> None:
    op.create_index("ix_search_index_buyer_key", "search_index", ["buyer_key"])
    op.drop_index("ix_search_index_buyer_ocid", table_name="search_index")
