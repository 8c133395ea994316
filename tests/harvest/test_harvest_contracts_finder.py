"""Harvesting Contracts Finder from a fake CF on 127.0.0.1: 403s, ISO-8859-1, 15-day windows."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from tenderlens.harvest import harvest, harvest_ocid
from tests.harvest.conftest import FAST
from tests.harvest.fake_services import FakeAPI, generate_cf, shared_releases, spread

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from tenderlens.store import Store

pytestmark = pytest.mark.network

DAY = timedelta(days=1)


@pytest.fixture
def cf(fake_api: FakeAPI, origin: datetime) -> FakeAPI:
    fake_api.services["contracts-finder"].add(generate_cf(600, origin, 28 * DAY))
    return fake_api


def test_403_rate_limit_iso_8859_1_and_exactly_the_window(
    store: Store, cf: FakeAPI, origin: datetime
) -> None:
    cf.inject("contracts-finder", {2: "403", 3: "403", 5: "503", 7: "truncate"})
    start, end = origin + DAY, origin + 28 * DAY
    summary = harvest(store, "contracts-finder", FAST, start=start, end=end, base_url=cf.url)
    assert summary.error is None, summary.error
    assert (summary.windows, summary.windows_done) == (2, 2)  # 27 days in windows of at most 15
    service = cf.services["contracts-finder"]
    expected = service.expected(start, end)
    stored = {(r.ocid, r.release_id): r for r in store.iter_releases()}
    assert set(stored) == expected
    assert summary.new == len(expected)
    statuses = [entry.status for entry in cf.served("contracts-finder")]
    assert statuses.count(403) == 2
    # Bodies came as ISO-8859-1 (characters beyond it as JSON escapes); stored text is exact.
    for item in service.window(start, end):
        assert stored[item.key].data == item.release
    sample = stored[next(iter(sorted(expected)))].data
    assert sample["tender"]["title"].startswith("Café refurbishment £")
    assert "–" in sample["tender"]["title"]
    assert sample["parties"][0]["name"] == "Ørsted Öffentlich"


def test_windows_ask_for_published_dates(store: Store, cf: FakeAPI, origin: datetime) -> None:
    harvest(store, "contracts-finder", FAST, start=origin, end=origin + 20 * DAY, base_url=cf.url)
    first = [entry.query for entry in cf.served("contracts-finder") if "cursor" not in entry.query]
    assert [(q["publishedFrom"], q["publishedTo"]) for q in first] == [
        (origin.strftime("%Y-%m-%dT%H:%M:%S"), (origin + 15 * DAY).strftime("%Y-%m-%dT%H:%M:%S")),
        (
            (origin + 15 * DAY).strftime("%Y-%m-%dT%H:%M:%S"),
            (origin + 20 * DAY).strftime("%Y-%m-%dT%H:%M:%S"),
        ),
    ]
    assert all(q["limit"] == "100" for q in first)


def test_ocid_fetches_a_contracts_finder_record(store: Store, cf: FakeAPI) -> None:
    item = cf.services["contracts-finder"].releases[10]
    summary = harvest_ocid(store, "contracts-finder", item.ocid, FAST, base_url=cf.url)
    assert summary.error is None
    assert summary.new == 1
    [release] = store.get_releases(item.ocid)
    assert release.data == item.release
    assert release.source == f"{cf.url}/Published/OCDS/Record/{item.ocid}"


@pytest.mark.shared
def test_real_contracts_finder_releases(
    store: Store, fake_api: FakeAPI, origin: datetime, shared_data: Path
) -> None:
    folder = shared_data / "ocds" / "contracts-finder"
    real = shared_releases(sorted(folder.glob("*.json")))
    assert len(real) == 200
    fake_api.services["contracts-finder"].add(spread(real, origin, 10 * DAY))
    fake_api.page_size = 50
    summary = harvest(
        store, "contracts-finder", FAST, start=origin, end=origin + 10 * DAY, base_url=fake_api.url
    )
    assert summary.error is None
    assert summary.new == 200
    assert summary.pages == 4
    stored = {(r.ocid, r.release_id): r.data for r in store.iter_releases()}
    # Characters beyond ISO-8859-1 in the real data (the publisher's mojibake, "€") were escaped
    # by the server and come back exactly.
    assert all(stored[(r["ocid"], r["id"])] == json.loads(json.dumps(r)) for r in real)
    assert store.counts()["records"] == len({r["ocid"] for r in real})
