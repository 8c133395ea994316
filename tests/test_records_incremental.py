"""Incremental recompile: one new release costs one release, and gives what a full compile gives.

A history ingested release by release (each ingest a harvest bringing one more release) must
equal the same history ingested at once, and both must equal ocdsmerge. Each later step must
merge only the new release; a release that sorts before the merged ones, a replaced release,
or a forced recompile (``mark_all_pending``) must merge the whole history again.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import orjson
import pytest
from ocdsmerge import Merger
from sqlalchemy import Text, case, literal, select, update

from tenderlens import ingest as ingest_module
from tenderlens import records
from tenderlens.compile import MERGE_RULES
from tenderlens.ingest import ingest
from tenderlens.store import Store
from tenderlens.store import store as store_module
from tenderlens.store.schema import records as records_table
from tenderlens.store.schema import releases as releases_table

if TYPE_CHECKING:
    from pathlib import Path


def history(ocid: str, count: int) -> list[dict[str, Any]]:
    """A process growing release by release: tender, updates with new items and lots, an award."""
    releases = []
    for k in range(count):
        release: dict[str, Any] = {
            "ocid": ocid,
            "id": f"{ocid}-{k}",
            "date": f"2026-0{1 + k // 28}-{1 + k % 28:02d}T10:00:00+01:00"
            if k % 2
            else f"2026-0{1 + k // 28}-{1 + k % 28:02d}T09:30:00Z",
            "tag": ["tender"] if k == 0 else (["award"] if k == count - 1 else ["tenderUpdate"]),
            "initiationType": "tender",
            "parties": [{"id": "B1", "name": f"Buyer v{k}", "roles": ["buyer"]}],
            "buyer": {"id": "B1"},
            "tender": {
                "id": "T",
                "title": f"Title {k}",
                "items": [{"id": str(i), "quantity": k + i} for i in range(1 + k % 3)],
                "lots": [{"id": "1", "title": f"Lot {k}"}],
                "documents": [
                    {"id": f"{ocid}-{k}", "noticeType": "UK4", "datePublished": "2026-01-01T00:00:00Z"}
                ],
            },
        }
        if k == count - 1:
            release["awards"] = [
                {"id": "A1", "status": "active", "value": {"amount": 100 + k, "currency": "GBP"}}
            ]
        releases.append(release)
    return releases


def write(path: Path, releases: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(release) + "\n" for release in releases))
    return path


class MergeCounter:
    """Counts the releases handed to the merge engine, whole histories and extensions apart."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.whole: list[int] = []
        self.extended: list[int] = []
        real_merge, real_extend = records._merge, records.extend_compiled

        def merge(ordered: Any) -> Any:
            self.whole.append(len(ordered))
            return real_merge(ordered)

        def extend(compiled: Any, versioned: Any, new: Any) -> Any:
            self.extended.append(len(new))
            return real_extend(compiled, versioned, new)

        monkeypatch.setattr(records, "_merge", merge)
        monkeypatch.setattr(records, "extend_compiled", extend)

    def reset(self) -> None:
        self.whole.clear()
        self.extended.clear()


def stored(store: Store, ocid: str) -> tuple[Any, Any, Any]:
    record = store.get_record(ocid)
    assert record is not None
    return record.compiled, record.versioned, (record.notice_type, record.stage, record.title, record.notes)


