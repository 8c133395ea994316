"""The auth dependencies: who is signed in (cookie or API token), who may see what, and CSRF."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tenderlens.accounts import users
from tenderlens.accounts.passwords import hash_password
from tenderlens.store import Store
from tenderlens.web import create_app
from tenderlens.web.auth import (
    BROWSER_COOKIE,
    SESSION_COOKIE,
    CheckCsrf,
    CurrentUser,
    RequireAdmin,
    RequireUser,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tenderlens.web.auth import AccountsState


class Clock:
    """A clock tests can move."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


probe = APIRouter()


@probe.get("/probe/whoami.json")
def whoami(user: CurrentUser) -> JSONResponse:
    return JSONResponse({"email": user.email if user else None})


@probe.get("/probe/private.json")
@probe.get("/probe/private")
def private(user: RequireUser) -> JSONResponse:
    return JSONResponse({"email": user.email})


@probe.get("/probe/admin.json")
def admin(user: RequireAdmin) -> JSONResponse:
    return JSONResponse({"email": user.email})


@probe.post("/probe/change", dependencies=[CheckCsrf])
def change(user: CurrentUser) -> JSONResponse:
    return JSONResponse({"changed_by": user.email if user else None})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app_store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as store:
        yield store


@pytest.fixture
def client(store_url: str, accounts_state: AccountsState, clock: Clock) -> Iterator[TestClient]:
    app = create_app(store_url, clock=clock, accounts=accounts_state)
    app.include_router(probe)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def make_user(store: Store, email: str, clock: Clock, *, admin: bool = False) -> int:
    return users.create_user(
        store, email, hash_password("correct horse battery"), clock.now, is_admin=admin
    ).id


