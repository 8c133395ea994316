"""One user can never read or change another's data, through any route; CSRF, throttling, tokens, passwords.

Every route that reads or writes user data must be in :data:`CASES` (the test fails naming
any that is not): routes under ``/account`` and ``/admin``, ``/alerts`` and ``/feeds``, and any
route depending on the signed-in user. Each case is what Bob sends to reach Alice's data
(her saved search id, her token id, the notice she watches...). For every case Bob's answer
must not carry any of Alice's markers, and Alice's data must be exactly as before.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import inspect, select

from tenderlens.accounts import store as kept
from tenderlens.accounts import users
from tenderlens.accounts.secrets import digest
from tenderlens.accounts.tables import feedback, relevance_weights, user_tokens
from tenderlens.store import Store
from tenderlens.web import create_app
from tenderlens.web.auth import AccountsState, check_csrf, current_user, require_user
from tests.accounts.browsing import PASSWORD, csrf_of, post_form, sign_in, sign_up
from tests.accounts.mailbox import mailer_for, start_mailbox
from tests.conftest import DEFAULT_CI_POSTGRES, POSTGRES_ENV, _drop_schema, _postgres_schema_url, postgres_url
from tests.web.conftest import load

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from fastapi import FastAPI

from tenderlens.settings import AccountSettings

WATCHED = "ocds-h6vhtk-0web01"  # Alice watches it, and gives feedback on it
OTHER = "ocds-h6vhtk-0web03"
ALICE = "alice@example.org"
BOB = "bob@example.org"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


# -- the two users and their data -------------------------------------------------------------


@dataclass
class Env:
    app: FastAPI
    store: Store
    alice: TestClient
    bob: TestClient
    anonymous: TestClient
    alice_id: int
    bob_id: int
    ids: dict[str, Any] = field(default_factory=dict)  # Alice's: search, token, feed, unsubscribe
    markers: tuple[str, ...] = ()  # strings only Alice's data contains

    def snapshot(self) -> dict[str, Any]:
        """Everything Alice keeps, read straight from the store."""
        with self.store.engine.connect() as conn:
            verdicts = conn.execute(select(feedback).where(feedback.c.user_id == self.alice_id)).all()
            weights = conn.execute(
                select(relevance_weights).where(relevance_weights.c.user_id == self.alice_id)
            ).all()
        user = users.get_user(self.store, self.alice_id)
        return {
            "user": user,
            "profile": kept.get_profile(self.store, self.alice_id),
            "searches": kept.list_searches(self.store, self.alice_id),
            "watchlist": kept.list_watchlist(self.store, self.alice_id),
            "tokens": users.list_api_tokens(self.store, self.alice_id),
            "feedback": sorted(tuple(row) for row in verdicts),
            "weights": sorted(tuple(row) for row in weights),
        }


def _backend_url(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{folder / 'security.sqlite'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"no PostgreSQL configured (set {POSTGRES_ENV}, or CI=true for {DEFAULT_CI_POSTGRES})")
    url, schema = _postgres_schema_url(base)
    yield url
    _drop_schema(base, schema)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    folder = tmp_path_factory.mktemp("security")
    mailbox, controller = start_mailbox()
    urls = _backend_url(request, folder)
    url = next(urls)
    try:
        load(url, folder / "in")
        accounts = AccountsState(AccountSettings(base_url="http://tenderlens.test"), mailer_for(mailbox))
        app = create_app(url, clock=Clock(), accounts=accounts)
        with (
            TestClient(app, raise_server_exceptions=False) as alice,
            TestClient(app, raise_server_exceptions=False) as bob,
            TestClient(app, raise_server_exceptions=False) as anonymous,
            Store.open(url) as store,
        ):
            yield _populate(app, store, alice, bob, anonymous)
    finally:
        controller.stop()
        next(urls, None)


def _populate(app: FastAPI, store: Store, alice: TestClient, bob: TestClient, anonymous: TestClient) -> Env:
    sign_up(alice, ALICE)
    sign_up(bob, BOB)
    for client, who in ((alice, "alice"), (bob, "bob")):
        post_form(
            client,
            "/account/profile",
            "/account/profile",
            {"description": f"{who}-profile-words", "keywords": f"{who}keyword", "cpv_codes": "85"},
        )
        post_form(
            client,
            "/account/searches",
            "/account/searches",
            {"query": f"q={who}query", "name": f"{who}-secret-search", "frequency": "daily"},
        )
        post_form(client, "/account/tokens", "/account/tokens", {"name": f"{who}-token"})
    post_form(alice, "/account/watchlist", "/account/watchlist", {"ocid": WATCHED})
    post_form(
        alice,
        "/account/watchlist",
        "/account/watchlist",
        {"ocid": WATCHED, "action": "update", "stage": "bidding", "notes": "alice-private-note"},
    )
    post_form(bob, "/account/watchlist", "/account/watchlist", {"ocid": OTHER})
    feedback_route = any(getattr(r, "path", "") == "/notices/{ocid}/feedback" for r in app.routes)
    if feedback_route:
        post_form(alice, f"/notices/{WATCHED}", f"/notices/{WATCHED}/feedback", {"verdict": "relevant"})
    alice_id = users.user_with_hash(store, ALICE)[0].id  # type: ignore[index]
    bob_id = users.user_with_hash(store, BOB)[0].id  # type: ignore[index]
    [search] = kept.list_searches(store, alice_id)
    [token] = users.list_api_tokens(store, alice_id)
    env = Env(app, store, alice, bob, anonymous, alice_id, bob_id)
    env.ids = {
        "search": search.id,
        "token": token.id,
        "feed": search.feed_token,
        "unsubscribe": search.unsubscribe_token,
        "alice": alice_id,
        "ocid": WATCHED,
    }
    env.markers = (
        ALICE,
        "alice-profile-words",
        "alicekeyword",
        "alice-secret-search",
        "alicequery",
        "alice-token",
        token.prefix,
        "alice-private-note",
        search.feed_token,
        search.unsubscribe_token,
    )
    return env


# -- the table: every route that touches user data, and what Bob tries through it ---------------


@dataclass(frozen=True)
class Try:
    """What Bob sends; ``{search}``, ``{token}``... are Alice's ids. ``status``: what he must get."""

    method: str
    url: str
    data: dict[str, Any] | None = None
    status: frozenset[int] | None = None
    needs_user: bool = True  # an anonymous request must be refused (401, or a redirect to sign in)


