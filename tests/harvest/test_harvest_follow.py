"""``--follow``: rounds until stopped, several sources at once, one failing never stops another."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tenderlens.harvest import HarvestSummary, run_follow_loop
from tenderlens.store import Store
from tests.harvest.conftest import FAST, FAST_ENV
from tests.harvest.fake_services import FakeAPI, generate_cf, generate_fts, held

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.network


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def stored(url: str, prefix: str) -> set[tuple[str, str]]:
    with Store.open(url) as store:
        return {(r.ocid, r.release_id) for r in store.iter_releases() if r.ocid.startswith(prefix)}


def test_a_failing_source_does_not_stop_the_other(fake_api: FakeAPI, sqlite_url: str) -> None:
    now = datetime.now(UTC)
    # Within the first run's lookback (7 days), so the follow loop finds it without --from.
    fake_api.services["fts"].add(generate_fts(300, now - timedelta(days=3), timedelta(days=2)))
    fake_api.services["contracts-finder"].add(generate_cf(50, now - timedelta(days=3), timedelta(days=2)))
    fake_api.rules.append(lambda source, *_: "500" if source == "contracts-finder" else None)
    summaries: list[HarvestSummary] = []
    stop = threading.Event()
    settings = FAST.replace(attempts=2, every=0.1)
    loop = threading.Thread(
        target=run_follow_loop,
        args=(sqlite_url, ["fts", "contracts-finder"], settings, stop),
        kwargs={
            "base_urls": {"fts": fake_api.url, "contracts-finder": fake_api.url},
            "on_summary": summaries.append,
        },
    )
    loop.start()
    try:
        wait_for(lambda: sum(s.source == "fts" for s in summaries) >= 2)
        wait_for(lambda: sum(s.source == "contracts-finder" for s in summaries) >= 2)
        # A release published while following is picked up by a later round.
        late = {
            "ocid": "ocds-h6vhtk-0d0000",
            "id": "099999-2026",
            "date": "2026-01-01T00:00:00Z",
            "tag": ["tender"],
        }
        fake_api.services["fts"].add([held(late, datetime.now(UTC) - timedelta(seconds=2))])
        wait_for(lambda: ("ocds-h6vhtk-0d0000", "099999-2026") in stored(sqlite_url, "ocds-h6vhtk-0d"))
    finally:
        stop.set()
        loop.join(10)
    assert not loop.is_alive()

    assert stored(sqlite_url, "ocds-h6vhtk") == fake_api.services["fts"].keys()
    assert stored(sqlite_url, "ocds-b5fd17") == set()
    assert all(s.error is None for s in summaries if s.source == "fts")  # stopped or complete
    failures = [s for s in summaries if s.source == "contracts-finder" and not s.stopped]
    assert len(failures) >= 2
    errors = [s.error or "" for s in failures]
    assert all("HTTP 500" in e for e in errors), errors
    with Store.open(sqlite_url) as store:
        fts_state, cf_state = store.harvest_state("fts"), store.harvest_state("contracts-finder")
    assert fts_state is not None
    assert cf_state is not None
    assert fts_state.last_error is None
    assert fts_state.last_success_at is not None
    assert cf_state.checkpoint is None
    assert "HTTP 500" in (cf_state.last_error or "")
    # Each later round continued from the checkpoint, less the overlap: one window, not 7 days.
    later = [s for s in summaries if s.source == "fts"][1:]
    assert later
    assert all(s.windows == 1 for s in later)


def test_a_stop_ends_the_loop_during_a_long_wait(fake_api: FakeAPI, sqlite_url: str) -> None:
    fake_api.rules.append(lambda *_: "403")  # Contracts Finder's rate limit: a 5-minute wait by default
    stop = threading.Event()
    settings = FAST.replace(rate_limit_wait=None)
    done: list[list[HarvestSummary]] = []
    loop = threading.Thread(
        target=lambda: done.append(
            run_follow_loop(
                sqlite_url, ["contracts-finder"], settings, stop, base_urls={"contracts-finder": fake_api.url}
            )
        )
    )
    loop.start()
    wait_for(lambda: fake_api.counts["contracts-finder"] >= 1)
    time.sleep(0.1)
    started = time.monotonic()
    stop.set()
    loop.join(10)
    assert not loop.is_alive()
    assert time.monotonic() - started < 5
    [[summary]] = done
    assert summary.stopped
    assert summary.error is None


def harvest_process(*args: str, **env: str) -> subprocess.Popen[str]:
    """The harvest CLI in a child process that gets Ctrl-C as one started from a terminal would.

    A command started in the background by a non-interactive shell (``pytest … &`` in a CI
    script) ignores SIGINT, and an ignored signal stays ignored across exec, so the child would
    never see the test's Ctrl-C. A Python handler, unlike an ignore, is reset to the default by
    exec, so one is set just for the fork.
    """
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "tenderlens.harvest", *args],
            env={**os.environ, **FAST_ENV, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_sigterm_ends_a_follow_cleanly(fake_api: FakeAPI, sqlite_url: str) -> None:
    fake_api.services["fts"].add(generate_fts(50, datetime.now(UTC) - timedelta(days=2), timedelta(days=1)))
    proc = harvest_process(
        "fts", "--follow", "--every", "10m", "--base-url", fake_api.url, "--db", sqlite_url
    )
    try:
        wait_for(lambda: fake_api.counts["fts"] >= 28)  # the first round: 7 days in 6-hour windows
        wait_for(lambda: stored(sqlite_url, "ocds-h6vhtk") == fake_api.services["fts"].keys())
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)  # a guard against a hang, not a timing
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    assert "Harvest: fts" in out
    assert '"event":"sleeping"' in err


def test_ctrl_c_says_how_to_continue(fake_api: FakeAPI, sqlite_url: str) -> None:
    fake_api.rules.append(lambda *_: "429")
    proc = harvest_process(
        "fts", "--base-url", fake_api.url, "--db", sqlite_url, TENDERLENS_HARVEST_RATE_LIMIT_WAIT="60"
    )
    try:
        wait_for(lambda: fake_api.counts["fts"] >= 1)
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        # A guard against a hang, not a timing: a loaded CI machine once took over 10 s here.
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()  # reap it and close its pipes, or a later test sees their warnings
    assert proc.returncode == 130
    assert "interrupted: everything stored so far is kept" in " ".join(err.split())
