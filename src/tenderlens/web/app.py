"""The web app: ``create_app(store_url)`` → a FastAPI app serving server-rendered pages and their JSON twins.

Pages work without JavaScript (the Content-Security-Policy allows none). The OpenAPI schema
of the JSON routes is at ``/api/openapi.json`` and described in words at ``/api``.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Final

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders

from tenderlens import __version__
from tenderlens.mail import Mailer
from tenderlens.reference import Reference
from tenderlens.settings import AccountSettings, Settings
from tenderlens.store import Store
from tenderlens.web import auth, errors
from tenderlens.web.collector import Collector, WarmFreeze
from tenderlens.web.deps import AppState
from tenderlens.web.routes import account_pages, api, data, pages
from tenderlens.web.routes import accounts as account_routes
from tenderlens.web.routes import match as match_routes

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def store_reference(store: Store) -> Reference:
    """The packaged reference tables plus the CPV list and postcodes loaded into this store."""
    return Reference(
        cpv_labels=store.cpv_labels() or None,
        postcodes=store.postcode_areas if store.has_postcodes() else None,
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    store_url: str | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    accounts: auth.AccountsState | None = None,
) -> FastAPI:
    """The app over the store at ``store_url`` (upgraded to the current schema when opened).

    Without a URL it uses the settings (``TENDERLENS_DATABASE_URL``, else the default SQLite
    file), so ``uvicorn --factory tenderlens.web.app:create_app --workers N`` works as is.
    ``clock`` gives "now" for relative dates and deadline filters (tests fix it). Reference
    data loaded into the store later (``tenderlens reference load``) is seen after a restart.
    ``accounts`` gives the account settings and the mailer (default: from the environment).
    """
    store = Store.open(Settings.load(store_url).database_url)
    state = AppState(store=store, reference=store_reference(store), clock=clock or _utc_now)
    collector = Collector()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        collector.startup()
        yield
        store.close()

    app = FastAPI(
        title="tenderlens",
        version=__version__,
        summary="UK public procurement notices (Find a Tender, Contracts Finder) as pages and JSON.",
        description="Every page has a JSON twin; errors always have the shape "
        '`{"ok": false, "error": ..., "errors": [...], "status": N}`.',
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.tenderlens = state
    errors.install(app)
    auth.install(app, accounts or auth.AccountsState(AccountSettings.load(), Mailer()))
    app.add_middleware(SecurityHeaders)
    app.add_middleware(WarmFreeze, collector=collector)
    static = resources.files("tenderlens.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    # Data routes first: their suffixes (.ics, /compiled.json, .atom) must win over the pages' paths.
    app.include_router(api.router)
    app.include_router(data.router)
    app.include_router(account_routes.router)
    app.include_router(account_pages.router)
    app.include_router(match_routes.router)
    app.include_router(pages.router)
    return app


SECURITY_HEADERS: Final = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", CSP),
)


class SecurityHeaders:
    """Add the security headers to every response that does not set its own (pure ASGI, so cheap)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
