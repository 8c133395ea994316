from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

import orjson
import pytest
from sqlalchemy import inspect

import tenderlens.store.store as store_module
from tenderlens.exceptions import StoreError
from tenderlens.store import IncomingCompiled, IncomingRelease, Outcome, RecordFacts, Store, migrate


def incoming(ocid: str, rid: str, date: str = "2026-01-01T00:00:00Z", **extra: Any) -> IncomingRelease:
    release = {"ocid": ocid, "id": rid, "date": date, "tag": ["tender"], **extra}
    return IncomingRelease(
        ocid=ocid,
        release_id=rid,
        date=date,
        date_utc=date,
        tags="tender",
        data=orjson.dumps(release).decode(),
        content_hash=hashlib.sha256(orjson.dumps(release, option=orjson.OPT_SORT_KEYS)).hexdigest(),
        source="test",
    )


def counting_compiler(calls: list[str]):
    def compiler(ocid: str, releases: list[tuple[dict[str, Any], int]], published: dict[str, Any] | None):
        calls.append(ocid)
        compiled = {"ocid": ocid, "n": len(releases)} if releases else dict(published or {})
        return RecordFacts(
            ocid=ocid,
            compiled=compiled,
            versioned={"ocid": ocid} if releases else None,
            release_count=len(releases),
            compiled_from="releases" if releases else "published",
            last_date=None,
            source="other",
            notice_type=None,
            stage=None,
            title=None,
            buyer_name=None,
        )

    return compiler


