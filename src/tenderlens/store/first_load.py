"""A first load into an empty SQLite store builds ``search_index``'s sort indexes once, at the end.

Each compiled chunk upserts 500 rows into ``search_index``, and each row goes into three
secondary indexes (``published``, ``deadline``, ``buyer_key, ocid``) at a random place: once
those indexes outgrow a chunk, every row dirties a page of each, which the commit then writes
to the WAL. Over a 1M-release ingest that grew the main process's write of a chunk from 3.5 to
8 s per 100k releases; without the three indexes it grew to 5 s (benchmarks/RESULTS.md,
fifteenth measurement). Building an index from a full table is one sort.

So when a large ingest starts on an empty ``search_index`` (the first load of a store), these
indexes are dropped and built again when it ends, also when it fails. Searches meanwhile are
correct, only slower where they would have used them. A process killed in between leaves them
missing: :func:`restore` runs whenever a store is opened (by any command, which during a
first load puts them back early: the load is then as slow as before, and as correct).
The index of the primary key (``ocid``) stays: it is a constraint, not only a path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import select, text

from tenderlens.search.tables import search_index

if TYPE_CHECKING:
    from sqlalchemy import Connection, Index

#: The indexes a first load builds at its end (their definitions are the migrations' own).
DEFERRED: Final[tuple[Index, ...]] = tuple(sorted(search_index.indexes, key=lambda index: str(index.name)))


def is_first_load(conn: Connection) -> bool:
    """SQLite, and no row in ``search_index`` yet."""
    if conn.dialect.name != "sqlite":
        return False
    return conn.execute(select(search_index.c.ocid).limit(1)).first() is None


def drop(conn: Connection) -> None:
    for index in DEFERRED:
        index.drop(conn, checkfirst=True)


def missing(conn: Connection) -> list[str]:
    """The names of the deferred indexes not in the database (SQLite; none elsewhere)."""
    if conn.dialect.name != "sqlite":
        return []
    names = [str(index.name) for index in DEFERRED]
    found = set(
        conn.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'search_index'")
        ).scalars()
    )
    return [name for name in names if name not in found]


def restore(conn: Connection) -> list[str]:
    """Build whichever deferred indexes are missing; return their names."""
    absent = missing(conn)
    for index in DEFERRED:
        if index.name in absent:
            index.create(conn, checkfirst=True)
    return absent
