"""Who is asking, and whether a form really came from this site: the web app's auth dependencies.

A request is signed in by the session cookie (``tl_session``, set on sign-in) or by an API
token (``Authorization: Bearer tl_…``). A middleware resolves it once per request;
:data:`CurrentUser`, :data:`RequireUser` and :data:`RequireAdmin` read the result.

CSRF: every browser has a secret cookie — the session id once signed in, before that a
random ``tl_browser`` cookie — and its CSRF token is an HMAC of that secret, so only pages
of this site (which put it in every form as ``csrf_token``) can know it. :data:`CheckCsrf`
is a dependency of every state-changing route; token-authenticated calls carry no cookie an
attacker's page could ride on, so they are exempt.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response as StarletteResponse

from tenderlens.accounts import users as accounts
from tenderlens.accounts.model import User
from tenderlens.accounts.secrets import csrf_token_for, new_secret, same
from tenderlens.mail import Mailer
from tenderlens.settings import AccountSettings
from tenderlens.web.deps import AppState
from tenderlens.web.errors import WebError, error_body
from tenderlens.web.rendering import ENVIRONMENT, json_response, wants_json

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "tl_session"
BROWSER_COOKIE = "tl_browser"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SIGN_IN_PATH = "/account/sign-in"


@dataclass(frozen=True, slots=True)
class AccountsState:
    """What the account routes need beyond :class:`AppState`: their settings and the mailer."""

    settings: AccountSettings = field(default_factory=AccountSettings)
    mailer: Mailer = field(default_factory=Mailer)


@dataclass(frozen=True, slots=True)
class Auth:
    """The resolved identity of one request."""

    user: User | None = None
    via: str | None = None  # "session" | "token" | None
    csrf_token: str = ""
    bad_token: bool = False  # an Authorization header was sent and is not a live token
    new_browser_secret: str | None = None  # to set as the tl_browser cookie on the response


_NOBODY = Auth()
_CURRENT: contextvars.ContextVar[Auth] = contextvars.ContextVar("tenderlens_auth", default=_NOBODY)


def accounts_state(request: Request) -> AccountsState:
    state = request.app.state.accounts
    assert isinstance(state, AccountsState)
    return state


AccountsDep = Annotated[AccountsState, Depends(accounts_state)]


def _bearer(request: Request) -> str | None:
    """The API token of an ``Authorization: Bearer`` header; other schemes (a proxy's Basic) are not ours."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def resolve(request: Request) -> Auth:
    """Read the API token or session cookie of a request (runs in a worker thread: it queries)."""
    state = request.app.state.tenderlens
    assert isinstance(state, AppState)
    now = state.now()
    token = _bearer(request)
    if token is not None:
        user = accounts.api_token_user(state.store, token, now) if token else None
        return Auth(user=user, via="token" if user else None, bad_token=user is None)
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        user = accounts.session_user(state.store, session_id, now)
        if user is not None:
            return Auth(user=user, via="session", csrf_token=csrf_token_for(session_id))
    browser = request.cookies.get(BROWSER_COOKIE)
    if browser:
        return Auth(csrf_token=csrf_token_for(browser))
    secret = new_secret()
    return Auth(csrf_token=csrf_token_for(secret), new_browser_secret=secret)


class AuthMiddleware:
    """Resolve who is asking once per request, for the routes and the templates (pure ASGI).

    Not ``BaseHTTPMiddleware``: that runs the app in another task and copies each response
    through a stream, which costs every request; here the ``http.response.start`` message is
    only looked at, to add the ``tl_browser`` cookie a new browser needs.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if _bearer(request) is None and not request.cookies.get(SESSION_COOKIE):
            auth = resolve(request)  # anonymous: nothing to query, so no worker-thread hop
        else:
            auth = await run_in_threadpool(resolve, request)
        request.state.auth = auth

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and auth.new_browser_secret and auth.via is None:
                headers = MutableHeaders(scope=message)
                if not any(SESSION_COOKIE in value for value in headers.getlist("set-cookie")):
                    headers.append("set-cookie", _browser_cookie(request, auth.new_browser_secret))
            await send(message)

        reset = _CURRENT.set(auth)
        reset_state = _STATE.set(request.app.state.tenderlens)
        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            _STATE.reset(reset_state)
            _CURRENT.reset(reset)


def _browser_cookie(request: Request, secret: str) -> str:
    """The ``Set-Cookie`` value of a new browser's secret (httponly, lax, secure when configured)."""
    settings = accounts_state(request).settings
    cookie = StarletteResponse()
    cookie.set_cookie(
        BROWSER_COOKIE, secret, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
    )
    return cookie.headers["set-cookie"]


def request_auth(request: Request) -> Auth:
    auth = getattr(request.state, "auth", None)
    return auth if isinstance(auth, Auth) else Auth()


# -- dependencies -----------------------------------------------------------------------------


def current_user(request: Request) -> User | None:
    """The signed-in user, or None; a sent but unknown or revoked API token is a 401."""
    auth = request_auth(request)
    if auth.bad_token:
        raise StarletteHTTPException(
            401, "The API token is not valid or has been revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    return auth.user


class SignInRequired(Exception):  # noqa: N818 - it names what the visitor must do
    """Raised by :func:`require_user`: JSON callers get a 401, browsers the sign-in page."""


def require_user(user: Annotated[User | None, Depends(current_user)]) -> User:
    if user is None:
        raise SignInRequired
    return user


def require_admin(user: Annotated[User, Depends(require_user)]) -> User:
    if not user.is_admin:
        raise WebError(403, "Only administrators can see this page")
    return user


async def check_csrf(request: Request) -> None:
    """Reject a state-changing request from a browser unless it carries this browser's CSRF token."""
    auth = request_auth(request)
    if auth.bad_token:
        current_user(request)  # raises the 401
    if auth.via == "token":
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not auth.csrf_token or not same(sent, auth.csrf_token):
        raise WebError(
            403,
            "This form has expired or did not come from this site: reload the page and try again",
            [{"field": CSRF_FIELD, "message": "missing or wrong CSRF token"}],
        )


CurrentUser = Annotated[User | None, Depends(current_user)]
RequireUser = Annotated[User, Depends(require_user)]
RequireAdmin = Annotated[User, Depends(require_admin)]
CheckCsrf = Depends(check_csrf)
"""Use as ``dependencies=[CheckCsrf]`` on every POST route (or a parameter ``_: None = CheckCsrf``)."""


# -- cookies ----------------------------------------------------------------------------------


def set_session_cookie(response: Response, session_id: str, settings: AccountSettings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=settings.session_days * 86_400,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def clear_session_cookie(response: Response, settings: AccountSettings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )


# -- templates and errors ---------------------------------------------------------------------


class _CsrfToken:
    """``{{ csrf_token }}`` in any template: this request's token (read when rendered)."""

    def __str__(self) -> str:
        return _CURRENT.get().csrf_token

    def __html__(self) -> str:
        return str(self)


def _current_user() -> User | None:
    return _CURRENT.get().user


def template_user() -> User | None:
    """The signed-in user of the request being rendered (``current_user()`` in templates)."""
    return _current_user()


_STATE: contextvars.ContextVar[AppState | None] = contextvars.ContextVar("tenderlens_state", default=None)


def template_watching(ocid: str) -> bool:
    """Whether the signed-in user watches this notice (``watching(ocid)`` in templates)."""
    user, state = _current_user(), _STATE.get()
    if user is None or state is None:
        return False
    from tenderlens.accounts.store import get_watched  # noqa: PLC0415 - accounts.store imports match

    return get_watched(state.store, user.id, ocid) is not None


async def _sign_in_required(request: Request, _exc: Exception) -> Response:
    if wants_json(request):
        body = error_body(401, "Sign in to see this: use the session cookie or an API token")
        return json_response(body, 401, headers={"WWW-Authenticate": "Bearer"})
    if request.method != "GET":
        return RedirectResponse(SIGN_IN_PATH, status_code=303)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{SIGN_IN_PATH}?next={quote(target, safe='')}", status_code=303)


def install(app: FastAPI, accounts_state: AccountsState) -> None:
    """Wire auth into the app: its state, the middleware, the sign-in handler, template globals."""
    app.state.accounts = accounts_state
    app.add_middleware(AuthMiddleware)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    ENVIRONMENT.globals.update(
        csrf_token=_CsrfToken(), current_user=template_user, watching=template_watching, csrf_field=CSRF_FIELD
    )
