"""Search: the PostgreSQL ``search_changes`` trigger prunes the log every 10,000 entries, not every statement.

The trigger of 0005 deleted the entries older than the last 200,000 each time it fired, once
per statement. A pruned entry stays in the ``seq`` index until a vacuum removes it, and that
DELETE walked every such entry from the start of the index on each call: the cost of a write
grew with everything ever logged (6 ms per statement after 140,000 documents, with
autovacuum off), and a corpus build slowed from 1,000 to 130 documents/s by then. Now the
log is pruned when an insert takes a ``seq`` that is a multiple of 10,000, as the SQLite
trigger of 0005 does, so it keeps between 200,000 and 210,000 entries.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PRUNED_EVERY_10000 = (
    "CREATE OR REPLACE FUNCTION search_changes_new() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE head bigint; due boolean; BEGIN "
    "WITH added AS (INSERT INTO search_changes (doc) SELECT doc FROM new_rows RETURNING seq) "
    "SELECT max(seq), bool_or(seq % 10000 = 0) INTO head, due FROM added; "
    "IF due THEN DELETE FROM search_changes WHERE seq <= head - 200000; END IF; "
    "RETURN NULL; END $$"
)
PRUNED_EVERY_STATEMENT = (
    "CREATE OR REPLACE FUNCTION search_changes_new() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO search_changes (doc) SELECT doc FROM new_rows; "
    "DELETE FROM search_changes WHERE seq <= (SELECT max(seq) FROM search_changes) - 200000; "
    "RETURN NULL; END $$"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PRUNED_EVERY_10000)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PRUNED_EVERY_STATEMENT)