def ok(*codes: int) -> frozenset[int]:
    return frozenset(codes)


CASES: dict[tuple[str, str], Try] = {
    # Pages that show only the signed-in user's own data.
    ("GET", "/account"): Try("GET", "/account", status=ok(200)),
    ("GET", "/account.json"): Try("GET", "/account.json", status=ok(200)),
    ("GET", "/account/profile"): Try("GET", "/account/profile", status=ok(200)),
    ("GET", "/account/profile.json"): Try("GET", "/account/profile.json", status=ok(200)),
    ("GET", "/account/tokens"): Try("GET", "/account/tokens", status=ok(200)),
    ("GET", "/account/tokens.json"): Try("GET", "/account/tokens.json", status=ok(200)),
    ("GET", "/account/watchlist"): Try("GET", "/account/watchlist", status=ok(200)),
    ("GET", "/account/watchlist.json"): Try("GET", "/account/watchlist.json", status=ok(200)),
    ("GET", "/account/watchlist.ics"): Try("GET", "/account/watchlist.ics", status=ok(200)),
    ("GET", "/account/searches"): Try("GET", "/account/searches", status=ok(200)),
    ("GET", "/account/searches.json"): Try("GET", "/account/searches.json", status=ok(200)),
    # Changes aimed at Alice's rows by their ids: not found for Bob, and nothing changes.
    ("POST", "/account/profile"): Try("POST", "/account/profile", {"description": "bob again"}, ok(303)),
    ("POST", "/account/tokens"): Try("POST", "/account/tokens", {"name": "bob-second"}, ok(201)),
    ("POST", "/account/tokens/{token_id}/revoke"): Try("POST", "/account/tokens/{token}/revoke", {}, ok(404)),
    ("POST", "/account/watchlist"): Try(
        "POST",
        "/account/watchlist",
        {"ocid": "{ocid}", "action": "update", "stage": "lost", "notes": "x"},
        ok(404),
    ),
    ("POST", "/account/searches"): Try(
        "POST", "/account/searches", {"query": "q=bobtwo", "frequency": "never"}, ok(303)
    ),
    ("POST", "/account/searches/{search_id}"): Try(
        "POST", "/account/searches/{search}", {"name": "hijacked", "frequency": "never"}, ok(404)
    ),
    ("POST", "/account/searches/{search_id}/delete"): Try(
        "POST", "/account/searches/{search}/delete", {}, ok(404)
    ),
    ("POST", "/account/verify/resend"): Try("POST", "/account/verify/resend", {}, ok(303)),
    # Admin routes: Bob is not an admin.
    ("GET", "/admin/users"): Try("GET", "/admin/users", status=ok(403)),
    ("GET", "/admin/users.json"): Try("GET", "/admin/users.json", status=ok(403)),
    ("POST", "/admin/users/{user_id}/disable"): Try("POST", "/admin/users/{alice}/disable", {}, ok(403)),
    ("POST", "/admin/users/{user_id}/enable"): Try("POST", "/admin/users/{alice}/enable", {}, ok(403)),
    # Public account forms: they touch no one's data but the visitor's own.
    ("GET", "/account/sign-up"): Try("GET", "/account/sign-up", status=ok(200, 303), needs_user=False),
    ("POST", "/account/sign-up"): Try(
        "POST", "/account/sign-up", {"email": ALICE, "password": PASSWORD}, ok(422), needs_user=False
    ),
    ("GET", "/account/sign-in"): Try("GET", "/account/sign-in", status=ok(200, 303), needs_user=False),
    ("POST", "/account/sign-in"): Try(
        "POST", "/account/sign-in", {"email": ALICE, "password": "guess one"}, ok(400), needs_user=False
    ),
    ("POST", "/account/sign-out"): Try("POST", "/account/sign-out", {}, ok(303), needs_user=False),
    ("GET", "/account/verify"): Try("GET", "/account/verify?token=guess", status=ok(400), needs_user=False),
    ("GET", "/account/verify.json"): Try(
        "GET", "/account/verify.json?token=guess", status=ok(400), needs_user=False
    ),
    ("GET", "/account/reset"): Try("GET", "/account/reset", status=ok(200), needs_user=False),
    ("POST", "/account/reset"): Try("POST", "/account/reset", {"email": BOB}, ok(202), needs_user=False),
    ("GET", "/account/reset/confirm"): Try(
        "GET", "/account/reset/confirm?token=guess", status=ok(400), needs_user=False
    ),
    ("POST", "/account/reset/confirm"): Try(
        "POST",
        "/account/reset/confirm",
        {"token": "guess", "password": "a new long password"},
        ok(400),
        needs_user=False,
    ),
    # Relevance (tenderlens.match): Bob's verdict and his fit never touch Alice's.
    ("POST", "/notices/{ocid}/feedback"): Try(
        "POST", "/notices/{ocid}/feedback", {"verdict": "not-relevant"}, ok(303), needs_user=False
    ),
    ("GET", "/search/fit"): Try("GET", "/search/fit?q=support", status=ok(200), needs_user=False),
    ("GET", "/search/fit.json"): Try("GET", "/search/fit.json?q=support", status=ok(200), needs_user=False),
    # Feeds and unsubscribe links: the unguessable token is the key; a guess finds nothing.
    ("GET", "/feeds/searches/{feed_token}.atom"): Try(
        "GET", "/feeds/searches/not-her-token.atom", status=ok(404), needs_user=False
    ),
    ("GET", "/alerts/unsubscribe/{token}"): Try(
        "GET", "/alerts/unsubscribe/not-her-token", status=ok(404), needs_user=False
    ),
    ("POST", "/alerts/unsubscribe/{token}"): Try(
        "POST", "/alerts/unsubscribe/not-her-token", {}, ok(404), needs_user=False
    ),
    # Public pages that show the signed-in user's own relevance block.
    ("GET", "/notices/{ocid}"): Try("GET", "/notices/{ocid}", status=ok(200), needs_user=False),
    ("GET", "/notices/{ocid}.json"): Try("GET", "/notices/{ocid}.json", status=ok(200), needs_user=False),
}

