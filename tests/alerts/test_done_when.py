"""Issue 6's "Done when", end to end through the web app, the store and a real SMTP server.

A supplier signs up, confirms their e-mail, describes victim-support services in the North
East (CPV 85312320 / division 85, ITL TLC) and saves a search. The real FTS and Contracts
Finder data are already in the store; then the seed notice is ingested. One alert cycle
later their e-mail has arrived, explaining the match; and the seed notice is near the top
of their search sorted by fit.
"""

from __future__ import annotations

import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tenderlens.alerts.cycle import run_cycle
from tenderlens.ingest import ingest
from tenderlens.settings import AccountSettings
from tenderlens.store import Store
from tenderlens.web import create_app
from tenderlens.web.auth import AccountsState
from tests.accounts.browsing import post_form, sign_up, verify_from_email
from tests.accounts.mailbox import mailer_for

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from tests.accounts.mailbox import Mailbox

SEED = "ocds-h6vhtk-06a838"
DEMO = Path(__file__).resolve().parents[2] / "src" / "tenderlens" / "demo" / f"{SEED}.json"
EMAIL = "victims@example.org"


def test_done_when(store_url: str, shared_data: Path, mailbox: Mailbox) -> None:
    background = [shared_data / "ocds" / "fts", shared_data / "ocds" / "contracts-finder"]
    with Store.open(store_url) as store:
        ingest(store, background)
        competitors = store.counts()["records"]
    assert competitors > 100
    time.sleep(1.1)  # watermarks have whole seconds: what was there before the search is not "new"
    mailer = mailer_for(mailbox)
    app = create_app(
        store_url, accounts=AccountsState(AccountSettings(base_url="http://tenderlens.test"), mailer)
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        sign_up(client, EMAIL)
        assert verify_from_email(client, mailbox, EMAIL).status_code == 200
        profile = {
            "description": "We support victims of crime: counselling, advocacy and restorative practice.",
            "cpv_codes": "85312320, 85",
            "keywords": "victim, restorative",
            "regions": ["TLC"],
            "sme": "yes",
            "vcse": "yes",
        }
        saved = post_form(client, "/account/profile", "/account/profile", profile)
        assert saved.status_code == 303, saved.text
        search = {"query": "cpv=85", "name": "Health and social work", "frequency": "instant"}
        assert post_form(client, "/account/searches", "/account/searches", search).status_code == 303
        time.sleep(1.1)  # and the seed is compiled after the search was saved

        with Store.open(store_url) as store:
            ingest(store, [DEMO])
            summary = run_cycle(store, mailer, datetime.now(UTC))
        assert summary.failures == []
        assert summary.search_emails == 1
        alerts = [m for m in mailbox.wait(2) if m["To"] == EMAIL and "Confirm" not in m["Subject"]]
        assert len(alerts) == 1
        text = mailbox.text(alerts[0])
        assert alerts[0]["Subject"] == "1 new notice for “Health and social work”"
        assert "Victim Support & Restorative Practice" in text
        assert f"http://tenderlens.test/notices/{SEED}" in text
        assert "CPV 85312320 Counselling services matches your profile" in text
        assert "delivery region Tees Valley and Durham (TLC1), in your region North East (TLC)" in text
        assert "'victim' in the title" in text
        assert "suitable for SMEs" in text
        assert "suitable for VCSEs" in text
        unsubscribe = mailbox.link(alerts[0], "/alerts/unsubscribe/")
        assert "Stop these alerts?" in client.get(unsubscribe).text

        for query, competition in (("", 100), ("?cpv=85", 20)):
            ranked = client.get(f"/search/fit.json{query}").json()
            order = [row["ocid"] for row in ranked["results"]]
            assert ranked["fit"]["ranked"] > competition, query
            assert SEED in order[:3], (query, order[:5])
        page = client.get(f"/notices/{SEED}")
        assert "CPV 85312320 Counselling services matches your profile" in page.text
