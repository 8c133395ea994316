"""WAL checkpoints from a thread of their own during a bulk write: the log reaches the database file."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import TYPE_CHECKING

from tenderlens.store import Store
from tenderlens.store.checkpoint import Checkpointer

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def _wal_database(path: Path) -> sqlite3.Connection:
    """A WAL database whose own connection never checkpoints: only a checkpointer moves its log."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA page_size=4096")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE blobs (data BLOB)")
    return conn


def _write_mb(conn: sqlite3.Connection, megabytes: int) -> None:
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO blobs VALUES (randomblob(100000))", [()] * (10 * megabytes))
    conn.execute("COMMIT")


def test_the_checkpointer_copies_the_log_into_the_database_while_the_writer_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    writer = _wal_database(path)
    _write_mb(writer, 2)
    assert path.stat().st_size < 100_000  # all of it still in the log
    checkpointer = Checkpointer(str(path), every=0.01)
    checkpointer.start()
    try:
        _write_mb(writer, 2)  # a writer is never blocked by it
        deadline = time.monotonic() + 10
        while path.stat().st_size < 4_000_000 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        checkpointer.stop()
    assert checkpointer.checkpoints >= 1
    assert path.stat().st_size >= 4_000_000
    assert writer.execute("SELECT count(*) FROM blobs").fetchone() == (40,)
    writer.close()


def test_a_checkpointer_that_cannot_open_the_database_leaves_it_to_sqlite(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checkpointer = Checkpointer(str(tmp_path / "missing" / "db.sqlite"), every=0.01)
    with caplog.at_level(logging.WARNING, logger="tenderlens.store.checkpoint"):
        checkpointer.start()
        checkpointer.stop()
    assert checkpointer.checkpoints == 0
    assert "WAL checkpoints left to SQLite" in caplog.text
    assert "missing" in caplog.text


def _checkpoint_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "tenderlens-checkpoint"]


def test_a_file_store_checkpoints_from_a_thread_for_the_block_only(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    try:
        with store.checkpointing():
            assert len(_checkpoint_threads()) == 1
        assert _checkpoint_threads() == []
    finally:
        store.close()


def test_an_in_memory_store_has_no_log_to_checkpoint() -> None:
    store = Store.open("sqlite://")
    try:
        with store.checkpointing():
            assert _checkpoint_threads() == []
    finally:
        store.close()
