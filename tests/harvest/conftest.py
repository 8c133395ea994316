"""Fixtures for the harvest tests: a fake FTS + Contracts Finder server, fast settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tenderlens.harvest import HarvestSettings
from tests.harvest.fake_services import FakeAPI, day_start

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Settings that keep every wait tiny, so a test injecting faults runs in well under a second.
FAST = HarvestSettings(
    min_interval=0.0,
    rate_limit_wait=0.05,
    backoff=0.01,
    backoff_max=0.05,
    jitter=0.1,
    timeout=5.0,
    every=0.2,
)

#: The same as environment variables, for harvests run as subprocesses.
FAST_ENV = {
    "TENDERLENS_HARVEST_MIN_INTERVAL": "0",
    "TENDERLENS_HARVEST_RATE_LIMIT_WAIT": "50ms",
    "TENDERLENS_HARVEST_BACKOFF": "10ms",
    "TENDERLENS_HARVEST_BACKOFF_MAX": "50ms",
    "TENDERLENS_HARVEST_TIMEOUT": "5s",
}


@pytest.fixture
def fake_api() -> Iterator[FakeAPI]:
    """An empty fake API on 127.0.0.1; tests add releases to ``fake_api.services[name]``."""
    api = FakeAPI().start()
    yield api
    api.stop()


@pytest.fixture
def origin() -> datetime:
    """Midnight UTC 30 days ago: test data starts here, so every window is in the past."""
    return day_start(datetime.now(UTC)) - timedelta(days=30)
