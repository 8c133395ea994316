"""Copy one store into another (SQLite → PostgreSQL, typically): streaming and resumable.

Each table is copied in primary-key order, one batch per target transaction. A rerun starts
after the largest key already in the target, so an interrupted copy resumes where it stopped
and a finished one copies nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, func, insert, select, text, tuple_

from tenderlens.store import schema

if TYPE_CHECKING:
    from collections.abc import Callable

    from tenderlens.store.store import Store

# Parents before children is irrelevant (no foreign keys); big tables last so progress reads well.
TABLES: tuple[Table, ...] = (
    schema.cpv_codes,
    schema.harvest_state,
    schema.ingest_runs,
    schema.published_compiled,
    schema.release_history,
    schema.releases,
    schema.records,
    schema.versioned_pieces,
    schema.pending_compiles,
    schema.postcodes,
)


def _last_key(store: Store, table: Table) -> tuple[Any, ...] | None:
    key = list(table.primary_key.columns)
    with store.engine.connect() as conn:
        row = conn.execute(select(*key).order_by(*(c.desc() for c in key)).limit(1)).first()
    return None if row is None else tuple(row)


def copy_table(
    source: Store,
    target: Store,
    table: Table,
    *,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Copy the rows of ``table`` the target lacks (those after its largest key). Returns how many."""
    key = list(table.primary_key.columns)
    after = _last_key(target, table)
    copied = 0
    while True:
        query = select(table).order_by(*key).limit(batch)
        if after is not None:
            query = query.where(tuple_(*key) > tuple_(*after))
        with source.engine.connect() as conn:
            rows = [dict(row) for row in conn.execute(query).mappings()]
        if not rows:
            break
        with target.writing() as conn:
            conn.execute(insert(table), rows)
        after = tuple(rows[-1][c.name] for c in key)
        copied += len(rows)
        if progress:
            progress(len(rows))
    if target.engine.dialect.name == "postgresql":
        _reset_sequences(target, table)
    return copied


def _reset_sequences(target: Store, table: Table) -> None:
    """Rows copied with explicit ids leave PostgreSQL's sequences behind; move them on."""
    for column in table.primary_key.columns:
        if column.autoincrement is True:
            with target.writing() as conn:
                top = conn.execute(select(func.max(column))).scalar() or 0
                conn.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, :column), :next, false)"),
                    {"table": table.name, "column": column.name, "next": int(top) + 1},
                )


def row_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in TABLES}


def copy_store(
    source: Store,
    target: Store,
    *,
    batch: int = 2000,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Copy every table; ``progress(table, rows just copied, rows in the source table)``."""
    totals = row_counts(source)
    copied = {}
    for table in TABLES:

        def report(n: int, name: str = table.name) -> None:
            if progress:
                progress(name, n, totals[name])

        copied[table.name] = copy_table(source, target, table, batch=batch, progress=report)
    return copied
