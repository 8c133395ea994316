"""Search: typed facet columns, many-valued facet terms, and full text (FTS5 or tsvector).

SQLite gets an FTS5 table ``search_fts`` (porter stemming, accents removed) whose rowid is
the ``search_index`` rowid. PostgreSQL gets a ``document`` tsvector column with a GIN index
and a text-search configuration ``tenderlens_english``: English (Snowball) stemming with no
stop words, to match FTS5, which drops none.

Existing records are marked pending, so the next ``tenderlens compile`` (or ingest, or
``tenderlens serve``) fills the index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FTS5 = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, description, lots, items, buyer, other, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)
WORD_TOKENS = "asciiword, word, asciihword, hword, hword_asciipart, hword_part"


def upgrade() -> None:
    op.create_table(
        "search_index",
        sa.Column("ocid", sa.Text, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("notice_type", sa.Text),
        sa.Column("notice_type_name", sa.Text),
        sa.Column("stage", sa.Text),
        sa.Column("status", sa.Text),
        sa.Column("status_words", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("excerpt", sa.Text),
        sa.Column("buyer_key", sa.Text),
        sa.Column("buyer_name", sa.Text),
        sa.Column("sme", sa.Integer),
        sa.Column("vcse", sa.Integer),
        sa.Column("value_amount", sa.Float),
        sa.Column("value_currency", sa.Text),
        sa.Column("value_text", sa.Text),
        sa.Column("published", sa.Text),
        sa.Column("updated", sa.Text),
        sa.Column("deadline", sa.Text),
        sa.Column("future_notice", sa.Text),
        sa.Column("contract_end", sa.Text),
        sa.Column("award_date", sa.Text),
        sa.Column("award_value", sa.Float),
        sa.Column("published_raw", sa.Text),
        sa.Column("deadline_raw", sa.Text),
        sa.Column("future_notice_raw", sa.Text),
        sa.Column("contract_end_raw", sa.Text),
    )
    op.create_index("ix_search_index_published", "search_index", ["published"])
    op.create_index("ix_search_index_deadline", "search_index", ["deadline"])
    op.create_index("ix_search_index_buyer_key", "search_index", ["buyer_key"])
    op.create_table(
        "search_terms",
        sa.Column("ocid", sa.Text, primary_key=True),
        sa.Column("facet", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, primary_key=True),
        sa.Column("label", sa.Text),
    )
    op.create_index("ix_search_terms_facet_value", "search_terms", ["facet", "value", "ocid"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TEXT SEARCH DICTIONARY tenderlens_english_stem (TEMPLATE = snowball, LANGUAGE = english)"
        )
        op.execute("CREATE TEXT SEARCH CONFIGURATION tenderlens_english (COPY = english)")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION tenderlens_english ALTER MAPPING FOR {WORD_TOKENS} "
            "WITH tenderlens_english_stem"
        )
        op.add_column("search_index", sa.Column("document", postgresql.TSVECTOR))
        op.execute("CREATE INDEX ix_search_index_document ON search_index USING GIN (document)")
    else:
        op.execute(FTS5)
    op.execute(
        "INSERT INTO pending_compiles (ocid) SELECT ocid FROM records "
        "WHERE ocid NOT IN (SELECT ocid FROM pending_compiles)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("search_terms")
        op.drop_table("search_index")
        op.execute("DROP TEXT SEARCH CONFIGURATION tenderlens_english")
        op.execute("DROP TEXT SEARCH DICTIONARY tenderlens_english_stem")
    else:
        op.execute("DROP TABLE search_fts")
        op.drop_table("search_terms")
        op.drop_table("search_index")
