"""The account journeys through the pages: sign up, confirm, sign in and out, reset, profile, tokens, lists."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import pytest

from tenderlens.accounts import store as kept
from tenderlens.accounts import users
from tenderlens.accounts.tables import users as users_table
from tenderlens.store import Store
from tenderlens.web import create_app
from tests.accounts.browsing import PASSWORD, csrf_of, post_form, sign_in, sign_up, verify_from_email
from tests.web.conftest import fixed_clock, load

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tenderlens.web.auth import AccountsState
    from tests.accounts.mailbox import Mailbox

SEED = "ocds-h6vhtk-0web01"


@pytest.fixture
def site_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'site.sqlite'}"
    load(url, tmp_path / "in")
    return url


@pytest.fixture
def client(site_url: str, accounts_state: AccountsState) -> Iterator[TestClient]:
    with TestClient(create_app(site_url, clock=fixed_clock, accounts=accounts_state)) as test_client:
        yield test_client


@pytest.fixture
def site_store(site_url: str) -> Iterator[Store]:
    with Store.open(site_url) as store:
        yield store


def test_sign_up_confirm_sign_out_and_in(client: TestClient, mailbox: Mailbox, site_store: Store) -> None:
    assert "Create an account" in client.get("/").text
    response = sign_up(client, "New.User@Example.org")
    assert response.headers["location"] == "/account?welcome=1"
    cookie = response.headers["set-cookie"]
    assert "tl_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    overview = client.get("/account")
    assert "new.user@example.org" in overview.text
    assert "Not yet" in overview.text
    assert "Sign out" in overview.text
    assert client.get("/account.json").json()["user"]["verified_at"] is None
    [message] = mailbox.wait(1)
    assert message["To"] == "new.user@example.org"
    confirmed = verify_from_email(client, mailbox, "new.user@example.org")
    assert confirmed.status_code == 200
    assert "is confirmed" in confirmed.text
    assert client.get("/account.json").json()["user"]["verified_at"] == "2026-06-04T09:00:00Z"
    # The password is stored only as an argon2 hash.
    with site_store.engine.connect() as conn:
        stored = conn.execute(users_table.select()).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    out = post_form(client, "/account", "/account/sign-out", {})
    assert out.status_code == 303
    assert (
        client.get("/account", follow_redirects=False).headers["location"]
        == "/account/sign-in?next=%2Faccount"
    )
    wrong = sign_in(client, "new.user@example.org", "not the password")
    assert wrong.status_code == 400
    assert "The email or password is not right" in wrong.text
    right = sign_in(client, "NEW.user@example.org")
    assert right.status_code == 303
    assert client.get("/account").status_code == 200


def test_sign_up_errors_are_clear(client: TestClient, mailbox: Mailbox) -> None:
    short = post_form(
        client, "/account/sign-up", "/account/sign-up", {"email": "a@example.org", "password": "short"}
    )
    assert short.status_code == 422
    assert "at least 10 characters" in short.text
    assert 'aria-invalid="true"' in short.text
    bad = post_form(client, "/account/sign-up", "/account/sign-up", {"email": "nope", "password": PASSWORD})
    assert "Enter an email address like name@example.org" in bad.text
    sign_up(client, "taken@example.org")
    client.cookies.clear()
    again = post_form(
        client, "/account/sign-up", "/account/sign-up", {"email": "Taken@example.org", "password": PASSWORD}
    )
    assert again.status_code == 422
    assert "already exists" in again.text
    json_error = post_form(
        client,
        "/account/sign-up",
        "/account/sign-up",
        {"email": "x@example.org", "password": "x"},
        headers={"Accept": "application/json"},
    ).json()
    assert json_error["ok"] is False
    assert json_error["errors"] == [
        {"field": "password", "message": "Use a password of at least 10 characters"}
    ]


def test_password_reset_by_email_signs_out_everywhere(
    client: TestClient, mailbox: Mailbox, site_url: str, accounts_state: AccountsState
) -> None:
    sign_up(client, "reset@example.org")
    with TestClient(create_app(site_url, clock=fixed_clock, accounts=accounts_state)) as other_browser:
        sign_in(other_browser, "reset@example.org")
        assert other_browser.get("/account").status_code == 200
        client.cookies.clear()
        asked = post_form(client, "/account/reset", "/account/reset", {"email": "reset@example.org"})
        assert asked.status_code == 202
        unknown = post_form(client, "/account/reset", "/account/reset", {"email": "nobody@example.org"})
        assert unknown.status_code == 202  # the same answer: no discovering who has an account
        mailbox.wait(2)
        [message] = [m for m in mailbox.to("reset@example.org") if "Reset" in m["Subject"]]
        assert mailbox.to("nobody@example.org") == []
        link = mailbox.link(message, "/account/reset/confirm")
        form = client.get(link)
        assert form.status_code == 200
        token = link.split("token=")[1]
        changed = client.post(
            "/account/reset/confirm",
            data={"token": token, "password": "a brand new passphrase", "csrf_token": csrf_of(form.text)},
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert other_browser.get("/account", follow_redirects=False).status_code == 303  # signed out
    assert sign_in(client, "reset@example.org").status_code == 400
    assert sign_in(client, "reset@example.org", "a brand new passphrase").status_code == 303
    assert client.get(link).status_code == 400  # the link worked once


def test_profile_form_saves_and_reports_bad_codes(client: TestClient, mailbox: Mailbox) -> None:
    sign_up(client, "supplier@example.org")
    page = client.get("/account/profile")
    assert "North East" in page.text
    assert "Tees Valley and Durham" in page.text
    bad = post_form(
        client,
        "/account/profile",
        "/account/profile",
        {"cpv_codes": "85312320, counselling", "description": "x"},
    )
    assert bad.status_code == 422
    assert "Not a CPV code: counselling" in bad.text
    assert "x</textarea>" in bad.text  # what was typed is kept
    saved = post_form(
        client,
        "/account/profile",
        "/account/profile",
        {
            "description": "Support for victims of crime",
            "cpv_codes": "85312320-8, 853",
            "keywords": "victim, domestic abuse",
            "exclusions": "catering",
            "regions": ["TLC", "TLC1"],
            "more_regions": "tld12",
            "value_min": "10,000",
            "value_max": "£500000",
            "vcse": "yes",
        },
    )
    assert saved.status_code == 303
    twin = client.get("/account/profile.json").json()
    assert twin["profile"]["cpv"] == ["85312320", "853"]
    assert twin["profile"]["regions"] == ["TLC", "TLC1", "TLD12"]
    assert twin["profile"]["keywords"] == ["victim", "domestic abuse"]
    assert (twin["profile"]["value_min"], twin["profile"]["value_max"]) == (10000, 500000)
    assert (twin["profile"]["sme"], twin["profile"]["vcse"]) == (False, True)
    assert [r["name"] for r in twin["region_names"]][:2] == ["North East", "Tees Valley and Durham"]
    page = client.get("/account/profile?saved=1").text
    assert 'value="TLC" checked' in page
    assert "Your profile is saved" in page


def test_api_tokens_are_shown_once_and_work_on_the_json_api(client: TestClient, mailbox: Mailbox) -> None:
    sign_up(client, "robot@example.org")
    created = post_form(client, "/account/tokens", "/account/tokens", {"name": "report script"})
    assert created.status_code == 201
    token = created.text.split('<code class="token">')[1].split("</code>")[0]
    assert token.startswith("tl_")
    listing = client.get("/account/tokens.json").json()["tokens"]
    assert [(t["name"], t["prefix"]) for t in listing] == [("report script", token[:10])]
    assert token not in client.get("/account/tokens").text  # never shown again
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/account.json", headers=bearer).json()["user"]["email"] == "robot@example.org"
    # A token-authenticated POST needs no CSRF token, and gets JSON.
    saved = client.post(
        "/account/searches", data={"query": "q=victim", "frequency": "weekly"}, headers=bearer
    )
    assert saved.status_code == 201
    assert saved.json()["search"]["name"] == "“victim”"
    revoked = client.post(f"/account/tokens/{listing[0]['id']}/revoke", headers=bearer)
    assert revoked.json() == {"ok": True, "revoked": listing[0]["id"]}
    assert client.get("/account.json", headers=bearer).status_code == 401


def test_watchlist_from_the_notice_with_stage_notes_and_calendar(
    client: TestClient, mailbox: Mailbox, site_store: Store
) -> None:
    sign_up(client, "bidder@example.org")
    added = post_form(
        client, "/account/watchlist", "/account/watchlist", {"ocid": SEED, "back": f"/notices/{SEED}"}
    )
    assert added.headers["location"] == f"/notices/{SEED}"
    page = client.get("/account/watchlist")
    assert "Interested" in page.text
    updated = post_form(
        client,
        "/account/watchlist",
        "/account/watchlist",
        {"ocid": SEED, "action": "update", "stage": "bidding", "notes": "Call Jo about the TUPE list"},
    )
    assert updated.status_code == 303
    [item] = client.get("/account/watchlist.json").json()["items"]
    assert (item["ocid"], item["stage"], item["notes"]) == (SEED, "bidding", "Call Jo about the TUPE list")
    calendar = client.get("/account/watchlist.ics")
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert f"UID:{SEED}/submission-deadline@tenderlens" in calendar.text
    # A calendar app has no cookie: it uses an API token in the URL.
    user = users.user_with_hash(site_store, "bidder@example.org")
    assert user is not None
    token, _ = users.create_api_token(site_store, user[0].id, "calendar", fixed_clock())
    client.cookies.clear()
    assert client.get("/account/watchlist.ics").status_code == 401
    assert "BEGIN:VEVENT" in client.get(f"/account/watchlist.ics?token={token}").text
    assert client.get("/account/watchlist.ics?token=tl_wrong").status_code == 401
    sign_in(client, "bidder@example.org")
    missing = post_form(client, "/account/watchlist", "/account/watchlist", {"ocid": "ocds-nope-1"})
    assert missing.status_code == 404
    removed = post_form(
        client, "/account/watchlist", "/account/watchlist", {"ocid": SEED, "action": "remove"}
    )
    assert removed.status_code == 303
    assert kept.list_watchlist(site_store, user[0].id) == []


def test_saved_searches_create_rename_frequency_delete(client: TestClient, mailbox: Mailbox) -> None:
    sign_up(client, "saver@example.org")
    saved = post_form(
        client,
        "/search?q=victim",
        "/account/searches",
        {"query": "q=victim&page=3&cpv=85", "name": "Victim support", "frequency": "instant"},
    )
    assert saved.status_code == 303
    [search] = client.get("/account/searches.json").json()["searches"]
    assert (search["name"], search["query"], search["frequency"]) == (
        "Victim support",
        "cpv=85&q=victim",
        "instant",
    )
    assert search["feed_url"].startswith("/feeds/searches/")
    changed = post_form(
        client,
        "/account/searches",
        f"/account/searches/{search['id']}",
        {"name": "Victims", "frequency": "weekly"},
    )
    assert changed.status_code == 303
    [search] = client.get("/account/searches.json").json()["searches"]
    assert (search["name"], search["frequency"]) == ("Victims", "weekly")
    bad = post_form(
        client,
        "/account/searches",
        f"/account/searches/{search['id']}",
        {"frequency": "hourly"},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "frequency"
    page = client.get("/account/searches").text
    assert "Weekly digest" in page
    deleted = post_form(client, "/account/searches", f"/account/searches/{search['id']}/delete", {})
    assert deleted.status_code == 303
    assert client.get("/account/searches.json").json()["searches"] == []


def test_admin_lists_and_disables_users(client: TestClient, mailbox: Mailbox, site_store: Store) -> None:
    sign_up(client, "member@example.org")
    client.cookies.clear()
    sign_up(client, "boss@example.org")
    assert client.get("/admin/users").status_code == 403
    users.set_admin(site_store, "boss@example.org")
    listing = client.get("/admin/users.json").json()["users"]
    assert [u["email"] for u in listing] == ["member@example.org", "boss@example.org"]
    member = listing[0]["id"]
    disabled = post_form(client, "/admin/users", f"/admin/users/{member}/disable", {})
    assert disabled.status_code == 303
    client.cookies.clear()
    refused = sign_in(client, "member@example.org")
    assert refused.status_code == 403
    assert "disabled" in refused.text


def test_watch_from_the_notice_page_and_save_from_the_search_page(
    client: TestClient, mailbox: Mailbox
) -> None:
    anonymous = client.get(f"/notices/{SEED}").text
    assert "Sign in</a> to watch this notice" in anonymous
    assert "Sign in</a> to save this search" in client.get("/search?q=support").text
    sign_up(client, "reader@example.org")
    notice = client.get(f"/notices/{SEED}").text
    assert "Watch this notice" in notice
    watched = client.post(
        "/account/watchlist",
        data={"ocid": SEED, "back": f"/notices/{SEED}", "csrf_token": csrf_of(notice)},
        follow_redirects=False,
    )
    assert watched.headers["location"] == f"/notices/{SEED}"
    assert 'is on <a href="/account/watchlist">your watchlist</a>' in client.get(f"/notices/{SEED}").text
    page = client.get("/search?q=support&sort=newest&page=1").text
    assert "Save this search" in page
    query = page.split('name="query" value="')[1].split('"')[0]
    assert "q=support" in query
    saved = client.post(
        "/account/searches",
        data={
            "query": query.replace("&amp;", "&"),
            "name": "Support",
            "frequency": "weekly",
            "csrf_token": csrf_of(page),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    [search] = client.get("/account/searches.json").json()["searches"]
    assert search["query"] == "q=support&sort=newest"


def test_sign_up_says_when_the_confirmation_could_not_be_emailed(site_url: str) -> None:
    from tenderlens.settings import AccountSettings
    from tenderlens.web.auth import AccountsState
    from tests.accounts.mailbox import Mailbox, mailer_for

    unreachable = AccountsState(
        AccountSettings(base_url="http://tenderlens.test"), mailer_for(Mailbox(port=1))
    )
    with TestClient(create_app(site_url, clock=fixed_clock, accounts=unreachable)) as client:
        response = sign_up(client, "nomail@example.org")
        assert response.headers["location"] == "/account?welcome=1&sent=0"
        page = client.get(response.headers["location"]).text
    assert "We could not send the email just now" in page
    assert "We have emailed you a link" not in page
