"""Keeping what lives as long as the server out of the cycle collector's full walks.

A full collection walks every tracked object that is not frozen, and the request that
triggers one waits for it. What exists when the server starts (modules, reference tables,
the app) is frozen then. The first requests build more that lives as long: FastAPI's
validators and serialisers, compiled templates, SQLAlchemy's statement cache, lru caches.
Left to the collector, those made each full collection about 7 ms at the 100k store, one
request in a hundred or so: the notice page's p99. So they are frozen too, after a few
requests spaced out by powers of ten (a handful of freezes per process, then never again).

Freezing does not stop reference counting: a frozen object that is dropped is freed as
usual. Only a cycle of them that becomes garbage stays until the process ends, and what is
frozen is what survived a full collection just before, so that stays small and bounded.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

WARM_FREEZES: Final = frozenset({1, 10, 100, 1_000, 10_000})
"""After these many requests served, what is alive is frozen (once each)."""


def collect_and_freeze() -> None:
    gc.collect()
    gc.freeze()


class Collector:
    """Freezes at startup, then after the requests of :data:`WARM_FREEZES`, for one app.

    Only the first app of a process freezes (a test run starts hundreds), so what is
    frozen stays bounded.
    """

    def __init__(self) -> None:
        self.active = False
        self.served = 0

    def startup(self) -> None:
        if gc.get_freeze_count() == 0:
            collect_and_freeze()
            self.active = True

    def served_one(self) -> None:
        if self.active:
            self.served += 1
            if self.served in WARM_FREEZES:
                collect_and_freeze()


class WarmFreeze:
    """Pure ASGI middleware: tells the collector when an HTTP request has been answered."""

    def __init__(self, app: ASGIApp, collector: Collector) -> None:
        self.app = app
        self.collector = collector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.collector.served_one()
