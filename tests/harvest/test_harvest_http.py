"""The polite client against a real server on 127.0.0.1: spacing, rate limits, retries, bodies."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
import pytest

from tenderlens.harvest import FetchError, HarvestSettings, HarvestStopped, InvalidBody, Source
from tenderlens.harvest.harvester import client_for
from tenderlens.harvest.http import retry_after, to_utf8
from tenderlens.harvest.pages import inspect_package
from tenderlens.harvest.sources import ContractsFinder, FindATender
from tests.harvest.conftest import FAST
from tests.harvest.fake_services import FakeAPI, generate_cf, generate_fts

if TYPE_CHECKING:
    from datetime import datetime

pytestmark = pytest.mark.network


@pytest.fixture
def loaded(fake_api: FakeAPI, origin: datetime) -> FakeAPI:
    fake_api.services["fts"].add(generate_fts(60, origin, timedelta(days=1)))
    fake_api.services["contracts-finder"].add(generate_cf(20, origin, timedelta(days=1)))
    return fake_api


def first_page(api: FakeAPI, origin: datetime, source: type[Source] = FindATender) -> str:
    return source.search_url(origin, origin + timedelta(days=1), 100, api.url)


def test_one_request_at_a_time_spaced_by_the_minimum_interval(loaded: FakeAPI, origin: datetime) -> None:
    settings = FAST.replace(min_interval=0.08)
    with client_for(FindATender, settings) as client:
        for _ in range(4):
            client.get(first_page(loaded, origin), inspect_package)
    served = loaded.served("fts")
    gaps = [b.started - a.ended for a, b in itertools.pairwise(served)]
    assert len(gaps) == 3
    assert min(gaps) >= 0.07
    assert loaded.max_in_flight["fts"] == 1


def test_429_without_retry_after_waits_the_default_then_succeeds(loaded: FakeAPI, origin: datetime) -> None:
    loaded.inject("fts", {1: "429", 2: "429"})
    with client_for(FindATender, FAST.replace(rate_limit_wait=0.15)) as client:
        _body, info = client.get(first_page(loaded, origin), inspect_package)
    assert info.releases == 64  # 60 generated + 4 on the 6-hour edges
    served = loaded.served("fts")
    assert [entry.status for entry in served] == [429, 429, 200]
    assert served[1].started - served[0].ended >= 0.14
    assert served[2].started - served[1].ended >= 0.14


def test_retry_after_is_honoured(loaded: FakeAPI, origin: datetime) -> None:
    loaded.inject("fts", {1: "429-retry-after"})
    with client_for(FindATender, FAST.replace(rate_limit_wait=0.0)) as client:
        client.get(first_page(loaded, origin), inspect_package)
    served = loaded.served("fts")
    assert served[1].started - served[0].ended >= 0.95  # Retry-After: 1


def test_rate_limits_in_a_row_give_up(loaded: FakeAPI, origin: datetime) -> None:
    loaded.inject("contracts-finder", dict.fromkeys(range(1, 10), "403"))
    settings = FAST.replace(rate_limit_attempts=3, rate_limit_wait=0.01)
    with (
        client_for(ContractsFinder, settings) as client,
        pytest.raises(FetchError, match="rate limited") as error,
    ):
        client.get(first_page(loaded, origin, ContractsFinder), inspect_package)
    assert error.value.status == 403
    assert len(loaded.served("contracts-finder")) == 3


@pytest.mark.parametrize("fault", ["500", "502", "503", "504", "reset", "cut", "slow"])
def test_server_errors_and_dropped_connections_are_retried(
    loaded: FakeAPI, origin: datetime, fault: str
) -> None:
    loaded.slow_seconds = 1.0
    loaded.inject("fts", {1: fault, 2: fault})
    with client_for(FindATender, FAST.replace(timeout=0.4)) as client:
        _body, info = client.get(first_page(loaded, origin), inspect_package)
    assert info.releases == 64
    assert len(loaded.served("fts")) == 3


def test_backoff_grows_and_the_tries_are_capped(loaded: FakeAPI, origin: datetime) -> None:
    loaded.inject("fts", dict.fromkeys(range(1, 10), "503"))
    settings = FAST.replace(attempts=4, backoff=0.05, backoff_max=0.15, jitter=0.0)
    with (
        client_for(FindATender, settings) as client,
        pytest.raises(FetchError, match="gave up after 4 tries"),
    ):
        client.get(first_page(loaded, origin), inspect_package)
    served = loaded.served("fts")
    gaps = [b.started - a.ended for a, b in itertools.pairwise(served)]
    assert len(served) == 4
    assert gaps[0] >= 0.045
    assert gaps[1] >= 0.095
    assert 0.145 <= gaps[2] < 1.0  # capped at backoff_max


@pytest.mark.parametrize("fault", ["truncate", "html"])
def test_an_invalid_body_is_fetched_again_then_reported(
    loaded: FakeAPI, origin: datetime, fault: str
) -> None:
    loaded.inject("fts", {1: fault})
    with client_for(FindATender, FAST) as client:
        _body, info = client.get(first_page(loaded, origin), inspect_package)
    assert info.releases == 64
    loaded.inject("fts", dict.fromkeys(range(2, 10), fault))
    with (
        client_for(FindATender, FAST.replace(invalid_body_attempts=3)) as client,
        pytest.raises(InvalidBody) as error,
    ):
        client.get(first_page(loaded, origin), inspect_package)
    assert "the same after 3 fetches" in str(error.value)
    assert len(loaded.served("fts")) == 2 + 3


def test_a_final_answer_is_not_retried(fake_api: FakeAPI) -> None:
    with client_for(FindATender, FAST) as client, pytest.raises(FetchError, match="HTTP 404") as error:
        client.get(FindATender.record_url("ocds-h6vhtk-000000", fake_api.url), inspect_package)
    assert error.value.status == 404
    assert len(fake_api.served("fts")) == 1


def test_a_stop_interrupts_a_wait(loaded: FakeAPI, origin: datetime) -> None:
    loaded.inject("fts", {1: "429"})
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    with (
        client_for(FindATender, FAST.replace(rate_limit_wait=30), stop) as client,
        pytest.raises(HarvestStopped),
    ):
        client.get(first_page(loaded, origin), inspect_package)
    assert time.monotonic() - started < 5


def test_contracts_finder_bodies_are_transcoded_from_iso_8859_1(loaded: FakeAPI, origin: datetime) -> None:
    with client_for(ContractsFinder, FAST) as client:
        body, info = client.get(first_page(loaded, origin, ContractsFinder), inspect_package)
    assert info.releases == 20
    text = body.decode("utf-8")
    assert "Café refurbishment £" in text
    assert "Ørsted Öffentlich" in text


def test_to_utf8() -> None:
    latin = "£5 café".encode("iso-8859-1")
    assert to_utf8(latin, "iso-8859-1", "utf-8") == "£5 café".encode()
    assert to_utf8(latin, None, "iso-8859-1") == "£5 café".encode()  # not UTF-8: the source's charset
    utf8 = "£5 café".encode()
    assert to_utf8(utf8, None, "iso-8859-1") is utf8  # valid UTF-8 and nothing declared: kept
    assert to_utf8(utf8, "UTF-8", "iso-8859-1") is utf8
    assert to_utf8(latin, "no-such-charset", "iso-8859-1") == "£5 café".encode()


def test_retry_after_values() -> None:
    def response(value: str | None) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value} if value else {})

    assert retry_after(response(None)) is None
    assert retry_after(response("120")) == 120
    assert retry_after(response("-3")) == 0
    assert retry_after(response("Wed, 21 Oct 2015 07:28:00 GMT")) == 0  # in the past
    assert retry_after(response("soon")) is None


def test_inspect_package() -> None:
    page = b'{"releases": [{"ocid": "a"}, {"ocid": "b"}], "links": {"next": "http://x/?cursor=Q"}}'
    info = inspect_package(page)
    assert (info.next_url, info.releases, info.records) == ("http://x/?cursor=Q", 2, 0)
    quirky = b'{"releases": [{"a": 1e9999, "b": 000}], "links": {"next": "n"}}'
    assert inspect_package(quirky).next_url == "n"
    assert inspect_package(b'{"records": [{"ocid": "a"}]}').records == 1
    for bad, message in (
        (page[:40], "truncated"),
        (quirky[:30], "truncated"),
        (b"", "empty"),
        (b"<html></html>", "not valid JSON"),
        (b"[1, 2]", "not a release or record package"),
        (b'{"error": "busy"}', "keys: error"),
        (b'{"releases": [], "x": 1} trailing', "not valid JSON"),
    ):
        with pytest.raises(InvalidBody, match=message):
            inspect_package(bad)
    assert HarvestSettings().invalid_body_attempts == 3
