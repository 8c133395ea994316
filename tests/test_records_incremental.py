"""Incremental recompile: one new release costs one release, and gives what a full compile gives.

A history ingested release by release (each ingest a harvest bringing one more release) must
equal the same history ingested at once, and both must equal ocdsmerge. Each later step must
merge only the new release; a release that sorts before the merged ones, a replaced release,
or a forced recompile (``mark_all_pending``) must merge the whole history again.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from ocdsmerge import Merger

from tenderlens import records
from tenderlens.compile import MERGE_RULES
from tenderlens.ingest import ingest
from tenderlens.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


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
