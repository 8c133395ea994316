"""The source declarations: one contract test over every registered source, and the defaults."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tenderlens.harvest import SOURCES, HarvestSettings, Source
from tenderlens.harvest.base import split_windows
from tenderlens.harvest.harvester import plan, window_size
from tenderlens.harvest.sources import ContractsFinder, FindATender

ATTRIBUTES = (
    "name",
    "title",
    "base_url",
    "path",
    "record_path",
    "from_param",
    "to_param",
    "date_format",
    "max_window",
    "limit_param",
    "rate_limit_statuses",
    "rate_limit_wait",
    "min_interval",
    "encoding",
    "ocid_prefix",
)


@pytest.mark.parametrize("source", list(SOURCES.values()), ids=list(SOURCES))
def test_every_source_declares_every_attribute(source: type[Source]) -> None:
    for name in ATTRIBUTES:
        assert getattr(source, name, None) is not None, name
    assert SOURCES[source.name] is source
    assert source.base_url.startswith("https://")
    assert source.path.startswith("/")
    assert "{ocid}" in source.record_path
    assert source.max_window > timedelta(0)
    assert source.min_interval > 0
    assert source.rate_limit_wait > 0
    assert source.rate_limit_statuses


@pytest.mark.parametrize("source", list(SOURCES.values()), ids=list(SOURCES))
def test_search_url_carries_the_window_and_the_page_size(source: type[Source]) -> None:
    start = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
    end = datetime(2026, 6, 1, 12, 0, 30, tzinfo=UTC)
    url = source.search_url(start, end, 100)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == source.base_url
    assert parts.path == source.path
    query = parse_qs(parts.query)
    assert query[source.from_param] == ["2026-06-01T06:00:00"]
    assert query[source.to_param] == ["2026-06-01T12:00:30"]
    assert query[source.limit_param] == ["100"]
    assert ":" in parts.query  # written as the services write it, not %3A
    mirrored = source.search_url(start, end, 7, "http://127.0.0.1:8080/")
    assert mirrored.startswith(f"http://127.0.0.1:8080{source.path}?")


def test_window_instants_are_sent_in_utc() -> None:
    bst = datetime.fromisoformat("2026-06-01T07:00:00+01:00")
    url = FindATender.search_url(bst, bst + timedelta(hours=6), 100)
    assert "updatedFrom=2026-06-01T06:00:00" in url
    assert "updatedTo=2026-06-01T12:00:00" in url


def test_real_endpoints() -> None:
    start = datetime(2026, 9, 3, tzinfo=UTC)
    assert FindATender.search_url(start, start + timedelta(hours=6), 100) == (
        "https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages"
        "?updatedFrom=2026-09-03T00:00:00&updatedTo=2026-09-03T06:00:00&limit=100"
    )
    assert ContractsFinder.search_url(start, start + timedelta(days=15), 100) == (
        "https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search"
        "?publishedFrom=2026-09-03T00:00:00&publishedTo=2026-09-18T00:00:00&limit=100"
    )
    assert FindATender.record_url("ocds-h6vhtk-06a838") == (
        "https://www.find-tender.service.gov.uk/api/1.0/ocdsRecordPackages/ocds-h6vhtk-06a838"
    )
    assert ContractsFinder.record_url("ocds-b5fd17-e3b5f385-5989-4cf1-8849-01c247fc9c30", "http://m") == (
        "http://m/Published/OCDS/Record/ocds-b5fd17-e3b5f385-5989-4cf1-8849-01c247fc9c30"
    )


def test_politeness_defaults_follow_the_real_services() -> None:
    assert FindATender.max_window == timedelta(hours=6)
    assert FindATender.rate_limit_statuses == frozenset({429})
    assert FindATender.rate_limit_wait == 30
    assert FindATender.min_interval == 10
    assert ContractsFinder.max_window == timedelta(days=15)
    assert 403 in ContractsFinder.rate_limit_statuses
    assert ContractsFinder.rate_limit_wait == 300
    assert ContractsFinder.encoding == "iso-8859-1"
    assert HarvestSettings().timeout == 360


def test_next_link_stays_on_the_harvested_host() -> None:
    page = "http://127.0.0.1:9/api/1.0/ocdsReleasePackages?limit=100"
    real = "https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?cursor=abc%3D&limit=100"
    assert FindATender.next_url(real, page, "http://127.0.0.1:9") == (
        "http://127.0.0.1:9/api/1.0/ocdsReleasePackages?cursor=abc%3D&limit=100"
    )
    assert FindATender.next_url("?cursor=x", page, "http://127.0.0.1:9") == (
        "http://127.0.0.1:9/api/1.0/ocdsReleasePackages?cursor=x"
    )
    http_link = real.replace("https://", "http://")
    assert FindATender.next_url(http_link, real).startswith("https://www.find-tender.service.gov.uk/")


def test_windows_are_contiguous_and_never_longer_than_the_source_allows() -> None:
    start = datetime(2026, 1, 1, 3, 17, tzinfo=UTC)
    end = start + timedelta(days=2, hours=1)
    windows = split_windows(start, end, window_size(FindATender, HarvestSettings()))
    assert windows[0].start == start
    assert windows[-1].end == end
    assert all(a.end == b.start for a, b in itertools.pairwise(windows))
    assert all(w.end - w.start <= timedelta(hours=6) for w in windows)
    assert len(windows) == 9
    assert split_windows(end, end, timedelta(hours=6)) == []
    # A setting can shorten the window, never lengthen it past what the source allows.
    assert window_size(FindATender, HarvestSettings(window=3600)) == timedelta(hours=1)
    assert window_size(FindATender, HarvestSettings(window=86400)) == timedelta(hours=6)


def test_plan_continues_from_the_checkpoint_less_the_overlap() -> None:
    now = datetime(2026, 6, 10, 12, 0, 0, 500000, tzinfo=UTC)
    settings = HarvestSettings()
    first, last = plan(None, settings, now=now)
    assert (first, last) == (datetime(2026, 6, 3, 12, tzinfo=UTC), datetime(2026, 6, 10, 12, tzinfo=UTC))
    first, last = plan("2026-06-10T06:00:00Z", settings, now=now)
    assert first == datetime(2026, 6, 10, 4, tzinfo=UTC)
    explicit = datetime(2026, 1, 1, tzinfo=UTC)
    assert plan("2026-06-10T06:00:00Z", settings, start=explicit, now=now)[0] == explicit
    # An end in the future is cut to now: a checkpoint never runs ahead of the publisher.
    assert plan(None, settings, end=now + timedelta(days=3), now=now)[1] == last
