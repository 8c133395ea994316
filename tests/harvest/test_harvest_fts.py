"""Harvesting Find a Tender from a fake FTS on 127.0.0.1: exact windows, faults, checkpoints."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from tenderlens.export import ExportKind, export_items
from tenderlens.harvest import harvest, harvest_ocid
from tenderlens.store.schema import release_history, releases
from tests.harvest.conftest import FAST
from tests.harvest.fake_services import FakeAPI, generate_fts, held, shared_releases, spread

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from tenderlens.store import Store

pytestmark = pytest.mark.network

DAY = timedelta(days=1)


def stored_keys(store: Store) -> set[tuple[str, str]]:
    return {(r.ocid, r.release_id) for r in store.iter_releases()}


def row_count(store: Store, table: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def snapshot(store: Store) -> dict[str, Any]:
    return {
        kind.value: list(export_items(store, kind))
        for kind in (ExportKind.RELEASES, ExportKind.COMPILED, ExportKind.VERSIONED)
    } | {"counts": store.counts()}


@pytest.fixture
def fts(fake_api: FakeAPI, origin: datetime) -> FakeAPI:
    """1,200 generated FTS releases over ten days (plus one on every 6-hour edge), pages of 30."""
    fake_api.services["fts"].add(generate_fts(1200, origin, 10 * DAY))
    fake_api.page_size = 30
    return fake_api


def test_every_fault_and_still_exactly_the_window(store: Store, fts: FakeAPI, origin: datetime) -> None:
    faults = {2: "429", 5: "503", 8: "504", 11: "slow", 14: "truncate", 17: "cut", 20: "reset", 23: "500"}
    fts.inject("fts", faults | {26: "html", 29: "429", 32: "502"})
    fts.slow_seconds = 1.5
    start, end = origin + DAY, origin + 9 * DAY
    summary = harvest(store, "fts", FAST.replace(timeout=0.5), start=start, end=end, base_url=fts.url)

    assert summary.error is None, summary.error
    expected = fts.services["fts"].expected(start, end)
    assert stored_keys(store) == expected  # nothing lost, nothing from outside the window
    assert row_count(store, releases) == len(expected)  # nothing twice
    assert row_count(store, release_history) == 0
    assert (summary.windows, summary.windows_done) == (32, 32)
    assert summary.new == len(expected)
    assert summary.unchanged == 31  # the releases on the edges between windows, fetched twice
    assert summary.checkpoint == "{}Z".format(end.strftime("%Y-%m-%dT%H:%M:%S"))
    assert summary.rejected == 0
    assert summary.records_compiled >= len({ocid for ocid, _ in expected})
    assert store.counts()["pending compiles"] == 0
    assert store.counts()["records"] == len({ocid for ocid, _ in expected})
    served = fts.served("fts")
    assert {entry.fault for entry in served if entry.fault} == set(faults.values()) | {"html", "502"}
    assert summary.requests == len(served)
    assert fts.max_in_flight["fts"] == 1
    state = store.harvest_state("fts")
    assert state is not None
    assert state.checkpoint == summary.checkpoint
    assert state.last_success_at is not None
    assert state.last_error is None


def test_known_number_quirks_are_repaired_and_recorded(store: Store, fts: FakeAPI, origin: datetime) -> None:
    summary = harvest(store, "fts", FAST, start=origin, end=origin + DAY, base_url=fts.url)
    assert summary.error is None
    assert summary.repaired > 0
    by_id = {r.release_id: r for r in store.iter_releases()}
    out_of_range = by_id["000007-2026"]
    assert "amountGross" not in out_of_range.data["tender"]["value"]
    assert any("1E+9999" in repair or "1e9999" in repair for repair in out_of_range.repairs)
    leading_zeros = by_id["000013-2026"]
    assert leading_zeros.data["tender"]["items"][0]["quantity"] == 0
    assert any("000" in repair for repair in leading_zeros.repairs)
    assert out_of_range.source.startswith(f"{fts.url}/api/1.0/ocdsReleasePackages?updatedFrom=")


def test_the_same_window_twice_changes_nothing(store: Store, fts: FakeAPI, origin: datetime) -> None:
    start, end = origin + 2 * DAY, origin + 4 * DAY
    first = harvest(store, "fts", FAST, start=start, end=end, base_url=fts.url)
    before = snapshot(store)
    second = harvest(store, "fts", FAST, start=start, end=end, base_url=fts.url)
    assert first.new > 0
    assert (second.new, second.replaced, second.records_compiled) == (0, 0, 0)
    assert second.unchanged == first.new + first.unchanged
    assert snapshot(store) == before


def test_a_long_cursor_chain(store: Store, fake_api: FakeAPI, origin: datetime) -> None:
    fake_api.services["fts"].add(generate_fts(400, origin, timedelta(hours=5)))
    fake_api.page_size = 3
    summary = harvest(
        store, "fts", FAST, start=origin, end=origin + timedelta(hours=6), base_url=fake_api.url
    )
    assert summary.error is None
    assert summary.pages == 134  # 401 releases, 3 a page
    expected = fake_api.services["fts"].expected(origin, origin + timedelta(hours=6))
    assert stored_keys(store) == expected
    cursors = [entry.query.get("cursor") for entry in fake_api.served("fts")]
    assert cursors[0] is None
    assert all(cursors[1:])
    assert len(set(cursors[1:])) == 133


def test_a_failing_window_keeps_the_checkpoint_and_the_next_run_completes(
    store: Store, fts: FakeAPI, origin: datetime
) -> None:
    broken = (origin + 2 * DAY).strftime("%Y-%m-%dT%H:%M:%S")
    fts.rules.append(lambda _source, _path, query: "503" if query.get("updatedFrom") == broken else None)
    end = origin + 4 * DAY
    failed = harvest(store, "fts", FAST.replace(attempts=3), start=origin, end=end, base_url=fts.url)
    assert failed.error is not None
    assert "HTTP 503" in failed.error
    assert "gave up after 3 tries" in failed.error
    assert failed.exit_code == 1
    assert failed.windows_done == 8
    assert failed.checkpoint == broken + "Z"
    state = store.harvest_state("fts")
    assert state is not None
    assert state.checkpoint == broken + "Z"
    assert state.last_error == failed.error
    assert state.last_error_at is not None
    assert state.last_success_at is None

    fts.rules.clear()
    resumed = harvest(store, "fts", FAST, end=end, base_url=fts.url)  # no start: from the checkpoint
    assert resumed.error is None
    assert resumed.start == (origin + 2 * DAY - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stored_keys(store) == fts.services["fts"].expected(origin, end)
    assert store.counts()["pending compiles"] == 0


def test_the_checkpoint_only_moves_over_windows_that_join_on(
    store: Store, fts: FakeAPI, origin: datetime
) -> None:
    def run(start_day: float, end_day: float) -> str | None:
        result = harvest(
            store, "fts", FAST, start=origin + start_day * DAY, end=origin + end_day * DAY, base_url=fts.url
        )
        assert result.error is None
        state = store.harvest_state("fts")
        assert state is not None
        assert result.checkpoint == state.checkpoint
        return state.checkpoint

    def text(day: float) -> str:
        return (origin + day * DAY).strftime("%Y-%m-%dT%H:%M:%SZ")

    assert run(5, 6) == text(6)  # no checkpoint yet: it starts here
    assert run(8, 9) == text(6)  # a gap after the checkpoint: it stays
    assert run(1, 3) == text(6)  # before it: it never moves back
    assert run(5.5, 8.5) == text(8.5)  # joins on: it moves over the whole run
    assert stored_keys(store) == fts.services["fts"].expected(origin + DAY, origin + 9 * DAY) - (
        fts.services["fts"].keys()
        - fts.services["fts"].expected(origin + DAY, origin + 3 * DAY)
        - fts.services["fts"].expected(origin + 5 * DAY, origin + 9 * DAY)
    )


def test_ocid_fetches_one_record_package(store: Store, fts: FakeAPI) -> None:
    ocid = "ocds-h6vhtk-0a0005"
    summary = harvest_ocid(store, "fts", ocid, FAST, base_url=fts.url)
    assert summary.error is None
    assert stored_keys(store) == {(ocid, "000015-2026"), (ocid, "000016-2026"), (ocid, "000017-2026")}
    assert store.get_record(ocid) is not None
    state = store.harvest_state("fts")
    assert state is not None
    assert state.checkpoint is None  # one process: the checkpoint is untouched
    missing = harvest_ocid(store, "fts", "ocds-h6vhtk-ffffff", FAST, base_url=fts.url)
    assert missing.error is not None
    assert "HTTP 404" in missing.error


def test_a_rejected_release_is_reported_and_the_rest_load(
    store: Store, fake_api: FakeAPI, origin: datetime
) -> None:
    fake_api.services["fts"].add(generate_fts(20, origin, timedelta(hours=4)))
    undated = {"ocid": "ocds-h6vhtk-0c0000", "id": "000999-2026", "tag": ["tender"]}
    fake_api.services["fts"].add([held(undated, origin + timedelta(hours=1))])
    summary = harvest(
        store, "fts", FAST, start=origin, end=origin + timedelta(hours=6), base_url=fake_api.url
    )
    assert summary.rejected == 1
    assert summary.exit_code == 1
    assert summary.error is None
    assert summary.checkpoint is not None  # a bad release is the publisher's; fetching again would not help
    assert len(summary.problems) == 1
    assert summary.problems[0].startswith(f"{fake_api.url}/api/1.0/ocdsReleasePackages?")
    assert "date" in summary.problems[0]
    assert len(stored_keys(store)) == 21


@pytest.mark.shared
def test_real_fts_releases_round_trip(
    store: Store, fake_api: FakeAPI, origin: datetime, shared_data: Path
) -> None:
    real = shared_releases(sorted((shared_data / "ocds" / "fts").rglob("*.json")))
    assert len(real) == 15
    fake_api.services["fts"].add(spread(real, origin, 2 * DAY))
    summary = harvest(store, "fts", FAST, start=origin, end=origin + 2 * DAY, base_url=fake_api.url)
    assert summary.error is None
    assert summary.new == 15
    stored = {(r.ocid, r.release_id): r for r in store.iter_releases()}
    for release in real:
        kept = stored[(release["ocid"], release["id"])]
        if not kept.repairs:
            assert kept.data == release
    assert summary.repaired >= 1  # 002109-2021 has deliveryAddresses as an object


@pytest.mark.slow
def test_thousands_of_releases_over_weeks_of_windows_on_a_hostile_server(
    store: Store, fake_api: FakeAPI, origin: datetime
) -> None:
    """3,000 releases over three weeks (84 six-hour windows), a fault on every seventh request."""
    fake_api.services["fts"].add(generate_fts(3000, origin - 2 * DAY, 25 * DAY))
    kinds = ("429", "503", "504", "truncate", "cut", "reset", "500", "html", "502")
    fake_api.rules.append(
        lambda source, _path, _query: (
            kinds[fake_api.counts[source] // 7 % len(kinds)] if fake_api.counts[source] % 7 == 0 else None
        )
    )
    start, end = origin, origin + 21 * DAY
    summary = harvest(store, "fts", FAST, start=start, end=end, base_url=fake_api.url)

    assert summary.error is None, summary.error
    expected = fake_api.services["fts"].expected(start, end)
    assert len(expected) > 2000
    assert stored_keys(store) == expected
    assert row_count(store, releases) == len(expected)
    assert (summary.windows, summary.windows_done) == (84, 84)
    assert len({entry.fault for entry in fake_api.served("fts") if entry.fault}) == len(kinds)
