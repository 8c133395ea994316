"""A large first load builds search_index's sort indexes at its end, and they are never left missing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import inspect, text

from tenderlens.ingest import IngestEvents, ingest
from tenderlens.store import Store, first_load

if TYPE_CHECKING:
    from pathlib import Path

DEFERRED = ["ix_search_index_buyer_ocid", "ix_search_index_deadline", "ix_search_index_published"]


def _indexes(store: Store) -> dict[str, tuple[str, ...]]:
    with store.engine.connect() as conn:
        return {
            str(found["name"]): tuple(str(column) for column in found["column_names"])
            for found in inspect(conn).get_indexes("search_index")
        }


def _index_sql(store: Store) -> dict[str, str]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'search_index'")
        )
        return {str(name): str(sql) for name, sql in rows}


def test_the_deferred_indexes_are_the_tables_sort_indexes(store: Store) -> None:
    assert [str(index.name) for index in first_load.DEFERRED] == DEFERRED
    assert set(DEFERRED) <= set(_indexes(store))  # the migrations made each of them


def test_a_large_load_into_an_empty_sqlite_store_builds_them_at_its_end(
    sqlite_url: str, tmp_path: Path
) -> None:
    migrated = Store.open(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
    store = Store.open(sqlite_url)
    try:
        with store.loading(large=True):
            assert set(DEFERRED).isdisjoint(_indexes(store))
        assert _index_sql(store) == _index_sql(migrated)  # as the migrations define them
    finally:
        store.close()
        migrated.close()


def test_they_are_built_again_when_the_load_fails(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    try:
        with pytest.raises(RuntimeError), store.loading(large=True):
            raise RuntimeError("the input broke")
        assert set(DEFERRED) <= set(_indexes(store))
    finally:
        store.close()


def test_a_small_load_or_a_store_with_notices_keeps_them(store: Store, fixtures_dir: Path) -> None:
    with store.loading(large=False):
        assert set(DEFERRED) <= set(_indexes(store))
    ingest(store, [fixtures_dir / "notice"], workers=0)
    with store.loading(large=True):  # not a first load, on SQLite; PostgreSQL never defers
        assert set(DEFERRED) <= set(_indexes(store))


def test_an_ingest_with_a_compile_worker_defers_them_until_its_records_are_written(
    sqlite_url: str, fixtures_dir: Path
) -> None:
    store = Store.open(sqlite_url)
    seen: list[list[str]] = []

    def probe(_written: int) -> None:
        with store.engine.connect() as conn:
            seen.append(first_load.missing(conn))

    try:
        summary = ingest(store, [fixtures_dir / "notice"], workers=1, events=IngestEvents(compiled=probe))
        assert summary.records_compiled > 0
        assert seen
        assert all(names == DEFERRED for names in seen)  # while its records were written
        assert set(DEFERRED) <= set(_indexes(store))
    finally:
        store.close()


def test_opening_a_store_a_killed_first_load_left_without_them_builds_them(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    with store.writing() as conn:
        first_load.drop(conn)  # as a process killed mid-load leaves it
    store.close()
    reader = Store.open(sqlite_url, upgrade=False)  # a read-only open changes nothing
    try:
        assert set(DEFERRED).isdisjoint(_indexes(reader))
    finally:
        reader.close()
    store = Store.open(sqlite_url)
    try:
        assert set(DEFERRED) <= set(_indexes(store))
    finally:
        store.close()
