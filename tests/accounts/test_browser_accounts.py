"""Accounts in a real browser: sign up → confirm by the emailed link → set a profile → save a search.

Debian's chromium driven by Playwright against uvicorn on 127.0.0.1 (the recipe of
``tests/web/test_browser.py``), with an aiosmtpd server the test starts receiving the email.
Screenshots go to ``test-artifacts/screenshots/<run>-accounts/``; axe-core checks every page.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from tenderlens.accounts import store as kept
from tenderlens.accounts import users
from tenderlens.ingest import ingest
from tenderlens.mail import Mailer
from tenderlens.settings import AccountSettings, MailSettings
from tenderlens.store import Store
from tenderlens.web.auth import AccountsState
from tests.accounts.browsing import PASSWORD
from tests.accounts.mailbox import free_port, start_mailbox
from tests.web.conftest import NOW
from tests.web.test_browser import ARGS, CHROMIUM, REPO, _need_chromium, check_axe

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.accounts.mailbox import Mailbox

pytestmark = [pytest.mark.browser, pytest.mark.shared, pytest.mark.slow]

SEED = "ocds-h6vhtk-06a838"
EMAIL = "victim.support@example.org"


@pytest.fixture(scope="module")
def site(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Mailbox]]:
    """uvicorn on 127.0.0.1 over the shared data, sending email to an aiosmtpd server on loopback."""
    _need_chromium()
    import uvicorn

    from tenderlens.web import create_app

    folder = tmp_path_factory.mktemp("browser-accounts")
    url = f"sqlite:///{folder / 'site.sqlite'}"
    with Store.open(url) as store:
        ingest(store, [shared_data / "ocds"])
    mailbox, controller = start_mailbox()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    mailer = Mailer(MailSettings(host=mailbox.host, port=mailbox.port, base_url=base), timeout=5)
    accounts = AccountsState(AccountSettings(base_url=base), mailer)
    config = uvicorn.Config(
        create_app(url, clock=lambda: NOW, accounts=accounts),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield base, url, mailbox
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        controller.stop()


@pytest.fixture(scope="module")
def shots() -> Path:
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = REPO / "test-artifacts" / "screenshots" / f"{run}-accounts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(site: tuple[str, str, Mailbox]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()
        chromium.close()


def test_sign_up_confirm_profile_and_save_a_search(site: tuple[str, str, Mailbox], page, shots: Path) -> None:
    base, url, mailbox = site
    page.goto(base + "/")
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_url(re.compile(r"/account/sign-up"))
    check_axe(page, "sign-up")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    assert page.locator(".error-summary").inner_text().count("at least 10 characters") == 1
    check_axe(page, "sign-up-error")
    page.screenshot(path=str(shots / "sign-up-error.png"), full_page=True)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/account\?welcome=1"))
    assert "Not yet" in page.locator("main").inner_text()
    check_axe(page, "account")
    page.screenshot(path=str(shots / "account-new.png"), full_page=True)

    # Confirm the address with the link from the email the SMTP server received.
    [message] = mailbox.wait(1)
    assert message["To"] == EMAIL
    page.goto(base + mailbox.link(message, "/account/verify"))
    assert "is confirmed" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "email-confirmed.png"), full_page=True)

    # The supplier profile: victim-support services in the North East.
    page.goto(base + "/account/profile")
    page.get_by_label("What your organisation does").fill(
        "Support services for victims of crime in the North East"
    )
    page.get_by_label("CPV codes").fill("85312320, 853")
    page.get_by_label("Keywords").fill("victim, domestic abuse")
    page.locator("summary", has_text="North East").click()
    page.get_by_label("All of North East").check()
    page.get_by_label("A voluntary, community or social enterprise (VCSE)").check()
    check_axe(page, "profile")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(re.compile(r"/account/profile\?saved=1"))
    assert page.get_by_label("All of North East").is_checked()
    page.screenshot(path=str(shots / "profile-saved.png"), full_page=True)

    # Search and save the search.
    page.get_by_label("Search notices", exact=True).last.fill("victim")
    page.get_by_label("Search notices", exact=True).last.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=victim"))
    check_axe(page, "search-signed-in")
    relevant = page.locator("ol.results form.feedback").first.get_by_role(
        "button", name="Relevant", exact=True
    )
    clicked_result = relevant.count() == 1
    if clicked_result:  # part B's feedback buttons on search results
        relevant.click()
        page.wait_for_url(re.compile(r"/search"))
    page.get_by_label("Name for this search").fill("Victim support")
    page.get_by_label("Email me new notices").select_option("instant")
    page.screenshot(path=str(shots / "search-save.png"), full_page=True)
    page.get_by_role("button", name="Save this search").click()
    page.wait_for_url(re.compile(r"/account/searches"))
    assert "Victim support" in page.locator("main").inner_text()
    check_axe(page, "saved-searches")
    page.screenshot(path=str(shots / "saved-searches.png"), full_page=True)

    # Watch the seed notice and tell it it is relevant, from its page.
    page.goto(f"{base}/notices/{SEED}")
    page.get_by_role("button", name="Watch this notice").click()
    page.wait_for_url(re.compile(rf"/notices/{SEED}"))
    feedback = page.locator("form.feedback").get_by_role("button", name="Relevant", exact=True)
    if feedback.count():
        feedback.first.click()
        page.wait_for_url(re.compile(rf"/notices/{SEED}"))
    check_axe(page, "notice-signed-in")
    page.screenshot(path=str(shots / "notice-signed-in.png"), full_page=True)
    page.goto(base + "/account/watchlist")
    check_axe(page, "watchlist")
    page.screenshot(path=str(shots / "watchlist.png"), full_page=True)

    with Store.open(url) as store:
        found = users.user_with_hash(store, EMAIL)
        assert found is not None
        user = found[0]
        assert user.verified
        profile = kept.get_profile(store, user.id)
        assert profile is not None
        assert profile.regions == ("TLC",)
        assert profile.cpv == ("85312320", "853")
        [search] = kept.list_searches(store, user.id)
        assert (search.name, search.frequency) == ("Victim support", "instant")
        assert "q=victim" in search.query
        assert [item.ocid for item in kept.list_watchlist(store, user.id)] == [SEED]
        if feedback.count() or clicked_result:
            from tenderlens.match.storage import verdict

            with store.engine.connect() as conn:
                assert verdict(conn, user.id, SEED) == 1