def test_migrations_create_every_table_at_head(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        tables = set(inspect(store.engine).get_table_names())
        assert {"releases", "release_history", "records", "published_compiled", "pending_compiles"} <= tables
    finally:
        store.close()


def test_open_without_upgrade_refuses_an_old_schema(sqlite_url: str) -> None:
    with pytest.raises(StoreError, match="tenderlens db upgrade"):
        Store.open(sqlite_url, upgrade=False)


def test_new_unchanged_and_replaced(store: Store) -> None:
    assert store.write_releases([incoming("ocds-a", "1"), incoming("ocds-a", "2")]) == [
        Outcome.NEW,
        Outcome.NEW,
    ]
    assert store.write_releases([incoming("ocds-a", "1")]) == [Outcome.UNCHANGED]
    changed = incoming("ocds-a", "1", title="corrected")
    assert store.write_releases([changed]) == [Outcome.REPLACED]
    current = {r.release_id: r for r in store.get_releases("ocds-a")}
    assert current["1"].data["title"] == "corrected"
    history = store.release_history("ocds-a")
    assert [h["data"].get("title") for h in history] == [None]
    # The earlier content arriving again is known: it does not flip the current version back.
    assert store.write_releases([incoming("ocds-a", "1")]) == [Outcome.UNCHANGED]
    assert store.get_releases("ocds-a")[0].data.get("title") == "corrected" or any(
        r.data.get("title") == "corrected" for r in store.get_releases("ocds-a")
    )
    assert store.counts()["superseded releases"] == 1


def test_replacement_inside_one_batch_keeps_the_first_version(store: Store) -> None:
    outcomes = store.write_releases([incoming("ocds-b", "1"), incoming("ocds-b", "1", title="v2")])
    assert outcomes == [Outcome.NEW, Outcome.REPLACED]
    assert store.get_releases("ocds-b")[0].data["title"] == "v2"
    assert len(store.release_history("ocds-b")) == 1


def test_ingest_seq_grows_in_arrival_order(store: Store) -> None:
    store.write_releases([incoming("ocds-c", "x"), incoming("ocds-c", "y")])
    store.write_releases([incoming("ocds-c", "z")])
    seqs = {r.release_id: r.ingest_seq for r in store.get_releases("ocds-c")}
    assert seqs["x"] < seqs["y"] < seqs["z"]


def test_only_touched_ocids_are_compiled(store: Store) -> None:
    calls: list[str] = []
    store.write_releases([incoming("ocds-1", "a"), incoming("ocds-2", "a")])
    assert store.compile_pending(counting_compiler(calls)) == 2
    assert sorted(calls) == ["ocds-1", "ocds-2"]
    calls.clear()
    store.write_releases([incoming("ocds-1", "a"), incoming("ocds-2", "b")])  # ocds-1 unchanged
    assert store.compile_pending(counting_compiler(calls)) == 1
    assert calls == ["ocds-2"]
    record = store.get_record("ocds-2")
    assert record is not None
    assert record.compiled == {"ocid": "ocds-2", "n": 2}


def test_a_failed_compile_leaves_the_ocid_pending(store: Store) -> None:
    store.write_releases([incoming("ocds-f", "a")])

    def broken(*_: Any) -> RecordFacts:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.compile_pending(broken)
    assert store.pending_count() == 1
    assert store.get_record("ocds-f") is None
    assert store.compile_pending(counting_compiler([])) == 1
    assert store.pending_count() == 0


def test_a_failed_batch_writes_nothing(store: Store) -> None:
    store.write_releases([incoming("ocds-t", "a")])
    bad = incoming("ocds-t", "b")
    broken = IncomingRelease(**{**{f: getattr(bad, f) for f in bad.__slots__}, "data": None})  # type: ignore[arg-type]
    with pytest.raises(Exception):  # noqa: B017 - any database error
        store.write_releases([incoming("ocds-t", "c"), broken])
    assert [r.release_id for r in store.get_releases("ocds-t")] == ["a"]


def test_published_compiled_release(store: Store) -> None:
    item = IncomingCompiled(
        ocid="ocds-p", data='{"ocid":"ocds-p","tag":["compiled"]}', content_hash="h1", source="s"
    )
    assert store.write_published_compiled(item) is Outcome.NEW
    assert store.write_published_compiled(item) is Outcome.UNCHANGED
    store.compile_pending(counting_compiler([]))
    record = store.get_record("ocds-p")
    assert record is not None
    assert record.compiled_from == "published"
    assert record.compiled == {"ocid": "ocds-p", "tag": ["compiled"]}


def test_reference_tables(store: Store) -> None:
    from tenderlens.reference import PostcodeAreas

    assert store.replace_cpv([("85000000", "Health"), ("98000000", "Other")]) == 2
    assert store.replace_cpv([("85000000", "Health and social work services")]) == 1
    assert store.cpv_labels() == {"85000000": "Health and social work services"}
    assert not store.has_postcodes()
    rows = [
        PostcodeAreas(
            postcode="TS17 6QW", local_authority="Stockton-on-Tees", local_authority_code="E06000004"
        )
    ]
    assert store.replace_postcodes(iter(rows), batch=1) == 1
    found = store.postcode_areas("TS17 6QW")
    assert found is not None
    assert found.local_authority == "Stockton-on-Tees"
    assert store.postcode_areas("ZZ1 1ZZ") is None


def _page_size(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return int(conn.execute("PRAGMA page_size").fetchone()[0])


def test_a_new_sqlite_store_has_large_pages(sqlite_url: str) -> None:
    Store.open(sqlite_url).close()
    assert store_module.SQLITE_PAGE_SIZE == 16384
    assert _page_size(sqlite_url) == 16384


def test_an_existing_store_keeps_its_page_size(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Stores made before the larger pages keep 4 KiB pages: opening one must neither fail nor
    # try to change them (in WAL mode the size is fixed), and what it holds stays readable.
    monkeypatch.setattr(store_module, "SQLITE_PAGE_SIZE", 4096)
    old = Store.open(sqlite_url)
    big = "x" * 50_000  # an overflow chain on either page size
    assert old.write_releases([incoming("ocds-a", "1", description=big)]) == [Outcome.NEW]
    old.close()
    monkeypatch.undo()
    assert _page_size(sqlite_url) == 4096

    reopened = Store.open(sqlite_url)
    try:
        assert reopened.write_releases([incoming("ocds-a", "2")]) == [Outcome.NEW]
        assert {r.release_id: r.data.get("description") for r in reopened.get_releases("ocds-a")} == {
            "1": big,
            "2": None,
        }
    finally:
        reopened.close()
    assert _page_size(sqlite_url) == 4096