# Pages whose templates show the signed-in user's own data (through ``current_user()``), so
# they are in the table although their routes do not depend on the user.
USER_AWARE_PAGES = frozenset({("GET", "/notices/{ocid}"), ("GET", "/notices/{ocid}.json")})
USER_PREFIXES = ("/account", "/admin", "/alerts", "/feeds/searches")
# One-click unsubscribe (RFC 8058) is posted by mail clients with no cookie and no form: the
# unguessable token in the URL is the only key, so a forged request can only stop alerts the
# forger already holds the link to.
CSRF_EXEMPT = frozenset({("POST", "/alerts/unsubscribe/{token}")})


def _depends_on_user(dependant: Any) -> bool:
    for sub in dependant.dependencies:
        if sub.call in {current_user, require_user, check_csrf} or _depends_on_user(sub):
            return True
    return False


def _walk(routes: Any) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI >= 0.16x wraps included routers
            yield from _walk(route.original_router.routes)


def _api_routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    return [
        (method, route.path, route)
        for route in _walk(app.routes)
        for method in sorted(route.methods - {"HEAD"})
    ]


def user_data_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, path)
        for method, path, route in _api_routes(app)
        if path.startswith(USER_PREFIXES)
        or _depends_on_user(route.dependant)
        or (method, path) in USER_AWARE_PAGES
    }


