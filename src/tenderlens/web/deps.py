"""What every route needs — the store, the reference tables, the clock — as FastAPI dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from tenderlens.reference import Reference
    from tenderlens.store import Store


@dataclass(frozen=True, slots=True)
class AppState:
    """Built once by :func:`tenderlens.web.app.create_app`; ``clock`` is replaceable for tests."""

    store: Store
    reference: Reference
    clock: Callable[[], datetime]

    def now(self) -> datetime:
        return self.clock()


async def app_state(request: Request) -> AppState:
    """The app's state. ``async`` though it awaits nothing: FastAPI runs a plain ``def``
    dependency in a worker thread, one more thread hop (and wake-up) for every request."""
    state = request.app.state.tenderlens
    assert isinstance(state, AppState)
    return state


StateDep = Annotated[AppState, Depends(app_state)]
