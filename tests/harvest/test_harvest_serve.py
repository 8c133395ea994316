"""``tenderlens serve --harvest``: the follow loop beside the web app shows live data."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tests.harvest.conftest import FAST_ENV
from tests.harvest.fake_services import generate_cf, generate_fts

if TYPE_CHECKING:
    from tests.harvest.fake_services import FakeAPI

pytestmark = pytest.mark.network


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def search_total(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/search.json", timeout=2) as response:
            return int(json.loads(response.read())["total"])
    except OSError:
        return None


def test_serve_with_harvest_shows_releases_published_upstream(fake_api: FakeAPI, sqlite_url: str) -> None:
    now = datetime.now(UTC)
    fake_api.services["fts"].add(generate_fts(40, now - timedelta(days=2), timedelta(days=1)))
    fake_api.services["contracts-finder"].add(generate_cf(10, now - timedelta(days=2), timedelta(days=1)))
    services = (fake_api.services["fts"], fake_api.services["contracts-finder"])
    expected_ocids = {ocid for service in services for ocid, _release_id in service.keys()}  # noqa: SIM118
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tenderlens",
            "serve",
            "--port",
            str(port),
            "--db",
            sqlite_url,
            "--harvest",
            "--harvest-base-url",
            f"fts={fake_api.url}",
            "--harvest-base-url",
            f"contracts-finder={fake_api.url}",
        ],
        env={**os.environ, **FAST_ENV, "TENDERLENS_HARVEST_EVERY": "1s"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline, total = time.monotonic() + 60, None
        while time.monotonic() < deadline and total != len(expected_ocids):
            time.sleep(0.3)
            total = search_total(port)
        # Every process the fake services hold is now a searchable notice, harvested while serving.
        assert total == len(expected_ocids)
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal it caught, as a service manager expects.
    assert proc.returncode in {0, -15}, err[-2000:]
    assert "Finished server process" in err
    assert "harvesting" in err
