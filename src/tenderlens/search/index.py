"""Keeping the search index in step with ``records``: called inside the compile transaction.

The store's ``_write_records`` calls :func:`write_documents` on the same connection, so a
record and its index entry are committed together or not at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import bindparam, delete, func, insert, literal_column, select, text
from sqlalchemy.dialects import postgresql, sqlite

from tenderlens.search.tables import search_index, search_terms
from tenderlens.store.schema import records

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import ColumnElement, Connection, Engine

    from tenderlens.search.document import SearchDocument

# PostgreSQL: the text-search configuration migration 0003 creates, and a weight per field
# (A highest). FTS5 ranks with bm25 weights in the same order (see tenderlens.search.run).
TS_CONFIG: Final = "tenderlens_english"
TS_WEIGHTS: Final = (
    ("title", "A"),
    ("buyer", "B"),
    ("description", "C"),
    ("lots", "C"),
    ("items", "D"),
    ("other", "D"),
)
ROWID: Final[ColumnElement[Any]] = literal_column("search_index.rowid")

_FTS_DELETE = text("DELETE FROM search_fts WHERE rowid IN :rowids").bindparams(
    bindparam("rowids", expanding=True)
)
_FTS_INSERT = text(
    "INSERT INTO search_fts (rowid, title, description, lots, items, buyer, other) "
    "VALUES (:rowid, :title, :description, :lots, :items, :buyer, :other)"
)
_TS_DOCUMENT = " || ".join(
    f"setweight(to_tsvector('{TS_CONFIG}', :{field}), '{weight}')" for field, weight in TS_WEIGHTS
)
_PG_UPDATE = text(f"UPDATE search_index SET document = {_TS_DOCUMENT} WHERE ocid = :ocid")  # noqa: S608 - constants only


def write_documents(conn: Connection, documents: Sequence[SearchDocument]) -> None:
    """Replace the index entries of these records (same transaction as the caller's)."""
    if not documents:
        return
    ocids = [document.ocid for document in documents]
    is_sqlite = conn.dialect.name == "sqlite"
    conn.execute(delete(search_terms).where(search_terms.c.ocid.in_(ocids)))
    rows = [document.row() for document in documents]
    upsert = (sqlite.insert if is_sqlite else postgresql.insert)(search_index)
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[search_index.c.ocid],
            set_={name: upsert.excluded[name] for name in rows[0] if name != "ocid"},
        ),
        rows,
    )
    terms = [
        {"ocid": document.ocid, "facet": facet, "value": value, "label": label}
        for document in documents
        for facet, value, label in document.terms
    ]
    if terms:
        conn.execute(insert(search_terms), terms)
    texts = {document.ocid: document.text for document in documents}
    if is_sqlite:
        # An upsert keeps a row's rowid, so these are the rowids of the old FTS rows too (and of any
        # stale FTS row left by a deleted index row): clear them, then insert the new text.
        rowids = list(conn.execute(select(search_index.c.ocid, ROWID).where(search_index.c.ocid.in_(ocids))))
        conn.execute(_FTS_DELETE, {"rowids": [rowid for _, rowid in rowids]})
        conn.execute(
            _FTS_INSERT,
            [
                {
                    "rowid": rowid,
                    "title": texts[ocid].title,
                    "description": texts[ocid].description,
                    "lots": texts[ocid].lots,
                    "items": texts[ocid].items,
                    "buyer": texts[ocid].buyer,
                    "other": texts[ocid].other,
                }
                for ocid, rowid in rowids
            ],
        )
    else:
        conn.execute(
            _PG_UPDATE,
            [
                {
                    "ocid": ocid,
                    "title": body.title,
                    "description": body.description,
                    "lots": body.lots,
                    "items": body.items,
                    "buyer": body.buyer,
                    "other": body.other,
                }
                for ocid, body in texts.items()
            ],
        )


def missing_from_index(engine: Engine) -> int:
    """How many records have no search-index entry (after ``db copy``, say, which copies no index)."""
    with engine.connect() as conn:
        unindexed = select(records.c.ocid).where(records.c.ocid.not_in(select(search_index.c.ocid)))
        return int(conn.execute(select(func.count()).select_from(unindexed.subquery())).scalar_one())