def post_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {(method, path) for method, path, _ in _api_routes(app) if method == "POST"}


def test_every_user_data_route_is_in_the_table(env: Env) -> None:
    found = user_data_routes(env.app)
    assert {("GET", "/account"), ("POST", "/account/searches/{search_id}")} <= found
    assert sorted(found - set(CASES)) == [], "add these routes to CASES in tests/accounts/test_security.py"
    assert post_routes(env.app) <= set(CASES), "every POST route must be in CASES"


def _fill(text: str, ids: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), text)


def _send(env: Env, client: TestClient, attempt: Try, page: str = "/account/sign-in") -> Any:
    url = _fill(attempt.url, env.ids)
    if attempt.method == "GET":
        return client.get(url, follow_redirects=False)
    data = {key: _fill(str(value), env.ids) for key, value in (attempt.data or {}).items()}
    return post_form(client, page, url, data)


def _routes(env_app_cases: dict[tuple[str, str], Try]) -> list[tuple[str, str]]:
    return sorted(env_app_cases)


@pytest.mark.parametrize(("method", "path"), _routes(CASES), ids=lambda value: value)
def test_bob_cannot_read_or_change_alices_data(env: Env, method: str, path: str) -> None:
    present = {(m, p) for m, p, _ in _api_routes(env.app)}
    if (method, path) not in present:
        pytest.skip(f"{method} {path} is not a route of this app")
    attempt = CASES[(method, path)]
    before = env.snapshot()
    # Bob's own session is used, then restored (sign-out ends it; sign-in attempts do not).
    response = _send(env, env.bob, attempt)
    if attempt.status is not None:
        assert response.status_code in attempt.status, (
            method,
            path,
            response.status_code,
            response.text[:300],
        )
    body = response.text
    sent = _fill(attempt.url + " " + " ".join(map(str, (attempt.data or {}).values())), env.ids)
    leaked = [marker for marker in env.markers if marker in body and marker not in sent]  # not his own echo
    assert leaked == [], f"{method} {path} showed Bob Alice's data: {leaked}"
    assert env.snapshot() == before, f"{method} {path} changed Alice's data"
    if users.session_count(env.store, env.bob_id, datetime(2026, 6, 4, 9, 0, tzinfo=UTC)) == 0 or (
        path == "/account/sign-out"
    ):
        env.bob.cookies.clear()
        sign_in(env.bob, BOB)


