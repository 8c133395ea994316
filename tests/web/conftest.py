from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from tenderlens.ingest import ingest
from tenderlens.store import Store
from tenderlens.web import create_app
from tests.web.webdata import all_releases, write_package

with warnings.catch_warnings():
    # Starlette asks for its httpx fork at import time; the stock httpx works for these tests.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

NOW = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return NOW


def load(url: str, folder: Path, releases: list | None = None) -> None:
    """Ingest releases (default: the four test processes) into the store at ``url``."""
    path = write_package(folder, all_releases() if releases is None else releases)
    with Store.open(url) as store:
        summary = ingest(store, [path])
    assert summary.rejected == 0


def client_for(url: str) -> TestClient:
    return TestClient(create_app(url, clock=fixed_clock), raise_server_exceptions=False)


@pytest.fixture
def loaded_url(store_url: str, tmp_path: Path) -> str:
    """A store (SQLite and PostgreSQL) holding the four test processes."""
    load(store_url, tmp_path / "in")
    return store_url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client over an SQLite store with the four test processes (shared by a module's tests)."""
    folder = tmp_path_factory.mktemp("site")
    url = f"sqlite:///{folder / 'site.sqlite'}"
    load(url, folder / "in")
    with client_for(url) as client:
        yield client
