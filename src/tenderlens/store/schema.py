"""Table definitions (SQLAlchemy Core). Alembic migrations create them; this module names them.

Raw OCDS JSON is kept as text (key order and values exactly as parsed), so the same schema
runs on SQLite and PostgreSQL; typed columns beside it carry what is filtered or sorted on.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

from tenderlens.store.documents import PackedDocument

# Derived OCDS documents (compiled and versioned releases): JSONB on PostgreSQL, so they can be
# queried and indexed there; zstd-packed JSON on SQLite (tenderlens.store.documents), where rows
# written before packing are JSON text. Published releases stay verbatim text.
Document = PackedDocument().with_variant(JSONB(none_as_null=True), "postgresql")

metadata = MetaData()

releases = Table(
    "releases",
    metadata,
    Column("ocid", Text, primary_key=True),
    Column("release_id", Text, primary_key=True),
    Column("date", Text, nullable=False),  # as published
    Column("date_utc", Text, nullable=False),  # the instant, sortable text, for merge order
    Column("tags", Text, nullable=False),  # space-separated release tags
    Column("data", Text, nullable=False),  # the release JSON as published (after recorded repairs)
    Column("content_hash", Text, nullable=False),  # sha256 of the canonical (sorted-key) JSON
    Column("source", Text, nullable=False),  # file path, "-" for stdin, or a harvest URL
    Column("ingest_seq", BigInteger, nullable=False),  # global ingest order; breaks date ties
    Column("ingested_at", Text, nullable=False),
    Column("repairs", Text),  # JSON list of publisher-quirk repairs, or NULL
)
Index("ix_releases_ingest_seq", releases.c.ingest_seq)

release_history = Table(
    "release_history",
    metadata,
    Column("history_id", Integer, primary_key=True, autoincrement=True),
    Column("ocid", Text, nullable=False),
    Column("release_id", Text, nullable=False),
    Column("date", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("ingest_seq", BigInteger, nullable=False),
    Column("ingested_at", Text, nullable=False),
    Column("replaced_at", Text, nullable=False),
    Column("repairs", Text),
)
Index("ix_release_history_key", release_history.c.ocid, release_history.c.release_id)

published_compiled = Table(
    "published_compiled",
    metadata,
    Column("ocid", Text, primary_key=True),
    Column("data", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("ingest_seq", BigInteger, nullable=False),
    Column("ingested_at", Text, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("ocid", Text, primary_key=True),
    Column("compiled", Document, nullable=False),
    Column("versioned", Document),  # NULL when only a published compiled release is known
    Column("release_count", Integer, nullable=False),
    Column("compiled_from", Text, nullable=False),  # "releases" | "published"
    Column("last_date", Text),  # date of the last release merged, as published
    Column("compiled_at", Text, nullable=False),
    # Facts read off the record, for listing, stats and (later) search.
    Column("source", Text, nullable=False),  # fts | contracts-finder | other
    Column("notice_type", Text),
    Column("stage", Text),
    Column("title", Text),
    Column("buyer_name", Text),
    Column("notes", Text),  # JSON list: merge warnings, repairs made to compile, compile errors
    # Highest ingest_seq merged, when later releases may extend the record; NULL: recompile fully.
    Column("merged_seq", BigInteger),
    # With merged_seq: JSON list of each merged release's listing facts (search.listing.ReleaseFacts).
    Column("history", Text),
    # How many rows of versioned_pieces complete ``versioned`` (a skeleton then); NULL or 0: whole.
    Column("pieces", Integer),
)
Index("ix_records_notice_type", records.c.notice_type)
Index("ix_records_stage", records.c.stage)
Index("ix_records_source", records.c.source)

# The earlier versions of a long record's versioned release (tenderlens.versioned): JSON text
# of ``[[path, [version, ...]], ...]``, joined to the skeleton in ``piece`` order.
versioned_pieces = Table(
    "versioned_pieces",
    metadata,
    Column("ocid", Text, primary_key=True),
    Column("piece", Integer, primary_key=True),
    Column("entries", Text, nullable=False),
)

pending_compiles = Table(
    "pending_compiles",
    metadata,
    Column("ocid", Text, primary_key=True),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", Text, nullable=False),
    Column("finished_at", Text),
    Column("inputs", Text, nullable=False),  # JSON list of inputs as given
    Column("summary", Text),  # JSON of the IngestSummary
)

cpv_codes = Table(
    "cpv_codes",
    metadata,
    Column("code", Text, primary_key=True),  # 8 digits, no check digit
    Column("label", Text, nullable=False),
)

postcodes = Table(
    "postcodes",
    metadata,
    Column("postcode", Text, primary_key=True),  # normalised "TS17 6QW"
    Column("local_authority_code", Text),
    Column("local_authority", Text),
    Column("ward_code", Text),
    Column("ward", Text),
    Column("constituency_code", Text),
    Column("constituency", Text),
)

harvest_state = Table(
    "harvest_state",
    metadata,
    Column("source", Text, primary_key=True),  # a harvest source name: fts, contracts-finder
    Column("checkpoint", Text),  # UTC instant: the next harvest continues from here
    Column("last_success_at", Text),
    Column("last_error_at", Text),
    Column("last_error", Text),
    Column("last_summary", Text),  # JSON: what the last completed run did
    Column("updated_at", Text, nullable=False),
)

# One row (migration 0009): a random id made when the store was created, never changed. Data
# derived beside the store (the text index) records it, to tell this store from another one
# later created at the same path.
store_identity = Table(
    "store_identity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("identity", Text, nullable=False),  # uuid4 hex
    CheckConstraint("id = 1", name="ck_store_identity_one_row"),
)
