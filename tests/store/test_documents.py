"""Compiled and versioned releases packed on SQLite, JSONB on PostgreSQL, older JSON text still read.

A record must read back exactly as compiled (key order and big integers included) whatever
form it was stored in; a record stored as JSON text before packing must still read and still
be extended by a new release as a full compile would; and a BLOB that is not a packed document
is an error that says so, not a crash in the web worker's decoder.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from tenderlens.exceptions import StoreError
from tenderlens.ingest import ingest
from tenderlens.store import Store
from tenderlens.store.copy import copy_store
from tenderlens.store.documents import PackedDocumentError, json_text, pack, parsed, unpack
from tenderlens.store.schema import records as records_table
from tests.test_records_incremental import history, write

if TYPE_CHECKING:
    from pathlib import Path

json_values = st.recursive(
    st.none()
    | st.booleans()
    # orjson's range: the reader repairs numbers beyond it away before anything is stored
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_a_packed_document_unpacks_to_what_was_packed(value: Any) -> None:
    packed = pack(value)
    assert isinstance(packed, bytes)
    assert unpack(packed) == value
    assert unpack(json_text(value)) == value  # a row written before packing


def test_unpacking_keeps_key_order() -> None:
    value = {"tag": ["compiled"], "ocid": "x", "b": {"z": 1, "a": 2}}
    assert list(unpack(pack(value))) == ["tag", "ocid", "b"]
    assert list(unpack(pack(value))["b"]) == ["z", "a"]


def test_parsed_takes_every_stored_form() -> None:
    value = {"ocid": "x", "tag": ["compiled"]}
    assert parsed(pack(value)) == parsed(json_text(value)) == parsed(value) == value


@pytest.mark.parametrize("blob", [b"", b"not zstd", pack({"a": 1})[:-3]])
def test_a_blob_that_is_not_a_packed_document_says_so(blob: bytes) -> None:
    with pytest.raises(
        PackedDocumentError, match=f"a packed document \\({len(blob)} bytes\\) cannot be read"
    ):
        unpack(blob)


def test_threads_pack_and_unpack_at_once() -> None:
    """zstd contexts must not be shared between threads (the web server reads records in a pool)."""
    documents = [{"ocid": f"ocds-{n}", "text": "word " * (n % 200), "n": n} for n in range(400)]
    failures: list[str] = []

    def work(offset: int) -> None:
        for n in range(400):
            document = documents[(n + offset) % 400]
            if unpack(pack(document)) != document:
                failures.append(f"thread {offset}, document {n}")

    threads = [threading.Thread(target=work, args=(k * 50,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def stored_forms(store: Store) -> set[tuple[str, str]]:
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            query = "SELECT DISTINCT typeof(compiled), typeof(versioned) FROM records"
        else:
            query = "SELECT DISTINCT jsonb_typeof(compiled), jsonb_typeof(versioned) FROM records"
        return {(a, b) for a, b in conn.execute(text(query))}


def test_records_are_packed_on_sqlite_and_jsonb_on_postgresql(store: Store, tmp_path: Path) -> None:
    releases = [release for n in range(3) for release in history(f"ocds-doc-{n}", 3)]
    ingest(store, [write(tmp_path / "in.jsonl", releases)], workers=0)
    expected = {("blob", "blob")} if store.engine.dialect.name == "sqlite" else {("object", "object")}
    assert stored_forms(store) == expected
    record = store.get_record("ocds-doc-1")
    assert record is not None
    assert record.compiled["tender"]["title"] == "Title 2"
    assert [version["value"] for version in record.versioned["tender"]["title"]] == [
        "Title 0",
        "Title 1",
        "Title 2",
    ]


def test_a_packed_record_is_a_fraction_of_its_json(sqlite_url: str, tmp_path: Path) -> None:
    store = Store.open(sqlite_url)
    try:
        ingest(store, [write(tmp_path / "in.jsonl", history("ocds-doc-big", 12))], workers=0)
        with store.engine.connect() as conn:
            packed = conn.execute(text("SELECT length(versioned) FROM records")).scalar_one()
        record = store.get_record("ocds-doc-big")
        assert record is not None
        assert packed * 3 < len(json_text(record.versioned))
    finally:
        store.close()


def test_a_record_stored_as_json_text_reads_and_extends_as_before(sqlite_url: str, tmp_path: Path) -> None:
    """A store made before packing: its rows are JSON text until compiled again."""
    releases = history("ocds-doc-old", 5)
    old = Store.open(sqlite_url)
    fresh = Store.open(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    try:
        ingest(old, [write(tmp_path / "first.jsonl", releases[:4])], workers=0)
        before = old.get_record("ocds-doc-old")
        assert before is not None
        with old.writing() as conn:  # rewrite the record as a store before packing held it
            conn.execute(
                text("UPDATE records SET compiled = :c, versioned = :v"),
                {"c": json_text(before.compiled), "v": json_text(before.versioned)},
            )
        assert stored_forms(old) == {("text", "text")}
        assert old.get_record("ocds-doc-old") == before

        ingest(old, [write(tmp_path / "last.jsonl", releases[4:])], workers=0)  # extends the text base
        ingest(fresh, [write(tmp_path / "all.jsonl", releases)], workers=0)
        assert stored_forms(old) == {("blob", "blob")}
        assert old.get_record("ocds-doc-old") == fresh.get_record("ocds-doc-old")
    finally:
        old.close()
        fresh.close()


def test_a_worker_packs_as_inline_compiling_does(sqlite_url: str, tmp_path: Path) -> None:
    releases = [release for n in range(5) for release in history(f"ocds-doc-w{n}", 2)]
    store = Store.open(sqlite_url)
    try:
        ingest(store, [write(tmp_path / "in.jsonl", releases)], workers=1)
        assert stored_forms(store) == {("blob", "blob")}
        with store.engine.connect() as conn:
            documents = conn.execute(select(records_table.c.compiled)).scalars().all()
        assert {document["ocid"] for document in documents} == {f"ocds-doc-w{n}" for n in range(5)}
    finally:
        store.close()


def test_a_copy_packs_the_json_text_of_an_older_store(sqlite_url: str, tmp_path: Path) -> None:
    source = Store.open(sqlite_url)
    target = Store.open(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    try:
        ingest(source, [write(tmp_path / "in.jsonl", history("ocds-doc-copy", 3))], workers=0)
        record = source.get_record("ocds-doc-copy")
        assert record is not None
        with source.writing() as conn:
            conn.execute(
                text("UPDATE records SET compiled = :c, versioned = :v"),
                {"c": json_text(record.compiled), "v": json_text(record.versioned)},
            )
        assert stored_forms(source) == {("text", "text")}
        copy_store(source, target)
        assert stored_forms(target) == {("blob", "blob")}
        assert target.get_record("ocds-doc-copy") == record
    finally:
        source.close()
        target.close()


def test_a_broken_blob_in_a_record_is_reported_by_the_store(sqlite_url: str, tmp_path: Path) -> None:
    store = Store.open(sqlite_url)
    try:
        ingest(store, [write(tmp_path / "in.jsonl", history("ocds-doc-bad", 2))], workers=0)
        with store.writing() as conn:
            conn.execute(text("UPDATE records SET compiled = X'28b52ffd00'"))
        with pytest.raises(StoreError, match=r"the record of ocds-doc-bad: a packed document \(5 bytes\)"):
            store.get_record("ocds-doc-bad")
    finally:
        store.close()
