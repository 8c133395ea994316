"""Resumable, exactly once in effect: harvests killed with SIGKILL or stopped, then run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from tenderlens.export import ExportKind, export_items
from tenderlens.harvest import harvest
from tenderlens.store import Store
from tenderlens.store.schema import release_history, releases
from tests.harvest.conftest import FAST, FAST_ENV
from tests.harvest.fake_services import FakeAPI, generate_fts

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

pytestmark = pytest.mark.network

DAY = timedelta(days=1)


def harvest_command() -> list[str]:
    """``python -m tenderlens harvest`` once the main CLI mounts it; until then the module itself."""
    from tenderlens.cli import app

    mounted = any(group.name == "harvest" for group in app.registered_groups)
    return (
        [sys.executable, "-m", "tenderlens", "harvest"]
        if mounted
        else [sys.executable, "-m", "tenderlens.harvest"]
    )


def contents(url: str) -> dict[str, Any]:
    """Everything a user can get out of the store, less what depends on arrival (order, page URL)."""
    with Store.open(url) as store, store.engine.connect() as conn:
        keys = sorted(
            conn.execute(select(releases.c.ocid, releases.c.release_id, releases.c.content_hash)).all()
        )
        history = conn.execute(select(release_history.c.ocid)).all()
        return {
            "releases": keys,
            "history": history,
            "compiled": list(export_items(store, ExportKind.COMPILED)),
            "versioned": list(export_items(store, ExportKind.VERSIONED)),
            "counts": store.counts(),
            "state": [(s.source, s.checkpoint, s.last_error) for s in store.harvest_states()],
        }


@pytest.fixture
def fts(fake_api: FakeAPI, origin: datetime) -> FakeAPI:
    fake_api.services["fts"].add(generate_fts(800, origin, 8 * DAY))
    fake_api.page_size = 10
    return fake_api


@pytest.mark.slow
def test_kill_9_mid_harvest_three_times_then_resume_gives_the_clean_store(
    fts: FakeAPI, origin: datetime, tmp_path: Path
) -> None:
    start, end = origin, origin + 8 * DAY
    stamp = "%Y-%m-%dT%H:%M:%S"
    killed = f"sqlite:///{tmp_path / 'killed.sqlite'}"
    env = {**os.environ, **FAST_ENV, "PYTHONUNBUFFERED": "1"}
    base = [*harvest_command(), "fts", "--db", killed, "--base-url", fts.url, "--to", end.strftime(stamp)]
    first = [*base, "--from", start.strftime(stamp)]
    kills = 0
    for command, after in ((first, 25), (base, 30), (base, 30)):
        target = fts.counts["fts"] + after
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while fts.counts["fts"] < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills == 3, "the harvest finished before it could be killed: make the data bigger"
    with Store.open(killed) as store:
        state = store.harvest_state("fts")
        assert state is not None
        assert state.checkpoint is not None
        assert state.checkpoint < end.strftime(stamp) + "Z"
    # The rerun has no --from: it continues from the checkpoint.
    finish = subprocess.run(base, env=env, capture_output=True, text=True, check=False)
    assert finish.returncode == 0, finish.stderr[-3000:]

    clean = f"sqlite:///{tmp_path / 'clean.sqlite'}"
    with Store.open(clean) as store:
        summary = harvest(store, "fts", FAST, start=start, end=end, base_url=fts.url)
        assert summary.error is None
    expected = fts.services["fts"].expected(start, end)
    after_kills, clean_run = contents(killed), contents(clean)
    assert {(ocid, rid) for ocid, rid, _ in after_kills["releases"]} == expected
    assert after_kills == clean_run
    assert after_kills["history"] == []
    assert after_kills["counts"]["pending compiles"] == 0


def test_a_stopped_harvest_resumes_from_its_checkpoint(
    store: Store, fts: FakeAPI, origin: datetime, tmp_path: Path
) -> None:
    stop = threading.Event()
    fts.rules.append(lambda *_: stop.set() if fts.counts["fts"] >= 40 else None)
    start, end = origin, origin + 4 * DAY
    stopped = harvest(store, "fts", FAST, start=start, end=end, base_url=fts.url, stop=stop)
    assert stopped.stopped
    assert stopped.error is None
    assert 0 < stopped.windows_done < stopped.windows
    state = store.harvest_state("fts")
    assert state is not None
    assert state.last_error is None
    assert state.checkpoint == stopped.checkpoint

    resumed = harvest(store, "fts", FAST, end=end, base_url=fts.url)
    assert resumed.error is None
    assert resumed.checkpoint == end.strftime("%Y-%m-%dT%H:%M:%SZ")
    clean = Store.open(f"sqlite:///{tmp_path / 'clean.sqlite'}")
    try:
        harvest(clean, "fts", FAST, start=start, end=end, base_url=fts.url)
        for kind in (ExportKind.RELEASES, ExportKind.COMPILED, ExportKind.VERSIONED):
            assert list(export_items(store, kind)) == list(export_items(clean, kind)), kind
        assert store.counts() == clean.counts()
    finally:
        clean.close()
