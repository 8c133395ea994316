"""``execute_many`` writes what ``conn.execute(statement, rows)`` writes, and knows when it cannot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, Table, Text, create_engine, select, text
from sqlalchemy.dialects import sqlite

from tenderlens.store import bulk
from tenderlens.store.bulk import execute_many

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine

metadata = MetaData()
plain = Table(
    "plain",
    metadata,
    Column("key", Text, primary_key=True),
    Column("count", Integer),
    Column("data", Text),
)
typed = Table(
    "typed",
    metadata,
    Column("key", Text, primary_key=True),
    Column("flag", Boolean),
    Column("at", DateTime),
)
keys_only = Table("keys_only", metadata, Column("key", Text, primary_key=True))
defaulted = Table(
    "defaulted",
    metadata,
    Column("key", Text, primary_key=True),
    Column("note", Text, default="none given"),
)

INSERT_PLAIN = sqlite.insert(plain)
UPSERT_PLAIN = INSERT_PLAIN.on_conflict_do_update(
    index_elements=[plain.c.key], set_={"count": INSERT_PLAIN.excluded["count"]}
)
INSERT_TYPED = sqlite.insert(typed)
INSERT_DEFAULTED = sqlite.insert(defaulted)
INSERT_KEYS = sqlite.insert(keys_only).on_conflict_do_nothing()
INSERT_TEXT = text("INSERT INTO plain (data, key, count) VALUES (:data, :key, :count)")


@pytest.fixture
def engine() -> Iterator[Engine]:
    made = create_engine("sqlite://")
    metadata.create_all(made)
    yield made
    made.dispose()


def _went_raw(statement: Any) -> bool | None:
    """True: the driver's executemany was used; False: SQLAlchemy's path; None: never asked."""
    found = [entry for entry in bulk._compiled.values() if entry[0] is statement]
    return None if not found else found[0][1] is not None


ROWS = [
    {"key": "a", "count": 1, "data": "x"},
    {"key": "b", "count": None, "data": "é \x00 nul"},
    {"key": "c", "count": 2**62, "data": None},
]


def _contents(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(table).order_by(table.c.key))]


def test_an_insert_stores_what_sqlalchemy_stores(engine: Engine) -> None:
    with engine.begin() as conn:
        execute_many(conn, INSERT_PLAIN, ROWS)
    ours = _contents(engine, plain)
    with engine.begin() as conn:
        conn.execute(plain.delete())
        conn.execute(INSERT_PLAIN, ROWS)
    assert ours == _contents(engine, plain) == [("a", 1, "x"), ("b", None, "é \x00 nul"), ("c", 2**62, None)]
    assert _went_raw(INSERT_PLAIN) is True


def test_the_columns_may_come_in_any_order(engine: Engine) -> None:
    shuffled = [{"data": row["data"], "count": row["count"], "key": row["key"]} for row in ROWS]
    with engine.begin() as conn:
        execute_many(conn, INSERT_PLAIN, shuffled)
        execute_many(conn, INSERT_TEXT, [{"data": "t", "count": 9, "key": "d"}])
    assert _contents(engine, plain)[-1] == ("d", 9, "t")
    assert _contents(engine, plain)[:3] == [("a", 1, "x"), ("b", None, "é \x00 nul"), ("c", 2**62, None)]
    assert _went_raw(INSERT_TEXT) is True


def test_an_upsert_replaces_what_it_names(engine: Engine) -> None:
    with engine.begin() as conn:
        execute_many(conn, INSERT_PLAIN, ROWS)
        execute_many(
            conn,
            UPSERT_PLAIN,
            [{"key": "a", "count": 7, "data": "ignored"}, {"key": "z", "count": 0, "data": "new"}],
        )
    assert _contents(engine, plain) == [
        ("a", 7, "x"),
        ("b", None, "é \x00 nul"),
        ("c", 2**62, None),
        ("z", 0, "new"),
    ]
    assert _went_raw(UPSERT_PLAIN) is True


def test_one_column_rows_are_written_too(engine: Engine) -> None:
    with engine.begin() as conn:
        execute_many(conn, INSERT_KEYS, [{"key": "b"}, {"key": "a"}, {"key": "b"}])
    assert _contents(engine, keys_only) == [("a",), ("b",)]
    assert _went_raw(INSERT_KEYS) is True


def test_values_that_need_converting_keep_sqlalchemys_path(engine: Engine) -> None:
    at = datetime(2026, 12, 7, 9, 30, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        execute_many(conn, INSERT_TYPED, [{"key": "a", "flag": True, "at": at}])
    with engine.connect() as conn:
        stored = conn.execute(select(typed.c.flag, typed.c.at)).one()
        raw = conn.exec_driver_sql("SELECT at FROM typed").scalar_one()
    assert tuple(stored) == (True, at)
    assert raw == "2026-12-07 09:30:00.000000"  # SQLAlchemy's text form, not the driver's
    assert _went_raw(INSERT_TYPED) is False


def test_a_column_default_keeps_sqlalchemys_path(engine: Engine) -> None:
    with engine.begin() as conn:
        execute_many(conn, INSERT_DEFAULTED, [{"key": "a"}])
    assert _contents(engine, defaulted) == [("a", "none given")]
    assert _went_raw(INSERT_DEFAULTED) is False


def test_no_rows_writes_nothing(engine: Engine) -> None:
    with engine.begin() as conn:
        execute_many(conn, INSERT_PLAIN, [])
    assert _contents(engine, plain) == []


def test_a_row_without_a_column_fails_and_the_transaction_writes_nothing(engine: Engine) -> None:
    with pytest.raises(KeyError), engine.begin() as conn:
        execute_many(conn, INSERT_PLAIN, [ROWS[0], {"key": "b"}])
    assert _contents(engine, plain) == []


def test_the_cache_stays_bounded(engine: Engine) -> None:
    with engine.begin() as conn:
        for number in range(bulk._CACHE_LIMIT + 10):
            execute_many(conn, sqlite.insert(plain), [{"key": f"k{number}", "count": number, "data": None}])
    assert len(bulk._compiled) <= bulk._CACHE_LIMIT
    assert len(_contents(engine, plain)) == bulk._CACHE_LIMIT + 10
