"""Ingest leaves the text index in step (so the first search ranks from it), and the CLI rebuilds it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typer.testing import CliRunner

# isort: off
from tenderlens.store import Store  # first: the store imports the search index
from tenderlens.cli import app
from tenderlens.ingest import ingest
from tenderlens.search.engine import text_engine_for
# isort: on

if TYPE_CHECKING:
    from pathlib import Path


def _at_head(store: Store) -> bool:
    found = text_engine_for(store.engine)
    assert found is not None
    with store.engine.connect() as conn:
        return found.searcher_at(conn) is not None


def test_ingest_leaves_the_index_in_step(store_url: str, fixtures_dir: Path) -> None:
    store = Store.open(store_url)
    try:
        summary = ingest(store, [fixtures_dir / "notice"])
        assert summary.records_compiled > 0
        assert summary.search_index_in_step
        assert _at_head(store)
        found = text_engine_for(store.engine)
        assert found is not None
        committed = (found.directory / "meta.json").read_bytes()
        again = ingest(store, [fixtures_dir / "notice"])  # nothing new: the index stays where it is
        assert again.new == 0
        assert again.search_index_in_step
        assert _at_head(store)
        assert (found.directory / "meta.json").read_bytes() == committed  # no new commit
    finally:
        store.close()


def test_reindex_command_rebuilds_a_damaged_index(
    sqlite_url: str, fixtures_dir: Path, tmp_path: Path
) -> None:
    store = Store.open(sqlite_url)
    try:
        ingest(store, [fixtures_dir / "notice"])
    finally:
        store.close()
    index_dir = tmp_path / "store.sqlite.search"
    assert index_dir.is_dir()
    for path in index_dir.iterdir():  # every file cut short: the index cannot be opened
        if path.is_file():
            path.write_bytes(b"")
    result = CliRunner().invoke(app, ["search", "reindex", "--db", sqlite_url, "--full", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "in step" in result.output
    store = Store.open(sqlite_url)
    try:
        assert _at_head(store)
    finally:
        store.close()


def test_reindex_command_on_a_store_without_a_place_for_the_index() -> None:
    result = CliRunner().invoke(app, ["search", "reindex", "--db", "sqlite://", "--quiet"])
    assert result.exit_code == 1
    assert "no place for a text index" in result.output
