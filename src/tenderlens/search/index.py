"""Keeping the search index in step with ``records``: called inside the compile transaction.

The store's ``_write_records`` calls :func:`write_documents` on the same connection, so a
record and its index entry are committed together or not at all.
"""

from __future__ import annotations

import functools
import sqlite3
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Column, MetaData, Text, bindparam, delete, func, insert, literal_column, select, text
from sqlalchemy.dialects import postgresql

from tenderlens.search.tables import search_index, search_terms
from tenderlens.store.bulk import execute_many
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
_INSERT_TERMS = insert(search_terms)
# PostgreSQL: ``search_index`` with its ``document`` column, which the upsert fills in the same
# statement (each field's text is a parameter ``text_<field>``), so a row is written once.
_PG_INDEX = search_index.to_metadata(MetaData())
_PG_INDEX.append_column(Column("document", postgresql.TSVECTOR))


def _pg_document() -> ColumnElement[Any]:
    """``setweight(to_tsvector(config, :text_title), 'A') || ...``, one part per field."""
    config: ColumnElement[Any] = literal_column(f"'{TS_CONFIG}'::regconfig")
    first, *rest = (
        func.setweight(
            func.to_tsvector(config, bindparam(f"text_{field}", type_=Text)),
            literal_column(f"'{weight}'"),
            type_=postgresql.TSVECTOR,
        )
        for field, weight in TS_WEIGHTS
    )
    document: ColumnElement[Any] = first
    for part in rest:
        document = document.op("||")(part)
    return document


_PG_DOCUMENT: Final = _pg_document()


def write_documents(conn: Connection, documents: Sequence[SearchDocument]) -> None:
    """Replace the index entries of these records (same transaction as the caller's)."""
    if not documents:
        return
    if conn.dialect.name == "sqlite":
        _write_sqlite(conn, documents)
    else:
        _write_postgresql(conn, documents)


def _terms(documents: Sequence[SearchDocument]) -> list[dict[str, str | None]]:
    return [
        {"ocid": document.ocid, "facet": facet, "value": value, "label": label}
        for document in documents
        for facet, value, label in document.terms
    ]


def _write_sqlite(conn: Connection, documents: Sequence[SearchDocument]) -> None:
    ocids = [document.ocid for document in documents]
    conn.execute(delete(search_terms).where(search_terms.c.ocid.in_(ocids)))
    rows = [document.row() for document in documents]
    # One multi-row statement per batch, not a statement per row: the triggers that log the
    # change for the text engine make SQLite keep a statement journal, and each statement copies
    # every page it touches that the transaction had already changed (the table's leaf, four
    # index leaves, the change log): 110 KB per row, most of the ingest's write syscalls
    # (benchmarks/RESULTS.md, twelfth measurement). Per statement, each page is copied once.
    columns = list(rows[0])
    per_statement = max(1, _variable_limit(conn) // len(columns))
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        conn.exec_driver_sql(
            _sqlite_upsert(tuple(columns), len(batch)),
            tuple(row[name] for row in batch for name in columns),
        )
    execute_many(conn, _INSERT_TERMS, _terms(documents))
    texts = {document.ocid: document.text for document in documents}
    # An upsert keeps a row's rowid, so these are the rowids of the old FTS rows too (and of any
    # stale FTS row left by a deleted index row): clear them, then insert the new text.
    rowids = list(conn.execute(select(search_index.c.ocid, ROWID).where(search_index.c.ocid.in_(ocids))))
    conn.execute(_FTS_DELETE, {"rowids": [rowid for _, rowid in rowids]})
    execute_many(
        conn,
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


@functools.lru_cache(maxsize=16)
def _sqlite_upsert(columns: tuple[str, ...], count: int) -> str:
    """``INSERT INTO search_index … VALUES (?, …), … ON CONFLICT (ocid) DO UPDATE …`` for ``count`` rows.

    Written out, not built by SQLAlchemy: its compiler took longer over a 500-row VALUES
    clause than the statement took to run. The column names are the table's own.
    """
    known = set(search_index.c.keys())
    if not known.issuperset(columns) or "ocid" not in columns:
        raise ValueError(f"not search_index columns: {columns!r}")
    values = "(" + ", ".join("?" * len(columns)) + ")"
    updates = ", ".join(f"{name} = excluded.{name}" for name in columns if name != "ocid")
    # The names are checked against the table above; the values are parameters.
    return (
        f"INSERT INTO search_index ({', '.join(columns)}) VALUES {', '.join([values] * count)} "  # noqa: S608
        f"ON CONFLICT (ocid) DO UPDATE SET {updates}"
    )


def _variable_limit(conn: Connection) -> int:
    """How many parameters one SQLite statement may have (32,766 by default since SQLite 3.32)."""
    driver = conn.connection.dbapi_connection
    return int(driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) if driver is not None else 999


def _write_postgresql(conn: Connection, documents: Sequence[SearchDocument]) -> None:
    """Insert the new rows, then upsert the rest; only records indexed before have terms to delete.

    Each row is written once, its tsvector with it, and each statement covers the whole batch
    (the RETURNING clause makes SQLAlchemy send one multi-row INSERT rather than a statement per
    row), so the ``search_changes`` triggers fire once per statement, not once per row. Deleting
    only the terms of records already indexed keeps a first compile (or a corpus build) from
    looking up ocids that cannot be there: the lookup is a sequential scan of ``search_terms``
    whenever the planner has no statistics yet (a table never analysed), a cost that grows with
    the table and made large builds slow down as they went.
    """
    rows = {
        document.ocid: document.row()
        | {
            "text_title": document.text.title,
            "text_description": document.text.description,
            "text_lots": document.text.lots,
            "text_items": document.text.items,
            "text_buyer": document.text.buyer,
            "text_other": document.text.other,
        }
        for document in documents
    }
    new = postgresql.insert(_PG_INDEX).values(document=_PG_DOCUMENT)
    inserted = set(
        conn.execute(
            new.on_conflict_do_nothing(index_elements=[_PG_INDEX.c.ocid]).returning(_PG_INDEX.c.ocid),
            list(rows.values()),
        ).scalars()
    )
    existing = [ocid for ocid in rows if ocid not in inserted]
    if existing:
        columns = [name for name in documents[0].row() if name != "ocid"]
        upsert = postgresql.insert(_PG_INDEX).values(document=_PG_DOCUMENT)
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=[_PG_INDEX.c.ocid],
                set_={name: upsert.excluded[name] for name in [*columns, "document"]},
            ).returning(_PG_INDEX.c.ocid),
            [rows[ocid] for ocid in existing],
        )
        conn.execute(delete(search_terms).where(search_terms.c.ocid.in_(existing)))
    terms = _terms(documents)
    if terms:
        conn.execute(insert(search_terms).returning(search_terms.c.ocid), terms)


def missing_from_index(engine: Engine) -> int:
    """How many records have no search-index entry (after ``db copy``, say, which copies no index)."""
    with engine.connect() as conn:
        unindexed = select(records.c.ocid).where(records.c.ocid.not_in(select(search_index.c.ocid)))
        return int(conn.execute(select(func.count()).select_from(unindexed.subquery())).scalar_one())