def test_release_by_release_equals_at_once_equals_ocdsmerge(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    releases = history("ocds-inc-1", 8)
    counter = MergeCounter(monkeypatch)
    stepwise = Store.open(store_url)
    at_once = Store.open(f"sqlite:///{tmp_path / 'once.sqlite'}")
    try:
        for k, release in enumerate(releases):
            counter.reset()
            ingest(stepwise, [write(tmp_path / f"step-{k}.jsonl", [release])], workers=0)
            if k == 0:
                assert (counter.whole, counter.extended) == ([1], [])
            else:
                assert (counter.whole, counter.extended) == ([], [1]), f"step {k}"
        ingest(at_once, [write(tmp_path / "all.jsonl", releases)], workers=0)
        assert stored(stepwise, "ocds-inc-1") == stored(at_once, "ocds-inc-1")

        merger = Merger(merge_rules=MERGE_RULES)
        compiled, versioned, _ = stored(stepwise, "ocds-inc-1")
        assert compiled == merger.create_compiled_release(copy.deepcopy(releases))
        assert versioned == merger.create_versioned_release(copy.deepcopy(releases))
    finally:
        stepwise.close()
        at_once.close()


def test_out_of_order_or_replaced_releases_recompile_the_whole_history(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    releases = history("ocds-inc-2", 5)
    counter = MergeCounter(monkeypatch)
    ingest(store, [write(tmp_path / "first.jsonl", [releases[0], releases[2]])], workers=0)
    counter.reset()
    ingest(store, [write(tmp_path / "late.jsonl", [releases[1]])], workers=0)  # sorts before releases[2]
    assert (counter.whole, counter.extended) == ([3], [])

    counter.reset()
    ingest(store, [write(tmp_path / "next.jsonl", [releases[3]])], workers=0)
    assert (counter.whole, counter.extended) == ([], [1])

    counter.reset()
    changed = {**releases[3], "tender": {**releases[3]["tender"], "title": "Corrected"}}
    ingest(store, [write(tmp_path / "replaced.jsonl", [changed, releases[4]])], workers=0)
    assert (counter.whole, counter.extended) == ([5], [])

    counter.reset()
    store.mark_all_pending()
    assert store.compile_pending(records.compile_record, workers=0) == 1
    assert (counter.whole, counter.extended) == ([5], [])

    fresh = Store.open(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    try:
        ingest(fresh, [write(tmp_path / "all.jsonl", [*releases[:3], changed, releases[4]])], workers=0)
        assert stored(store, "ocds-inc-2") == stored(fresh, "ocds-inc-2")
    finally:
        fresh.close()


def test_a_history_needing_the_workaround_is_not_extended(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    releases = history("ocds-inc-3", 3)
    releases[0]["tender"] = None  # object-level null, then fields inside it: ocdsmerge cannot merge it
    counter = MergeCounter(monkeypatch)
    ingest(store, [write(tmp_path / "a.jsonl", releases[:2])], workers=0)
    record = store.get_record("ocds-inc-3")
    assert record is not None
    assert any("object-level nulls" in note for note in record.notes)
    counter.reset()
    ingest(store, [write(tmp_path / "b.jsonl", releases[2:])], workers=0)
    assert counter.extended == []
    assert counter.whole == [3]


class CompileRecorder:
    """The compiles ingest runs: how many releases each was handed, with or without a base, and what it gave."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[int, bool]] = []
        self.facts: list[Any] = []
        real = records.compile_record

        def compile_record(ocid: str, releases: Any, published: Any, *, base: Any = None) -> Any:
            self.calls.append((len(releases), base is not None))
            facts = real(ocid, releases, published, base=base)
            self.facts.append(facts)
            return facts

        monkeypatch.setattr(ingest_module, "compile_record", compile_record)


def varied_history(ocid: str, count: int) -> list[dict[str, Any]]:
    """:func:`history` with what the listing reads of earlier releases varied: missing, empty or
    kind-less notice documents (the compiled release's document is read then), a notice
    restated by a later release, a lone-string tag."""
    releases = history(ocid, count)
    for k, release in enumerate(releases):
        docs = release["tender"]["documents"]
        if k % 4 == 1:
            # its own notice document states no type
            docs[0] = {"id": release["id"], "documentType": "tenderNotice", "datePublished": release["date"]}
            # and it restates the previous notice's: the compiled release's differs from the release's own
            docs.append({"id": releases[k - 1]["id"], "noticeType": "UK6"})
        elif k % 4 == 2:
            release["tender"]["documents"] = []  # none: the compiled release's is read
        elif k % 4 == 3:
            docs[0]["noticeType"] = f"UK{1 + k % 6}"
            docs[0]["description"] = "Contract award notice"
        if k == 2:
            release["tag"] = "planningUpdate"
    return releases


def test_one_new_release_is_all_a_compile_reads_and_it_lists_as_a_full_compile(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    releases = varied_history("ocds-h6vhtk-0inc04", 9)
    recorder = CompileRecorder(monkeypatch)
    stepwise = Store.open(store_url)
    try:
        for k, release in enumerate(releases):
            recorder.calls.clear()
            ingest(stepwise, [write(tmp_path / f"step-{k}.jsonl", [release])], workers=0)
            assert recorder.calls == [(1, k > 0)], f"step {k}"
            full = records.compile_record(
                "ocds-h6vhtk-0inc04", [(dict(r), seq) for seq, r in enumerate(releases[: k + 1])], None
            )
            # Documents, listing, search entry and kept facts (merged_seq is the store's ingest order).
            assert replace(recorder.facts[-1], merged_seq=0) == replace(full, merged_seq=0), f"step {k}"
            assert full.search is not None
    finally:
        stepwise.close()


def test_listing_from_stored_facts_equals_listing_from_releases() -> None:
    from tenderlens.reference import default_reference
    from tenderlens.search.listing import ReleaseFacts, listing, listing_from_facts, release_facts
    from tests.test_records_listing import expected as notice_listing

    for count in (1, 2, 5, 9):
        releases: list[Any] = varied_history("ocds-b5fd17-0inc05", count)
        compiled, _, _ = records.merge(releases)
        for history_given in (releases, [*releases, "not an object"], [7, *releases]):
            facts = [release_facts(release) for release in history_given]
            kept = orjson.loads(orjson.dumps([None if f is None else f.to_json() for f in facts]))
            again = [ReleaseFacts.from_json(entry) for entry in kept]
            assert again == facts
            got = listing_from_facts(compiled, again, default_reference(), "contracts-finder")
            assert got == listing(compiled, history_given, default_reference(), "contracts-finder")
        assert got == notice_listing(compiled, releases)  # what the notice page shows


def test_a_new_release_that_cannot_extend_the_record_recompiles_the_whole_history(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = {"ocid": "ocds-inc-6", "id": "r1", "date": "2026-06-01T00:00:00Z", "awards": [{"id": 1}]}
    second = {"ocid": "ocds-inc-6", "id": "r2", "date": "2026-06-02T00:00:00Z", "awards": [{"id": "1"}]}
    ingest(store, [write(tmp_path / "a.jsonl", [first])], workers=0)
    recorder = CompileRecorder(monkeypatch)
    ingest(store, [write(tmp_path / "b.jsonl", [second])], workers=0)
    assert recorder.calls == [(1, True), (2, False)]  # ids 1 and "1": irregular, so merged whole
    assert store.counts()["pending compiles"] == 0
    merger = Merger(merge_rules=MERGE_RULES)
    compiled, versioned, _ = stored(store, "ocds-inc-6")
    assert compiled == merger.create_compiled_release([copy.deepcopy(first), copy.deepcopy(second)])
    assert versioned == merger.create_versioned_release([copy.deepcopy(first), copy.deepcopy(second)])


def test_records_without_stored_facts_are_compiled_from_their_whole_history(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records stored before migration 0007 (no ``history``), or with facts that do not fit."""
    releases = history("ocds-inc-7", 4)
    ingest(store, [write(tmp_path / "a.jsonl", releases[:2])], workers=0)
    recorder = CompileRecorder(monkeypatch)
    with store.writing() as conn:
        conn.execute(update(records_table).values(history=None))
    ingest(store, [write(tmp_path / "b.jsonl", releases[2:3])], workers=0)
    assert recorder.calls == [(3, False)]
    with store.writing() as conn:
        conn.execute(update(records_table).values(history="[]"))  # one release's facts, not two
    recorder.calls.clear()
    ingest(store, [write(tmp_path / "c.jsonl", releases[3:])], workers=0)
    assert recorder.calls == [(1, True), (4, False)]
    full = records.compile_record("ocds-inc-7", [(r, seq) for seq, r in enumerate(releases)], None)
    assert replace(recorder.facts[-1], merged_seq=0) == replace(full, merged_seq=0)


def test_a_merged_release_with_unsortable_date_text_recompiles_the_whole_history(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ingest normalises every date it accepts; text that does not sort as the instant can only
    # come from an older store, and the order check must not trust it.
    releases = history("ocds-inc-odd", 3)
    ingest(store, [write(tmp_path / "a.jsonl", releases[:2])], workers=0)
    with store.writing() as conn:
        conn.execute(
            update(releases_table)
            .where(releases_table.c.release_id == "ocds-inc-odd-0")
            .values(date_utc="2026-01-01T09:30:00Z\n")
        )
    counter = MergeCounter(monkeypatch)
    ingest(store, [write(tmp_path / "b.jsonl", releases[2:])], workers=0)
    assert (counter.whole, counter.extended) == ([3], [])


def test_a_new_release_at_the_same_instant_as_the_latest_merged_one_extends(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    releases = history("ocds-inc-same", 3)
    releases[2]["date"] = releases[1]["date"]  # a tie sorts by ingest order: the new one is last
    ingest(store, [write(tmp_path / "a.jsonl", releases[:2])], workers=0)
    counter = MergeCounter(monkeypatch)
    ingest(store, [write(tmp_path / "b.jsonl", releases[2:])], workers=0)
    assert (counter.whole, counter.extended) == ([], [1])
    compiled, versioned, _ = stored(store, "ocds-inc-same")
    merger = Merger(merge_rules=MERGE_RULES)
    assert compiled == merger.create_compiled_release(copy.deepcopy(releases))
    assert versioned == merger.create_versioned_release(copy.deepcopy(releases))


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-02T09:00:00.000000Z",
        "0999-12-31T23:59:59.999999Z",
        "2026-01-02T09:00:00.000000Z\n",
        "2026-01-02T09:00:00Z",
        "2026-01-02 09:00:00.000000Z",
        "2026-01-02T09:00:00.000000+",
        "x026-01-02T09:00:00.000000Z",
        "2026-01-02T09:00:00.0000000Z",
        "",
    ],
)
def test_the_sql_sortable_date_check_is_the_python_one(store: Store, value: str) -> None:
    column = literal(value, Text)
    with store.reading() as conn:
        in_sql = conn.execute(select(case((store_module._sortable_utc(column), True), else_=False))).scalar()
    assert bool(in_sql) == bool(store_module._SORTABLE_UTC.fullmatch(value))
