"""Relevance on the web: the notice page's fit and reasons, feedback forms, similar notices, search by fit."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tenderlens.accounts import users
from tenderlens.accounts.secrets import csrf_token_for
from tenderlens.ingest import ingest
from tenderlens.store import Store
from tenderlens.web import create_app
from tenderlens.web.auth import SESSION_COOKIE, AccountsState
from tests.alerts.conftest import add_profile
from tests.match.generated import family_releases

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from collections.abc import Iterator

SEED = "ocds-h6vhtk-06a838"
DEMO = Path(__file__).resolve().parents[2] / "src" / "tenderlens" / "demo" / f"{SEED}.json"
VICTIM_SUPPORT = {"cpv_codes": ["85312320", "85"], "keywords": ["victim"], "regions": ["TLC"]}


class Site:
    def __init__(self, url: str, families: dict[str, list[dict]]) -> None:
        self.url = url
        self.families = families
        self.client = TestClient(create_app(url, accounts=AccountsState()), raise_server_exceptions=False)

    def sign_in(self, email: str, profile: dict | None = None) -> tuple[TestClient, str, int]:
        """A client signed in as a new user (with a profile if given), and its CSRF token."""
        with Store.open(self.url) as store:
            user = users.create_user(store, email, "not-a-real-hash", datetime.now(UTC))
            if profile is not None:
                add_profile(store, user.id, **profile)
            session = users.start_session(store, user.id, datetime.now(UTC), timedelta(days=1))
        client = TestClient(self.client.app, raise_server_exceptions=False)
        client.cookies.set(SESSION_COOKIE, session)
        return client, csrf_token_for(session), user.id


@pytest.fixture
def site(store_url: str, tmp_path: Path) -> Iterator[Site]:
    from tests.web.webdata import write_package

    families = family_releases(per_family=8)
    with Store.open(store_url) as store:
        ingest(store, [DEMO, write_package(tmp_path, [r for found in families.values() for r in found])])
    made = Site(store_url, families)
    with made.client:
        yield made


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def test_anonymous_feedback_is_counted_and_needs_the_csrf_token(site: Site) -> None:
    page = site.client.get(f"/notices/{SEED}")
    assert page.status_code == 200
    assert "How relevant is this notice?" in page.text
    assert "Sign in and describe what you do" in page.text
    assert "0 found it relevant, 0 not relevant" in page.text
    refused = site.client.post(
        f"/notices/{SEED}/feedback", data={"verdict": "relevant"}, follow_redirects=False
    )
    assert refused.status_code == 403
    token = csrf_from(page.text)
    sent = site.client.post(
        f"/notices/{SEED}/feedback", data={"verdict": "relevant", "csrf_token": token}, follow_redirects=False
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/notices/{SEED}#relevance"
    data = site.client.get(f"/notices/{SEED}.json").json()
    assert data["match"]["feedback"]["anonymous"] == {"relevant": 1, "not_relevant": 0}
    assert data["match"]["relevance"] is None
    bad = site.client.post(f"/notices/{SEED}/feedback", data={"verdict": "maybe", "csrf_token": token})
    assert bad.status_code == 422
    missing = site.client.post(
        "/notices/ocds-nope/feedback", data={"verdict": "relevant", "csrf_token": token}
    )
    assert missing.status_code == 404
    elsewhere = site.client.post(
        f"/notices/{SEED}/feedback",
        data={"verdict": "relevant", "csrf_token": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == f"/notices/{SEED}#relevance"


def test_the_notice_page_explains_the_fit(site: Site) -> None:
    client, _, _ = site.sign_in("fit@example.org", VICTIM_SUPPORT)
    page = client.get(f"/notices/{SEED}")
    assert "CPV 85312320 Counselling services matches your profile" in page.text
    assert "delivery region Tees Valley and Durham (TLC1), in your region North East (TLC)" in page.text
    assert "&#39;victim&#39; in the title" in page.text
    relevance = client.get(f"/notices/{SEED}.json").json()["match"]["relevance"]
    assert relevance["level"] == "Strong match"
    assert relevance["reasons"][0]["text"] == "CPV 85312320 Counselling services matches your profile"
    no_profile, _, _ = site.sign_in("empty@example.org")
    assert "Set up your supplier profile" in no_profile.get(f"/notices/{SEED}").text


def test_similar_notices_share_codes_buyer_or_region(site: Site) -> None:
    cleaning = site.families["cleaning"]
    data = site.client.get(f"/notices/{cleaning[0]['ocid']}.json").json()
    similar = data["match"]["similar"]
    assert 0 < len(similar) <= 5
    cleaning_ocids = {r["ocid"] for r in cleaning}
    assert all(s["ocid"] in cleaning_ocids for s in similar)
    assert all("same buyer: Northshire County Council" in s["why"] for s in similar)
    assert "Similar notices" in site.client.get(f"/notices/{cleaning[0]['ocid']}").text


def test_search_by_fit_ranks_the_seed_first_and_learns_from_feedback(site: Site) -> None:
    client, token, _ = site.sign_in("ranker@example.org", VICTIM_SUPPORT)
    data = client.get("/search/fit.json").json()
    order = [row["ocid"] for row in data["results"]]
    assert order[0] == SEED
    assert data["results"][0]["fit"]["summary"].startswith(
        "CPV 85312320 Counselling services matches your profile"
    )
    assert data["sort"] == "fit"
    page = client.get("/search/fit")
    assert page.status_code == 200
    assert "Victim Support &amp; Restorative Practice" in page.text
    assert 'value="not-relevant"' in page.text
    assert '<input type="hidden" name="next" value="/search/fit">' in page.text
    narrowed = client.get("/search/fit?q=support&cpv=85")
    assert '<input type="hidden" name="next" value="/search/fit?q=support&amp;cpv=85">' in narrowed.text
    back = client.post(
        f"/notices/{SEED}/feedback",
        data={"verdict": "relevant", "csrf_token": token, "next": "/search/fit?q=support&cpv=85"},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/search/fit?q=support&cpv=85"

    # Marking three of the counselling family relevant raises the others' fit; unrelated notices keep theirs.
    def scores() -> dict[str, float]:
        rows = client.get("/search/fit.json?per_page=100").json()["results"]
        return {row["ocid"]: row["fit"]["score"] for row in rows}

    before = scores()
    counselling = [r["ocid"] for r in site.families["counselling"]]
    for ocid in counselling[:3]:
        sent = client.post(f"/notices/{ocid}/feedback", data={"verdict": "relevant", "csrf_token": token})
        assert sent.status_code == 200  # followed the 303 to the notice page
    after = scores()
    assert all(after[ocid] > before[ocid] for ocid in counselling[3:])

    def region(notice: dict) -> str:
        return notice["tender"]["items"][0]["deliveryAddresses"][0]["region"]

    marked_regions = {region(r) for r in site.families["counselling"][:3]}
    outside = [r["ocid"] for r in site.families["cleaning"] if region(r) not in marked_regions]
    assert outside
    assert all(after[ocid] == before[ocid] for ocid in outside)
    assert site.client.get("/search/fit.json").json()["fit_note"].startswith("Sign in")


def test_the_search_page_links_to_search_by_fit(site: Site) -> None:
    page = site.client.get("/search?q=cleaning")
    assert '<a href="/search/fit?q=cleaning">Sort these results by fit to your profile</a>' in page.text


def test_one_users_feedback_is_theirs_alone(site: Site) -> None:
    alice, alice_csrf, _ = site.sign_in("alice@example.org", VICTIM_SUPPORT)
    bob, bob_csrf, _ = site.sign_in("bob@example.org", VICTIM_SUPPORT)
    before = bob.get(f"/notices/{SEED}.json").json()["match"]
    sent = alice.post(
        f"/notices/{SEED}/feedback",
        data={"verdict": "not-relevant", "csrf_token": alice_csrf},
        headers={"Accept": "application/json"},
    )
    assert sent.json() == {
        "ok": True,
        "ocid": SEED,
        "verdict": "not-relevant",
        "signed_in": True,
        "learned": True,
    }
    assert alice.get(f"/notices/{SEED}.json").json()["match"]["feedback"]["verdict"] == "not-relevant"
    after = bob.get(f"/notices/{SEED}.json").json()["match"]
    assert after == before
    assert after["feedback"]["verdict"] is None
    # Signed-in verdicts are not counted as anonymous ones; Alice's score fell, Bob's did not.
    assert after["feedback"]["anonymous"] == {"relevant": 0, "not_relevant": 0}
    assert (
        alice.get(f"/notices/{SEED}.json").json()["match"]["relevance"]["score"] < after["relevance"]["score"]
    )
    # Another user's CSRF token does not work with Alice's session.
    refused = alice.post(f"/notices/{SEED}/feedback", data={"verdict": "relevant", "csrf_token": bob_csrf})
    assert refused.status_code == 403


def test_search_results_carry_feedback_forms_that_return_to_the_same_page(site: Site) -> None:
    page = site.client.get("/search?q=cleaning&sort=newest")
    ocid = site.families["cleaning"][0]["ocid"]
    assert f'action="/notices/{ocid}/feedback"' in page.text
    assert '<input type="hidden" name="next" value="/search?q=cleaning&amp;sort=newest">' in page.text
    sent = site.client.post(
        f"/notices/{ocid}/feedback",
        data={
            "verdict": "relevant",
            "csrf_token": csrf_from(page.text),
            "next": "/search?q=cleaning&sort=newest",
        },
        follow_redirects=False,
    )
    assert sent.headers["location"] == "/search?q=cleaning&sort=newest"
    assert site.client.get(f"/notices/{ocid}.json").json()["match"]["feedback"]["anonymous"]["relevant"] == 1
    # A page past the last has no current page number (and no results): still a page.
    assert site.client.get("/search?q=cleaning&page=50").status_code == 200
