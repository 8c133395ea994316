"""The alert links: a saved search's private Atom feed, and unsubscribing without signing in."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from tenderlens.accounts.tables import saved_searches
from tenderlens.alerts.cycle import run_cycle
from tenderlens.ingest import ingest
from tenderlens.store import Store
from tenderlens.web import create_app
from tenderlens.web.auth import AccountsState
from tests.accounts.mailbox import mailer_for
from tests.alerts.conftest import save_search, verified_user
from tests.match.generated import family_releases
from tests.web.webdata import write_package

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from pathlib import Path

    from tests.accounts.mailbox import Mailbox

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_private_feed_needs_its_token_and_lists_the_search(store_url: str, tmp_path: Path) -> None:
    families = family_releases(per_family=3)
    with Store.open(store_url) as store:
        ingest(store, [write_package(tmp_path, [r for found in families.values() for r in found])])
        user = verified_user(store, "feed@example.org")
        other = verified_user(store, "other@example.org")
        mine = save_search(store, user, "Cleaning", "cpv=909")
        theirs = save_search(store, other, "Catering", "cpv=555")
    with TestClient(create_app(store_url, accounts=AccountsState()), raise_server_exceptions=False) as client:
        feed = client.get(f"/feeds/searches/{mine['feed_token']}.atom")
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("application/atom+xml")
        assert feed.headers["cache-control"] == "private, no-store"
        root = ET.fromstring(feed.content)
        assert root.findtext(f"{ATOM}title") == "tenderlens: Cleaning"
        entries = {entry.findtext(f"{ATOM}id").rsplit("/", 1)[-1] for entry in root.iter(f"{ATOM}entry")}
        assert entries == {r["ocid"] for r in families["cleaning"]}
        # Each feed shows only its own search; a wrong or partial token finds nothing.
        other_feed = client.get(f"/feeds/searches/{theirs['feed_token']}.atom")
        assert {r["ocid"] for r in families["catering"]} <= {
            e.findtext(f"{ATOM}id").rsplit("/", 1)[-1]
            for e in ET.fromstring(other_feed.content).iter(f"{ATOM}entry")
        }
        for token in ("nope", mine["feed_token"][:-1], mine["unsubscribe_token"]):
            missing = client.get(f"/feeds/searches/{token}.atom")
            assert missing.status_code == 404
            assert missing.json()["ok"] is False


def test_unsubscribing_stops_the_alerts(store_url: str, tmp_path: Path, mailbox: Mailbox) -> None:
    with Store.open(store_url) as store:
        user = verified_user(store, "stop@example.org")
        saved = save_search(store, user, "Cleaning", "cpv=909")
        ingest(store, [write_package(tmp_path, family_releases(per_family=2)["cleaning"])])
        run_cycle(store, mailer_for(mailbox), datetime.now(UTC) + timedelta(seconds=1))
    (message,) = mailbox.wait(1)
    path = mailbox.link(message, "/alerts/unsubscribe/")
    assert path == f"/alerts/unsubscribe/{saved['unsubscribe_token']}"
    with TestClient(create_app(store_url, accounts=AccountsState()), raise_server_exceptions=False) as client:
        page = client.get(path)  # a mail scanner following the link changes nothing
        assert page.status_code == 200
        assert "Stop these alerts?" in page.text
        assert f'<form method="post" action="{path}">' in page.text
        with Store.open(store_url) as store, store.engine.connect() as conn:
            assert conn.execute(select(saved_searches.c.frequency)).scalar_one() == "instant"
        # One click, as a mail client does it (RFC 8058): no session, no CSRF token.
        done = client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200
        assert "Alerts stopped" in done.text
        assert "Alerts stopped" in client.get(path).text
        assert client.post("/alerts/unsubscribe/not-a-token").status_code == 404
        assert client.get("/alerts/unsubscribe/not-a-token").status_code == 404
    with Store.open(store_url) as store:
        with store.engine.connect() as conn:
            assert conn.execute(select(saved_searches.c.frequency)).scalar_one() == "never"
        more = family_releases(per_family=3)["cleaning"][2:]
        ingest(store, [write_package(tmp_path, more, "more.json")])
        summary = run_cycle(store, mailer_for(mailbox), datetime.now(UTC) + timedelta(seconds=2))
    assert summary.search_emails == 0
    assert len(mailbox.messages) == 1