def test_anonymous_visitors_are_nobody_and_are_sent_to_sign_in(client: TestClient) -> None:
    assert client.get("/probe/whoami.json").json() == {"email": None}
    response = client.get("/probe/private.json")
    assert response.status_code == 401
    assert response.json()["ok"] is False
    assert response.json()["status"] == 401
    page = client.get("/probe/private?x=1", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/account/sign-in?next=%2Fprobe%2Fprivate%3Fx%3D1"


def test_a_session_cookie_signs_in_until_it_expires_or_ends(
    client: TestClient, app_store: Store, clock: Clock
) -> None:
    user_id = make_user(app_store, "Ann@Example.org ", clock)
    session = users.start_session(app_store, user_id, clock.now, timedelta(days=1))
    client.cookies.set(SESSION_COOKIE, session)
    assert client.get("/probe/private.json").json() == {"email": "ann@example.org"}
    clock.now += timedelta(days=1, seconds=1)
    assert client.get("/probe/private.json").status_code == 401
    clock.now -= timedelta(days=1)
    users.end_session(app_store, session)
    assert client.get("/probe/private.json").status_code == 401
    client.cookies.set(SESSION_COOKIE, "made-up")
    assert client.get("/probe/whoami.json").json() == {"email": None}


def test_a_disabled_user_is_signed_out(client: TestClient, app_store: Store, clock: Clock) -> None:
    user_id = make_user(app_store, "bob@example.org", clock)
    client.cookies.set(SESSION_COOKIE, users.start_session(app_store, user_id, clock.now, timedelta(days=1)))
    token, _ = users.create_api_token(app_store, user_id, "laptop", clock.now)
    users.set_disabled(app_store, user_id, clock.now)
    assert client.get("/probe/whoami.json").json() == {"email": None}
    assert client.get("/probe/whoami.json", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_api_tokens_work_until_revoked(client: TestClient, app_store: Store, clock: Clock) -> None:
    user_id = make_user(app_store, "cat@example.org", clock)
    other = make_user(app_store, "dan@example.org", clock)
    token, listed = users.create_api_token(app_store, user_id, "script", clock.now)
    assert token.startswith(listed.prefix)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/probe/private.json", headers=bearer).json() == {"email": "cat@example.org"}
    assert users.list_api_tokens(app_store, user_id)[0].last_used_at is not None
    assert not users.revoke_api_token(app_store, other, listed.id, clock.now)  # not theirs
    assert client.get("/probe/private.json", headers=bearer).status_code == 200
    assert users.revoke_api_token(app_store, user_id, listed.id, clock.now)
    response = client.get("/probe/private.json", headers=bearer)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == "The API token is not valid or has been revoked"
    assert client.get("/probe/whoami.json", headers={"Authorization": "Bearer "}).status_code == 401
    # Another scheme (Basic auth of a proxy in front of the app) is not an API token: ignored.
    assert client.get("/probe/whoami.json", headers={"Authorization": "Basic abc"}).json() == {"email": None}


def test_only_admins_see_admin_routes(client: TestClient, app_store: Store, clock: Clock) -> None:
    plain = make_user(app_store, "eve@example.org", clock)
    boss = make_user(app_store, "fay@example.org", clock, admin=True)
    plain_token, _ = users.create_api_token(app_store, plain, "t", clock.now)
    boss_token, _ = users.create_api_token(app_store, boss, "t", clock.now)
    assert (
        client.get("/probe/admin.json", headers={"Authorization": f"Bearer {plain_token}"}).status_code == 403
    )
    admin_response = client.get("/probe/admin.json", headers={"Authorization": f"Bearer {boss_token}"})
    assert admin_response.json() == {"email": "fay@example.org"}


def test_csrf_a_form_needs_this_browsers_token(client: TestClient, app_store: Store, clock: Clock) -> None:
    from tenderlens.accounts.secrets import csrf_token_for

    assert client.post("/probe/change").status_code == 403
    client.get("/probe/whoami.json")  # any page gives a new browser its pre-session secret
    browser = client.cookies[BROWSER_COOKIE]
    assert client.post("/probe/change", data={"csrf_token": "wrong"}).status_code == 403
    assert client.post("/probe/change", data={"csrf_token": csrf_token_for(browser)}).status_code == 200
    # Signed in, the token follows the session, and the pre-session one no longer works.
    user_id = make_user(app_store, "gil@example.org", clock)
    session = users.start_session(app_store, user_id, clock.now, timedelta(days=1))
    client.cookies.set(SESSION_COOKIE, session)
    assert client.post("/probe/change", data={"csrf_token": csrf_token_for(browser)}).status_code == 403
    response = client.post("/probe/change", data={"csrf_token": csrf_token_for(session)})
    assert response.json() == {"changed_by": "gil@example.org"}
    headers = {"X-CSRF-Token": csrf_token_for(session)}
    assert client.post("/probe/change", headers=headers).status_code == 200
    body = client.post("/probe/change", data={}, headers={"Accept": "application/json"}).json()
    assert body["status"] == 403
    assert body["errors"] == [{"field": "csrf_token", "message": "missing or wrong CSRF token"}]


def test_token_calls_need_no_csrf_token(client: TestClient, app_store: Store, clock: Clock) -> None:
    user_id = make_user(app_store, "hal@example.org", clock)
    token, _ = users.create_api_token(app_store, user_id, "t", clock.now)
    response = client.post("/probe/change", headers={"Authorization": f"Bearer {token}"})
    assert response.json() == {"changed_by": "hal@example.org"}
    assert client.post("/probe/change", headers={"Authorization": "Bearer tl_nope"}).status_code == 401


def test_cookies_are_httponly_and_lax(client: TestClient) -> None:
    response = client.get("/probe/whoami.json")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{BROWSER_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the test's base URL is http://tenderlens.test with secure_cookies False


def test_cookies_are_secure_unless_the_site_is_local_http(monkeypatch: pytest.MonkeyPatch) -> None:
    from tenderlens.exceptions import ConfigurationError
    from tenderlens.settings import AccountSettings

    for url, secure in (
        ("https://tenders.example.org", True),
        ("http://tenders.example.org", True),
        ("http://localhost:8000", False),
        ("http://127.0.0.1:8000/", False),
    ):
        monkeypatch.setenv("TENDERLENS_BASE_URL", url)
        assert AccountSettings.load().secure_cookies is secure, url
    monkeypatch.setenv("TENDERLENS_SECURE_COOKIES", "true")
    assert AccountSettings.load().secure_cookies is True
    monkeypatch.setenv("TENDERLENS_LOGIN_MAX_FAILURES", "0")
    with pytest.raises(ConfigurationError, match="TENDERLENS_LOGIN_MAX_FAILURES"):
        AccountSettings.load()


def test_a_secure_site_sets_secure_cookies(store_url: str, clock: Clock) -> None:
    from tenderlens.settings import AccountSettings
    from tenderlens.web.auth import AccountsState

    accounts = AccountsState(AccountSettings(base_url="https://tenders.example.org", secure_cookies=True))
    with TestClient(create_app(store_url, clock=clock, accounts=accounts)) as client:
        cookie = client.get("/account/sign-in").headers["set-cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
