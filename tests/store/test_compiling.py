"""Compiling pending ocids off the write lock, inline or in a worker process.

The worker must give exactly what compiling inline gives; a release stored while its ocid is
being compiled must not be lost (the stale record is not written, the mark stays, the next
pass compiles it); and a failing compile leaves every unwritten record pending.
"""

from __future__ import annotations

import gc
import os
from typing import TYPE_CHECKING, Any

import pytest

from tenderlens.export import ExportKind, export_items
from tenderlens.records import compile_record
from tenderlens.store import RecordFacts, Store
from tenderlens.store.compiling import WORKER_THRESHOLD, compile_chunk, compiler_pool, default_workers
from tenderlens.store.store import create_store_engine
from tests.store.test_store import incoming

if TYPE_CHECKING:
    from pathlib import Path


def releases_for(ocids: int, per_ocid: int) -> list[Any]:
    return [
        incoming(
            f"ocds-w-{n:04d}",
            f"r{k}",
            date=f"2026-01-{1 + k:02d}T10:00:00Z",
            tender={"id": "t", "title": f"process {n} v{k}", "items": [{"id": str(k), "quantity": k}]},
            tag=["tender" if k == 0 else "tenderUpdate"],
        )
        for n in range(ocids)
        for k in range(per_ocid)
    ]


def everything(store: Store) -> dict[str, Any]:
    records = [
        (r.ocid, r.compiled, r.versioned, r.release_count, r.notice_type, r.stage, r.title, r.buyer_name)
        for r in store.iter_records()
    ]
    return {
        "records": records,
        "compiled": list(export_items(store, ExportKind.COMPILED)),
        "counts": store.counts(),
    }


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_worker_processes_compile_what_inline_compiling_does(
    store_url: str, tmp_path: Path, workers: int
) -> None:
    batch = releases_for(450, 3)
    inline = Store.open(f"sqlite:///{tmp_path / 'inline.sqlite'}")
    worker = Store.open(store_url)
    try:
        for store in (inline, worker):
            store.write_releases(batch)
        seen: list[int] = []
        assert inline.compile_pending(compile_record, chunk=50, workers=0) == 450
        assert worker.compile_pending(compile_record, chunk=50, workers=workers, progress=seen.append) == 450
        assert sum(seen) == 450
        assert len(seen) == 9
        assert worker.counts()["pending compiles"] == 0
        assert everything(worker) | {"counts": None} == everything(inline) | {"counts": None}
        assert worker.counts() == inline.counts()
    finally:
        inline.close()
        worker.close()


def test_a_release_stored_during_its_compile_is_compiled_next_pass(store: Store) -> None:
    store.write_releases([incoming("ocds-a", "1"), incoming("ocds-b", "1")])
    counts: list[tuple[str, int]] = []

    def compiler(ocid: str, releases: list[tuple[dict[str, Any], int]], published: Any) -> RecordFacts:
        counts.append((ocid, len(releases)))
        if ocid == "ocds-a" and len(releases) == 1:
            # Another writer stores a second release while this one compiles the first.
            store.write_releases([incoming("ocds-a", "2", date="2026-02-01T00:00:00Z")])
        return compile_record(ocid, releases, published)

    assert store.compile_pending(compiler, workers=0) == 2
    assert counts == [("ocds-a", 1), ("ocds-b", 1), ("ocds-a", 2)]
    record = store.get_record("ocds-a")
    assert record is not None
    assert record.release_count == 2
    assert store.counts()["pending compiles"] == 0


def test_a_failing_compile_leaves_the_unwritten_records_pending(store: Store) -> None:
    store.write_releases([incoming(f"ocds-f-{n}", "1") for n in range(5)])

    def failing(ocid: str, releases: list[tuple[dict[str, Any], int]], published: Any) -> RecordFacts:
        if ocid == "ocds-f-3":
            raise RuntimeError("compiler bug")
        return compile_record(ocid, releases, published)

    with pytest.raises(RuntimeError, match="compiler bug"):
        store.compile_pending(failing, chunk=2, workers=0)
    # Chunks [0, 1] were written; [2, 3] failed; [4] was never reached.
    assert store.counts()["records"] == 2
    assert store.counts()["pending compiles"] == 3
    assert store.compile_pending(compile_record) == 3
    assert store.counts()["pending compiles"] == 0


@pytest.mark.parametrize(("cores", "workers"), [(None, 0), (1, 0), (2, 2), (8, 2)])
def test_workers_start_only_for_enough_work_and_a_second_core(
    monkeypatch: pytest.MonkeyPatch, cores: int | None, workers: int
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert default_workers(10) == 0
    assert default_workers(WORKER_THRESHOLD) == workers


def _main_must_not_load(ocids: list[str]) -> list[Any]:
    raise AssertionError(f"the main process read {ocids}: the worker should have")


@pytest.mark.slow
def test_a_worker_reads_the_releases_itself_from_a_shared_database(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        store.write_releases(releases_for(3, 2))
        url = store._shared_url()
        assert url is not None
        ocids = ["ocds-w-0000", "ocds-w-0001", "ocds-w-0002"]
        with compiler_pool(1, _main_must_not_load, url) as submit:
            chunk = submit(compile_record, ocids).result()
        assert [found.ocid for found in chunk.compiled_from] == ocids
        assert [found.state[0] for found in chunk.compiled_from] == [2, 2, 2]
        assert store._write_compiled(chunk.compiled_from, chunk.rows) == 3
        record = store.get_record("ocds-w-0001")
        assert record is not None
        assert record.release_count == 2
        assert store.counts()["pending compiles"] == 0
    finally:
        store.close()


@pytest.mark.slow
def test_an_in_memory_store_sends_its_releases_to_the_worker() -> None:
    # Another process cannot open an in-memory database: the main process reads and sends.
    store = Store.open("sqlite://")
    try:
        assert store._shared_url() is None
        store.write_releases(releases_for(20, 2))
        assert store.compile_pending(compile_record, chunk=5, workers=1) == 20
        assert store.counts()["pending compiles"] == 0
        record = store.get_record("ocds-w-0019")
        assert record is not None
        assert record.release_count == 2
    finally:
        store.close()


def test_the_url_a_worker_is_given_keeps_the_password() -> None:
    # Not connected: create_engine connects only when used.
    url = "postgresql+psycopg://tender:s3cret@db.example:5432/lens"
    assert Store(create_store_engine(url))._shared_url() == url


def test_the_collector_is_paused_for_each_record_and_resumed_after(store: Store) -> None:
    store.write_releases(releases_for(2, 1))
    during: list[bool] = []

    def compiler(ocid: str, releases: list[tuple[dict[str, Any], int]], published: Any) -> RecordFacts:
        during.append(gc.isenabled())
        return compile_record(ocid, releases, published)

    pending = store.load_pending(["ocds-w-0000", "ocds-w-0001"])
    assert gc.isenabled()
    rows = compile_chunk(compiler, pending)
    assert [row.row["ocid"] for row in rows] == ["ocds-w-0000", "ocds-w-0001"]
    assert during == [False, False]
    assert gc.isenabled()
    gc.disable()  # a caller that turned it off keeps it off
    try:
        compile_chunk(compiler, pending)
        assert not gc.isenabled()
    finally:
        gc.enable()
