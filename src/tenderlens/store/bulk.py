"""Many rows through one statement, handed to the SQLite driver's ``executemany`` as tuples.

SQLAlchemy's ``conn.execute(statement, rows)`` builds each row's parameters in Python (a dict
per row, walked against the compiled statement): about 4 µs a row under cProfile, over the
307,677 rows an ingest of 100k releases writes (releases, records, search terms and text,
pending marks) some 6% of the main process's profile (benchmarks/RESULTS.md, fourteenth
measurement). SQLite does the same ``executemany`` in C. The statement is still written and
compiled by SQLAlchemy, once per statement and set of columns, so there is no SQL by hand
here. A statement whose parameters need converting in Python (a type with a bind processor)
or filling in (a column default) keeps SQLAlchemy's path, as does every other backend
(PostgreSQL's batched multi-row inserts are faster than a plain ``executemany``).
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.sql.expression import Executable

# Statement id and columns → (the statement, its SQL or None, the parameter order). Callers pass
# statements made once (module constants, or cached): a statement made per call would only
# miss, so the cache is bounded all the same.
_compiled: dict[tuple[int, tuple[str, ...]], tuple[Any, str | None, tuple[str, ...]]] = {}
_CACHE_LIMIT = 256


def execute_many(conn: Connection, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
    """``conn.execute(statement, rows)``, straight to the driver where that gives the same rows.

    Every row must have the keys of the first (as SQLAlchemy's executemany also requires).
    ``statement`` should be made once, not per call: its compiled SQL is kept by its identity.
    """
    if not rows:
        return
    found = _positional(statement, tuple(rows[0]), conn.dialect) if conn.dialect.name == "sqlite" else None
    if found is None:
        conn.execute(statement, list(rows))
        return
    sql, order = found
    if len(order) == 1:
        (name,) = order
        conn.exec_driver_sql(sql, [(row[name],) for row in rows])
    else:  # itemgetter builds each tuple in C (a generator per row was 6.5 s of a 1M profile)
        conn.exec_driver_sql(sql, list(map(itemgetter(*order), rows)))


def _positional(
    statement: Executable, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[str, ...]] | None:
    """The statement's SQL for ``columns`` and its ``?`` parameters' order; None: SQLAlchemy's path."""
    key = (id(statement), columns)
    cached = _compiled.get(key)
    # The statement is kept with its SQL, so while it is cached its id is not another's.
    if cached is not None and cached[0] is statement:
        return None if cached[1] is None else (cached[1], cached[2])
    if len(_compiled) >= _CACHE_LIMIT:
        _compiled.clear()
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))  # type: ignore[attr-defined]
    order = tuple(compiled.positiontup or ())
    binds = compiled.binds
    plain = (
        compiled.positional
        and set(order) == set(columns)
        and len(order) == len(columns)
        and all(binds[name].type.dialect_impl(dialect).bind_processor(dialect) is None for name in order)
    )
    _compiled[key] = (statement, compiled.string if plain else None, order)
    return (compiled.string, order) if plain else None
