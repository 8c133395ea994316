"""The harvest benchmark's local mirror pages a window exactly as the FTS stand-in does.

If the mirror dropped or repeated a release at a page or window edge, the harvest figure
would be measured on the wrong number of releases; ``run.py`` also checks the count.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import orjson

from tenderlens.harvest.base import split_windows
from tenderlens.harvest.pages import inspect_package
from tenderlens.harvest.sources import SOURCES
from tests.benchmarks.scripts import bench_script

mirror_script = bench_script("mirror")
BASE = "http://127.0.0.1:1"


def mirror_of(count: int, step: int = 20) -> object:
    texts = [orjson.dumps({"ocid": f"ocds-x-{n // 3}", "id": str(n)}) for n in range(count)]
    return mirror_script.Mirror(texts, mirror_script.START, step, BASE)


def page_chain(mirror: object, url: str) -> list[str]:
    """The release ids of every page from ``url`` through ``links.next``."""
    ids: list[str] = []
    next_url: str | None = url
    while next_url:
        query = {key: values[-1] for key, values in parse_qs(urlsplit(next_url).query).items()}
        body = mirror.page(query)  # type: ignore[attr-defined]
        info = inspect_package(body)
        package = orjson.loads(body)
        assert package["publisher"]["name"] == "Cabinet Office"
        assert info.releases == len(package["releases"]) <= 100
        ids += [release["id"] for release in package["releases"]]
        next_url = info.next_url
    return ids


def test_every_release_once_over_fts_windows_with_pages_of_100() -> None:
    mirror = mirror_of(2_345)
    first, last = mirror.span()  # type: ignore[attr-defined]
    fts = SOURCES["fts"]
    windows = split_windows(first, last + timedelta(seconds=1), fts.max_window)
    assert len(windows) > 1
    seen: list[str] = []
    for window in windows:
        seen += page_chain(mirror, fts.search_url(window.start, window.end, 100, BASE))
    # Windows share their edge instant (asked for twice, stored once), as with the real API.
    assert set(seen) == {str(n) for n in range(2_345)}
    assert len(seen) - len(set(seen)) <= len(windows) - 1


def test_a_window_holds_the_releases_updated_within_it_bounds_included() -> None:
    mirror = mirror_of(50, step=10)
    start = mirror_script.START + timedelta(seconds=100)  # release 10 exactly
    fts = SOURCES["fts"]
    ids = page_chain(mirror, fts.search_url(start, start + timedelta(seconds=55), 100, BASE))
    assert ids == [str(n) for n in range(10, 16)]  # 10..15: 150 s is release 15, 155 s is before 16
    later = page_chain(
        mirror, fts.search_url(start + timedelta(seconds=1), start + timedelta(seconds=9), 100, BASE)
    )
    assert later == []