@pytest.mark.parametrize(
    ("method", "path"), sorted(key for key, attempt in CASES.items() if attempt.needs_user), ids=lambda v: v
)
def test_anonymous_visitors_are_refused(env: Env, method: str, path: str) -> None:
    present = {(m, p) for m, p, _ in _api_routes(env.app)}
    if (method, path) not in present:
        pytest.skip(f"{method} {path} is not a route of this app")
    before = env.snapshot()
    response = _send(env, env.anonymous, CASES[(method, path)])
    assert response.status_code in {401, 303}, (method, path, response.status_code)
    if response.status_code == 303:
        assert response.headers["location"].startswith("/account/sign-in")
    assert [marker for marker in env.markers if marker in response.text] == []
    assert env.snapshot() == before


def test_csrf_is_checked_on_every_post_route(env: Env) -> None:
    checked = []
    for method, path in sorted(post_routes(env.app) - CSRF_EXEMPT):
        attempt = CASES[(method, path)]
        url = _fill(attempt.url, env.ids)
        data = {key: _fill(str(value), env.ids) for key, value in (attempt.data or {}).items()}
        before = env.snapshot()
        for token in (
            None,
            "wrong",
            csrf_of(env.alice.get("/account").text),
        ):  # Alice's token is wrong for Bob
            sent = data if token is None else {**data, "csrf_token": token}
            response = env.bob.post(
                url, data=sent, follow_redirects=False, headers={"Accept": "application/json"}
            )
            assert response.status_code == 403, (path, token, response.status_code)
            assert response.json()["errors"][0]["field"] == "csrf_token"
        assert env.snapshot() == before
        checked.append(path)
    assert "/account/profile" in checked


def test_api_tokens_reach_only_their_owners_data(env: Env) -> None:
    token, listed = users.create_api_token(env.store, env.bob_id, "bob-api", datetime(2026, 6, 4, tzinfo=UTC))
    bearer = {"Authorization": f"Bearer {token}"}
    with TestClient(env.app) as script:
        searches = script.get("/account/searches.json", headers=bearer).json()["searches"]
        assert [s["name"] for s in searches][:1] == ["bob-secret-search"]
        assert script.post(f"/account/searches/{env.ids['search']}/delete", headers=bearer).status_code == 404
        assert script.post(f"/account/tokens/{env.ids['token']}/revoke", headers=bearer).status_code == 404
        assert users.revoke_api_token(env.store, env.bob_id, listed.id, datetime(2026, 6, 4, tzinfo=UTC))
        assert script.get("/account/searches.json", headers=bearer).status_code == 401
    assert kept.get_search(env.store, env.alice_id, env.ids["search"]) is not None


def test_passwords_are_never_stored_in_clear(env: Env) -> None:
    """No column of any table holds the password, whole or as its sha256."""
    needles = (PASSWORD, digest(PASSWORD))
    with env.store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if table.startswith("search_fts"):
                continue
            for row in conn.exec_driver_sql(f'SELECT * FROM "{table}"'):  # names from the schema
                text = " ".join(str(value) for value in row)
                assert not any(needle in text for needle in needles), table


# -- throttling, one-time tokens: each on its own app with a clock the test moves ---------------


@pytest.fixture
def timed(store_url: str, accounts_state: AccountsState) -> Iterator[tuple[TestClient, Clock, Store]]:
    clock = Clock()
    with (
        TestClient(create_app(store_url, clock=clock, accounts=accounts_state)) as client,
        Store.open(store_url) as store,
    ):
        yield client, clock, store


def test_sign_in_is_throttled_per_email(timed: tuple[TestClient, Clock, Store]) -> None:
    client, clock, _ = timed
    sign_up(client, ALICE)
    client.cookies.clear()
    for _ in range(5):
        assert sign_in(client, ALICE, "wrong guess").status_code == 400
    throttled = sign_in(client, ALICE)  # even the right password waits
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["retry-after"]) <= 15 * 60 + 1
    assert "Too many failed attempts" in throttled.text
    clock.now += timedelta(minutes=15, seconds=1)
    assert sign_in(client, ALICE).status_code == 303
    # A success clears the count for the email.
    client.cookies.clear()
    for _ in range(4):
        sign_in(client, ALICE, "wrong guess")
    assert sign_in(client, ALICE).status_code == 303


