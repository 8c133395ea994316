from __future__ import annotations

import gzip
import io
import json
from typing import TYPE_CHECKING, Any

import pytest

from tenderlens.export import ExportKind, export_items
from tenderlens.ingest import STREAM_COMPILE_BYTES, ingest, ingest_workers
from tenderlens.store import Store
from tenderlens.store.compiling import worker_count
from tests.helpers import by_ocid, shared_releases

if TYPE_CHECKING:
    from pathlib import Path


def release(ocid: str, rid: str, date: str = "2026-01-01T10:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"ocid": ocid, "id": rid, "date": date, "tag": ["tender"], "initiationType": "tender", **extra}


def package(*releases: dict[str, Any]) -> dict[str, Any]:
    return {
        "uri": "https://example.com/p.json",
        "version": "1.1",
        "publishedDate": "2026-01-01T00:00:00Z",
        "publisher": {"name": "Test"},
        "releases": list(releases),
    }


def snapshot(store: Store) -> dict[str, Any]:
    """Everything a user can get out of the store, for comparing two stores."""
    return {
        kind.value: list(export_items(store, kind))
        for kind in (ExportKind.RELEASES, ExportKind.COMPILED, ExportKind.VERSIONED)
    } | {"counts": store.counts()}


@pytest.mark.shared
def test_ingest_shared_data_then_again_is_a_no_op(store: Store, shared_data: Path) -> None:
    ocds = shared_data / "ocds"
    everything = shared_releases(ocds)
    distinct = {(r["ocid"], r["id"]) for r in everything}
    first = ingest(store, [ocds])
    assert first.rejected == 0
    assert first.unreadable_inputs == 0
    assert first.new == len(distinct)
    assert first.new + first.unchanged + first.replaced == len(everything)
    assert first.compiled_releases_published == 1  # the seed's record
    ocids = set(by_ocid(everything)) | {"ocds-h6vhtk-06a838"}
    assert first.records_compiled == len(ocids)
    before = snapshot(store)

    second = ingest(store, [ocds])
    assert (second.new, second.replaced, second.records_compiled) == (0, 0, 0)
    assert second.unchanged == len(everything)
    assert snapshot(store) == before


def test_republished_release_replaces_and_keeps_history(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(package(release("ocds-x-1", "r1", tender={"title": "Old"}))))
    ingest(store, [path])
    path.write_text(json.dumps(package(release("ocds-x-1", "r1", tender={"title": "New"}))))
    summary = ingest(store, [path])
    assert (summary.new, summary.replaced, summary.records_compiled) == (0, 1, 1)
    record = store.get_record("ocds-x-1")
    assert record is not None
    assert record.compiled["tender"]["title"] == "New"
    assert [h["data"]["tender"]["title"] for h in store.release_history("ocds-x-1")] == ["Old"]


def test_only_touched_ocids_are_recompiled(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(package(release("ocds-x-a", "1"), release("ocds-x-b", "1"))))
    ingest(store, [tmp_path / "a.json"])
    (tmp_path / "b.json").write_text(
        json.dumps(package(release("ocds-x-b", "2", date="2026-02-01T00:00:00Z")))
    )
    summary = ingest(store, [tmp_path / "a.json", tmp_path / "b.json"])
    assert summary.records_compiled == 1
    record = store.get_record("ocds-x-b")
    assert record is not None
    assert record.release_count == 2


def test_merge_order_is_the_instant_not_the_text(store: Store, tmp_path: Path) -> None:
    # 12:30+01:00 is 11:30Z: it comes BEFORE 12:00Z although its text sorts after it.
    early = release("ocds-x-t", "early", date="2026-06-01T12:30:00+01:00", tender={"title": "early"})
    late = release("ocds-x-t", "late", date="2026-06-01T12:00:00Z", tender={"title": "late"})
    (tmp_path / "p.json").write_text(json.dumps(package(late, early)))
    ingest(store, [tmp_path / "p.json"])
    record = store.get_record("ocds-x-t")
    assert record is not None
    assert record.compiled["tender"]["title"] == "late"
    assert record.compiled["date"] == "2026-06-01T12:00:00Z"


def test_bad_inputs_are_reported_and_the_rest_loads(store: Store, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(package(release("ocds-x-g", "1"))))
    ingest(store, [good])
    before = snapshot(store)

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a-truncated.json").write_text(
        json.dumps(package(release("ocds-x-t", "1"), release("ocds-x-t", "2")))[:-60]
    )
    (bad / "b-not-ocds.json").write_text('{"hello": "world"}')
    (bad / "c-garbage.json").write_bytes(bytes(range(256)) * 4)
    (bad / "d-empty.json.gz").write_bytes(b"")
    (bad / "e-corrupt.json.gz").write_bytes(gzip.compress(b'{"releases": []}')[:-8] + b"\x00" * 8)
    mixed = package(
        release("ocds-x-m", "1"),
        {"id": "no-ocid", "date": "2026-01-01T00:00:00Z"},
        {"ocid": "ocds-x-m", "id": "no-date"},
        release("ocds-x-m", "2"),
    )
    (bad / "f-mixed.json").write_text(json.dumps(mixed))
    summary = ingest(store, [bad])

    assert summary.rejected == 2  # the release without ocid, the one without date
    assert summary.unreadable_inputs >= 4  # truncated, not OCDS, garbage, empty gz, corrupt gz
    assert summary.exit_code == 1
    assert any("f-mixed.json" in p and "ocid" in p for p in summary.problems)
    assert any("a-truncated.json" in p for p in summary.problems)
    # The good releases of the mixed file loaded, and nothing stored earlier changed.
    assert {r.release_id for r in store.get_releases("ocds-x-m")} == {"1", "2"}
    after = snapshot(store)
    assert [r for r in after["releases"] if r["ocid"] == "ocds-x-g"] == before["releases"]


