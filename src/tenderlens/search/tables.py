"""The search tables (created by migration 0003): typed facet columns, many-valued terms, full text.

``search_index`` has one row per record, with the columns filters and sorts need.
``search_terms`` holds many-valued facets as (ocid, facet, value) rows. The full text lives
in an FTS5 table ``search_fts`` on SQLite (its rowid is the ``search_index`` rowid) and in a
``document`` tsvector column with a GIN index on PostgreSQL; neither is declared here,
because each is reached with backend-specific SQL (see :mod:`tenderlens.search.index`).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, Table, Text

metadata = MetaData()

search_index = Table(
    "search_index",
    metadata,
    Column("ocid", Text, primary_key=True),
    Column("source", Text, nullable=False),  # fts | contracts-finder | other
    Column("notice_type", Text),  # UK4, or NULL when the data does not say
    Column("notice_type_name", Text),
    Column("stage", Text),  # planning | tender | award | contract | implementation
    Column("status", Text),  # tender.status code
    Column("status_words", Text),
    Column("title", Text),
    Column("excerpt", Text),  # the start of the description, for result lists
    Column("buyer_key", Text),  # the buyer's party id, else its name
    Column("buyer_name", Text),
    Column("sme", Integer),  # 1 suitable, 0 marked not suitable, NULL not stated
    Column("vcse", Integer),
    Column("value_amount", Float),  # tender value, else the largest lot/award/contract value
    Column("value_currency", Text),
    Column("value_text", Text),
    Column("published", Text),  # first published, UTC ISO 8601 (sorts as text)
    Column("updated", Text),  # last published
    Column("deadline", Text),  # tender submission deadline
    Column("future_notice", Text),  # tender.communication.futureNoticeDate
    Column("contract_end", Text),  # the latest end of any contract period
    Column("award_date", Text),  # the first award date (awards not cancelled or unsuccessful)
    Column("award_value", Float),  # the sum of those awards' values in GBP
    # The same dates as published, for showing them (a calendar date stays that day).
    Column("published_raw", Text),
    Column("deadline_raw", Text),
    Column("future_notice_raw", Text),
    Column("contract_end_raw", Text),
)
Index("ix_search_index_published", search_index.c.published)
Index("ix_search_index_deadline", search_index.c.deadline)
Index("ix_search_index_buyer_ocid", search_index.c.buyer_key, search_index.c.ocid)

search_terms = Table(
    "search_terms",
    metadata,
    Column("ocid", Text, primary_key=True),
    Column("facet", Text, primary_key=True),  # cpv | buyer_region | delivery_region
    Column("value", Text, primary_key=True),  # 8-digit CPV code; deepest ITL code
    Column("label", Text),  # the label the data gave (CPV), or the region name
)
Index("ix_search_terms_facet_value", search_terms.c.facet, search_terms.c.value, search_terms.c.ocid)