def test_sign_in_is_throttled_per_client_address(timed: tuple[TestClient, Clock, Store]) -> None:
    client, clock, _ = timed
    sign_up(client, BOB)
    client.cookies.clear()
    for n in range(20):
        assert sign_in(client, f"guess{n}@example.org", "wrong guess").status_code == 400
    assert sign_in(client, BOB).status_code == 429
    assert sign_in(client, "another@example.org", "x").status_code == 429
    clock.now += timedelta(minutes=16)
    assert sign_in(client, BOB).status_code == 303


def test_unknown_emails_cost_a_password_check(
    timed: tuple[TestClient, Clock, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenderlens.accounts import passwords

    calls: list[str] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: calls.append(p) or real(h, p))
    client, _, _ = timed
    response = sign_in(client, "nobody@example.org", "some password")
    assert response.status_code == 400
    assert "The email or password is not right" in response.text
    assert calls == ["some password"]


def _latest_token_of(store: Store, purpose: str) -> str:
    with store.engine.connect() as conn:
        return (
            conn.execute(
                select(user_tokens.c.token_hash)
                .where(user_tokens.c.purpose == purpose)
                .order_by(user_tokens.c.created_at)
            )
            .scalars()
            .all()[-1]
        )


def test_verify_tokens_expire_and_work_once(timed: tuple[TestClient, Clock, Store], mailbox: Any) -> None:
    client, clock, store = timed
    sign_up(client, ALICE)
    [message] = mailbox.wait(1)
    link = mailbox.link(message, "/account/verify")
    assert _latest_token_of(store, "verify") == digest(link.split("token=")[1])  # stored hashed
    clock.now += timedelta(hours=48, seconds=1)
    expired = client.get(link)
    assert expired.status_code == 400
    assert "expired or has been used" in expired.text
    clock.now -= timedelta(hours=1)
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 400  # once


def test_reset_tokens_expire_and_work_once(timed: tuple[TestClient, Clock, Store], mailbox: Any) -> None:
    client, clock, _ = timed
    sign_up(client, ALICE)
    client.cookies.clear()
    post_form(client, "/account/reset", "/account/reset", {"email": ALICE})
    mailbox.wait(2)
    [message] = [m for m in mailbox.to(ALICE) if "Reset" in m["Subject"]]
    link = mailbox.link(message, "/account/reset/confirm")
    token = link.split("token=")[1]

    def reset(password: str) -> Any:
        csrf = csrf_of(client.get("/account/reset").text)
        return client.post(
            "/account/reset/confirm",
            data={"token": token, "password": password, "csrf_token": csrf},
            follow_redirects=False,
        )

    clock.now += timedelta(hours=1, seconds=1)
    assert client.get(link).status_code == 400
    assert reset("a different long password").status_code == 400
    clock.now -= timedelta(minutes=2)
    assert reset("short").status_code == 422  # a bad password does not spend the link
    assert reset("a different long password").status_code == 303
    assert reset("yet another long password").status_code == 400  # once
    assert sign_in(client, ALICE, "a different long password").status_code == 303


def test_account_emails_to_one_address_are_limited(
    timed: tuple[TestClient, Clock, Store], mailbox: Any
) -> None:
    client, clock, _ = timed
    sign_up(client, ALICE)  # the first confirmation email
    for _ in range(4):
        post_form(client, "/account", "/account/verify/resend", {})
    client.cookies.clear()
    for _ in range(5):
        assert post_form(client, "/account/reset", "/account/reset", {"email": ALICE}).status_code == 202
    time.sleep(0.5)
    subjects = [message["Subject"] for message in mailbox.to(ALICE)]
    assert sum("Confirm" in subject for subject in subjects) == 3
    assert sum("Reset" in subject for subject in subjects) == 3
    clock.now += timedelta(minutes=16)
    post_form(client, "/account/reset", "/account/reset", {"email": ALICE})
    mailbox.wait(7)