def test_standard_input(store: Store) -> None:
    lines = "\n".join(json.dumps(release("ocds-x-s", str(n))) for n in range(3))
    summary = ingest(store, ["-"], stdin=io.BytesIO(lines.encode()))
    assert summary.new == 3


def test_an_interrupted_ingest_rerun_gives_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    releases = [
        release(f"ocds-x-{n % 7}", f"r{n}", date=f"2026-01-{1 + n % 28:02d}T10:00:00Z") for n in range(60)
    ]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(package(*releases)))

    clean = Store.open(f"sqlite:///{tmp_path / 'clean.sqlite'}")
    ingest(clean, [path], batch_size=10)

    crashed = Store.open(f"sqlite:///{tmp_path / 'crashed.sqlite'}")
    real_write = Store.write_releases
    calls = {"n": 0}

    def dying_write(self: Store, batch: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_write(self, batch)

    monkeypatch.setattr(Store, "write_releases", dying_write)
    with pytest.raises(KeyboardInterrupt):
        ingest(crashed, [path], batch_size=10)
    monkeypatch.setattr(Store, "write_releases", real_write)
    assert 0 < crashed.counts()["releases"] < 60
    rerun = ingest(crashed, [path], batch_size=10)
    assert rerun.new == 60 - 20
    assert snapshot(crashed) | {"counts": None} == snapshot(clean) | {"counts": None}
    assert crashed.counts() == clean.counts()


@pytest.mark.parametrize(
    "date",
    [
        "2026-01-01T10:00:00Z",
        "2026-06-30T23:59:59.123456+01:00",
        "2026-03-29T01:30:00-05:30",
        "2026-10-25",
        "0999-12-31T23:00:00-02:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59+00:00",
        "2026-01-01T10:00:00",  # no offset: UK time
        "2026-06-02T99:99:99Z",  # an unreadable time: the day's UK midnight
        "1000-01-01T00:00:00+00:00",
    ],
)
def test_date_utc_is_utc_key_of_the_date(date: str) -> None:
    from tenderlens.ingest import _utc_key
    from tenderlens.ocds.dates import utc_key

    assert _utc_key(date) == utc_key(date)


def test_content_hash_is_sha256_of_sorted_key_json() -> None:
    import hashlib

    from tenderlens.ingest import _content_hash
    from tenderlens.store import json_text

    value = {"b": [1, {"z": 1, "a": 2}], "a": "é", "big": 2**70}
    assert _content_hash(value) == hashlib.sha256(json_text(value, canonical=True).encode()).hexdigest()
    small = {"b": 1, "a": "é"}
    assert _content_hash(small) == hashlib.sha256(b'{"a":"\xc3\xa9","b":1}').hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_compiling_in_a_worker_while_reading_gives_the_same_store(
    store_url: str, tmp_path: Path, workers: int
) -> None:
    """Streaming compile (workers compile settled ocids while later batches load) == compile at the end.

    Every tenth ocid gets a late release far down the input, so it is compiled once early and
    again when that release arrives; the result must not show it. With two workers, chunks
    finish out of order and an ocid's two compiles may run at once.
    """
    releases = []
    for n in range(1200):
        releases.append(
            release(f"ocds-s-{n:04d}", "a", date="2026-01-01T10:00:00Z", tender={"title": f"t{n}"})
        )
        releases.append(release(f"ocds-s-{n:04d}", "b", date="2026-01-02T10:00:00Z", tag=["tenderUpdate"]))
    late = [
        release(f"ocds-s-{n:04d}", "c", date="2026-01-03T10:00:00Z", tag=["award"])
        for n in range(0, 1200, 10)
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*releases, *late]))

    at_end = Store.open(f"sqlite:///{tmp_path / 'end.sqlite'}")
    ingest(at_end, [path], batch_size=100, workers=0)
    streamed = Store.open(store_url)
    try:
        summary = ingest(streamed, [path], batch_size=100, workers=workers)
        assert summary.records_compiled >= 1200
        assert streamed.counts()["pending compiles"] == 0
        assert snapshot(streamed) | {"counts": None} == snapshot(at_end) | {"counts": None}
        record = streamed.get_record("ocds-s-0010")
        assert record is not None
        assert record.release_count == 3
    finally:
        streamed.close()
        at_end.close()


def test_a_large_input_gets_the_default_workers_and_a_small_one_or_stdin_none(tmp_path: Path) -> None:
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    small.write_bytes(b"{}\n")
    with large.open("wb") as handle:
        handle.truncate(STREAM_COMPILE_BYTES)  # sparse: its size is what counts
    assert ingest_workers([small]) == 0
    assert ingest_workers([large]) == worker_count()
    assert ingest_workers([large, "-"]) == 0  # standard input's size is unknown
    assert ingest_workers([large], stdin=io.BytesIO(b"")) == 0
