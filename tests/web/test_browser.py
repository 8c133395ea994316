"""The site in a real browser: Debian's chromium driven by Playwright, against uvicorn on 127.0.0.1
serving the shared data. Search, filter by a facet, open a notice, download its OCDS record, use
the keyboard; screenshots go to ``test-artifacts/screenshots/<run>/``; axe-core checks every page.

Skips when /usr/bin/chromium is missing, unless CI=true (then it fails: CI must run it).
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tenderlens.ingest import ingest
from tenderlens.store import Store
from tests.web.conftest import NOW

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [pytest.mark.browser, pytest.mark.shared, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
SEED = "ocds-h6vhtk-06a838"
CHANGED = "ocds-b5fd17-09a309a3-8541-48b9-91c4-411c52e5bd34"  # two releases: an award value changed
SERIOUS = {"serious", "critical"}


def _need_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium); browser tests need it")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn on 127.0.0.1 serving a store with the shared data and the full CPV list."""
    _need_chromium()
    import uvicorn

    from tenderlens.web import create_app

    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'site.sqlite'}"
    with Store.open(url) as store:
        ingest(store, [shared_data / "ocds"])
        cpv = shared_data / "reference" / "cpv2008.csv"
        if cpv.exists():
            from tenderlens.reference import parse_cpv_file

            store.replace_cpv(parse_cpv_file(cpv))
    port = _free_port()
    config = uvicorn.Config(
        create_app(url, clock=lambda: NOW), host="127.0.0.1", port=port, log_level="warning"
    )
    app_server = uvicorn.Server(config)
    thread = threading.Thread(target=app_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not app_server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    app_server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def shots() -> Path:
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = REPO / "test-artifacts" / "screenshots" / run
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def check_axe(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]][:3])
        for violation in results.response["violations"]
        if violation.get("impact") in SERIOUS
    ]
    assert serious == [], f"{name}: {serious}"


def test_search_filter_open_and_download(server: str, page, shots: Path, tmp_path: Path) -> None:
    page.goto(server + "/")
    check_axe(page, "home")
    page.screenshot(path=str(shots / "home.png"), full_page=True)

    page.get_by_label("Search notices", exact=True).last.fill("victim")
    page.get_by_label("Search notices", exact=True).last.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=victim"))
    total = page.locator("#results-h").inner_text()
    assert re.match(r"\d+ notices?", total)
    check_axe(page, "search")
    page.screenshot(path=str(shots / "search.png"), full_page=True)

    # Filter by a facet: the stage "Tender".
    page.locator("details.facet", has_text="Stage").get_by_role("link", name=re.compile("^Tender")).click()
    page.wait_for_url(re.compile(r"stage=tender"))
    assert "q=victim" in page.url
    assert page.locator(".chips").get_by_text("Stage: Tender").count() == 1
    page.screenshot(path=str(shots / "search-filtered.png"), full_page=True)

    # Open the first result.
    first = page.locator("ol.results li.result h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/notices/"))
    assert page.locator("h1").inner_text() == title
    ocid = page.url.rsplit("/notices/", 1)[1]

    # Download its OCDS record package.
    row = page.locator("#data tr", has_text="Record package")
    with page.expect_download() as info:
        row.get_by_role("link", name=re.compile("^Download")).click()
    saved = tmp_path / "record.json"
    info.value.save_as(saved)
    package = json.loads(saved.read_text())
    assert package["records"][0]["ocid"] == ocid
    assert info.value.suggested_filename.endswith("-record.json")


def test_notice_pages_and_their_screenshots(server: str, page, shots: Path) -> None:
    for ocid, name in ((SEED, "notice-seed"), (CHANGED, "notice-changed")):
        page.goto(f"{server}/notices/{ocid}")
        assert page.locator("svg.timeline").count() == 1
        check_axe(page, name)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    # What changed, in words, for the notice with two releases.
    assert page.get_by_text("Award 1 value changed from £10,932,000 to £109,320 (down 99%)").count() == 1


def test_buyer_page(server: str, page, shots: Path) -> None:
    page.goto(f"{server}/notices/{SEED}")
    page.locator("#buyer").get_by_role("link", name=re.compile("^All notices from")).click()
    page.wait_for_url(re.compile(r"/buyers/"))
    assert page.locator("h1").inner_text()
    check_axe(page, "buyer")
    page.screenshot(path=str(shots / "buyer.png"), full_page=True)


def test_keyboard_skip_link_and_visible_focus(server: str, page) -> None:
    page.goto(server + "/search")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 221, 0)"  # the focus style is visible
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") in {"INPUT", "A", "BUTTON", "SUMMARY"}


def test_mobile_layout(server: str, browser, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    tab = context.new_page()
    for path, name in ((f"/notices/{SEED}", "notice-mobile"), ("/search?q=services", "search-mobile")):
        tab.goto(server + path)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name} scrolls sideways ({width}px)"
        tab.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    context.close()


def test_works_without_javascript(browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(server + "/search?q=victim")
    tab.locator("details.facet", has_text="Stage").get_by_role("link", name=re.compile("^Tender")).click()
    assert "stage=tender" in tab.url
    tab.locator("ol.results li.result h3 a").first.click()
    assert "/notices/" in tab.url
    context.close()
