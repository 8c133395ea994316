"""A long versioned release stored as a skeleton and pieces: the same document, read back whole.

The pure functions must give back exactly (key order included) what the merge gave; the store
must give back what ocdsmerge gives for the whole history, whether the record was compiled at
once or release by release, on both backends; an extension must read the skeleton, not the
whole document; and a piece that is missing, or a write built on pieces another writer has
since replaced, must never pass for the document.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import orjson
import pytest
from ocdsmerge import Merger
from sqlalchemy import delete, select

from tenderlens.compile import MERGE_RULES, compile_history, extend_compiled
from tenderlens.exceptions import StoreError
from tenderlens.ingest import compile_pending, incoming_release, ingest
from tenderlens.ocds.reader import ReadRelease
from tenderlens.records import compile_record
from tenderlens.store import Store
from tenderlens.store.compiling import CompiledFrom, compile_chunk
from tenderlens.store.schema import records as records_table
from tenderlens.store.schema import versioned_pieces
from tenderlens.versioned import SPLIT_AT, PiecesError, cut, join, split
from tests.test_records_incremental import history, write

if TYPE_CHECKING:
    from pathlib import Path

LONG = SPLIT_AT + 6


def text(document: Any) -> bytes:
    """As JSON text: equal only with the same keys in the same order."""
    return orjson.dumps(document)


def histories_lengths(document: Any) -> list[int]:
    """The length of every value's history in a versioned release."""
    found: list[int] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                if (
                    isinstance(value, list)
                    and value
                    and isinstance(value[-1], dict)
                    and "releaseID" in value[-1]
                ):
                    found.append(len(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return found


def ocdsmerge_versioned(releases: list[dict[str, Any]]) -> dict[str, Any]:
    versioned: dict[str, Any] = Merger(merge_rules=MERGE_RULES).create_versioned_release(
        copy.deepcopy(releases)
    )
    return versioned


# -- the pure functions -----------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 7, LONG])
def test_split_then_join_gives_the_document_back(count: int) -> None:
    versioned = compile_history(history("ocds-pc-1", count)).versioned
    before = text(versioned)
    skeleton, piece = split(versioned)
    assert text(versioned) == before, "split changed its input"
    assert set(histories_lengths(skeleton)) == {1}
    assert bool(piece) == (count > 1)
    assert text(join(skeleton, [orjson.loads(text(piece))])) == before


def test_extending_the_skeleton_release_by_release_equals_ocdsmerge() -> None:
    releases = history("ocds-pc-2", LONG)
    first = compile_history(releases[:3])
    skeleton, piece = split(first.versioned)
    compiled, pieces = first.compiled, [piece]
    for release in releases[3:]:
        compiled, skeleton, _ = extend_compiled(compiled, skeleton, [release])
        pieces.append(cut(skeleton, [release]))
        assert set(histories_lengths(skeleton)) == {1}, "cut left a grown history in the skeleton"
    whole = join(skeleton, [orjson.loads(text(piece)) for piece in pieces])
    assert text(whole) == text(ocdsmerge_versioned(releases))


def test_a_history_cut_missed_stays_whole_in_the_skeleton() -> None:
    releases = history("ocds-pc-3", 6)
    first = compile_history(releases[:2])
    skeleton, piece = split(first.versioned)
    _, skeleton, _ = extend_compiled(first.compiled, skeleton, releases[2:])
    # No cut at all: every grown history keeps its versions in the skeleton, and join still
    # gives the whole document.
    assert max(histories_lengths(skeleton)) > 1
    assert text(join(skeleton, [piece])) == text(ocdsmerge_versioned(releases))


def test_several_new_releases_in_one_extension_are_cut_in_one_piece() -> None:
    releases = history("ocds-pc-4", 9)
    first = compile_history(releases[:4])
    skeleton, piece = split(first.versioned)
    _, skeleton, _ = extend_compiled(first.compiled, skeleton, releases[4:])
    later = cut(skeleton, releases[4:])
    assert set(histories_lengths(skeleton)) == {1}
    assert text(join(skeleton, [piece, later])) == text(ocdsmerge_versioned(releases))


@pytest.mark.parametrize(
    "path",
    [["tender", "nothere"], ["tender", "items", 9, "quantity"], ["tender", "items"], ["ocid"], ["tender"]],
)
def test_a_piece_that_does_not_fit_the_skeleton_is_an_error(path: list[Any]) -> None:
    skeleton, _ = split(compile_history(history("ocds-pc-5", 3)).versioned)
    version = {"releaseID": "x", "releaseDate": "2026-01-01T00:00:00Z", "releaseTag": ["tender"], "value": 1}
    with pytest.raises(PiecesError, match="piece path"):
        join(skeleton, [[[path, [version]]]])


# -- in the store ------------------------------------------------------------------------------


def stored_pieces(store: Store, ocid: str) -> tuple[int | None, list[int]]:
    with store.engine.connect() as conn:
        count = conn.execute(select(records_table.c.pieces).where(records_table.c.ocid == ocid)).scalar_one()
        numbers = conn.execute(
            select(versioned_pieces.c.piece)
            .where(versioned_pieces.c.ocid == ocid)
            .order_by(versioned_pieces.c.piece)
        ).scalars()
        return count, list(numbers)


def test_a_long_record_at_once_and_release_by_release_equals_ocdsmerge(
    store_url: str, tmp_path: Path
) -> None:
    releases = history("ocds-pc-6", LONG)
    expected = ocdsmerge_versioned(releases)
    store = Store.open(store_url)
    try:
        for k, release in enumerate(releases):
            ingest(store, [write(tmp_path / f"step-{k}.jsonl", [release])], workers=0)
            record = store.get_record("ocds-pc-6")
            assert record is not None
            assert record.versioned == ocdsmerge_versioned(releases[: k + 1]), f"step {k}"
            count, numbers = stored_pieces(store, "ocds-pc-6")
            # Whole below SPLIT_AT; from there one piece more for each release that changed a value.
            if k + 1 < SPLIT_AT:
                assert (count, numbers) == (None, [])
            else:
                assert count == len(numbers) == k + 2 - SPLIT_AT
                assert numbers == list(range(count))
        stepwise = store.get_record("ocds-pc-6")
        assert stepwise is not None
        assert stepwise.versioned == expected

        store.mark_all_pending()
        compile_pending(store, workers=0)
        assert stored_pieces(store, "ocds-pc-6") == (1, [0]), "a full compile replaces the pieces"
        again = store.get_record("ocds-pc-6")
        assert again is not None
        assert again.versioned == expected
        assert [record.versioned for record in store.iter_records(["ocds-pc-6"])] == [expected]
    finally:
        store.close()


def test_an_extension_reads_the_skeleton_not_the_whole_document(store: Store, tmp_path: Path) -> None:
    releases = history("ocds-pc-7", LONG + 1)
    ingest(store, [write(tmp_path / "history.jsonl", releases[:-1])], workers=0)
    whole = store.get_record("ocds-pc-7")
    assert whole is not None
    ingest(store, [write(tmp_path / "new.jsonl", releases[-1:])], workers=0)
    with store.engine.connect() as conn:
        column = conn.execute(
            select(records_table.c.versioned).where(records_table.c.ocid == "ocds-pc-7")
        ).scalar_one()
    assert set(histories_lengths(column)) == {1}, "the stored column is the skeleton"
    assert len(text(column)) < len(text(whole.versioned)) / 2
    record = store.get_record("ocds-pc-7")
    assert record is not None
    assert record.versioned == ocdsmerge_versioned(releases)


def test_a_missing_piece_is_an_error_not_a_shorter_history(store: Store, tmp_path: Path) -> None:
    releases = history("ocds-pc-8", LONG)
    ingest(store, [write(tmp_path / "history.jsonl", releases[:-1])], workers=0)
    ingest(store, [write(tmp_path / "new.jsonl", releases[-1:])], workers=0)
    assert stored_pieces(store, "ocds-pc-8") == (2, [0, 1])
    with store.writing() as conn:
        conn.execute(delete(versioned_pieces).where(versioned_pieces.c.piece == 0))
    with pytest.raises(StoreError, match=r"ocds-pc-8 is incomplete: pieces \[1\] stored"):
        store.get_record("ocds-pc-8")


def test_an_extension_built_on_pieces_replaced_meanwhile_is_not_written(store: Store, tmp_path: Path) -> None:
    releases = history("ocds-pc-9", LONG + 1)
    ingest(store, [write(tmp_path / "history.jsonl", releases[:-2])], workers=0)
    ingest(store, [write(tmp_path / "next.jsonl", releases[-2:-1])], workers=0)
    assert stored_pieces(store, "ocds-pc-9") == (2, [0, 1])
    # The last release is stored, and its extension compiled from the two-piece skeleton...
    store.write_releases([incoming_release(ReadRelease(releases[-1], "test", "test", ()))])
    pending = store.load_pending(["ocds-pc-9"])
    assert pending[0].base is not None
    assert pending[0].base.pieces == 2
    rows = compile_chunk(compile_record, pending)
    assert rows[0].keeps_pieces == 2
    # ...when another writer compiles the same releases whole, replacing the pieces.
    store.mark_all_pending()
    compile_pending(store, workers=0)
    assert stored_pieces(store, "ocds-pc-9") == (1, [0])
    # The same releases, so only the pieces tell the extension is stale: it is not written.
    compiled_from = [CompiledFrom(item.ocid, item.state) for item in pending]
    assert store._write_compiled(compiled_from, rows) == 0
    assert stored_pieces(store, "ocds-pc-9") == (1, [0])
    record = store.get_record("ocds-pc-9")
    assert record is not None
    assert record.versioned == ocdsmerge_versioned(releases)
