"""What the app does for the cycle collector: what exists at startup is frozen, then what the
first requests built, a few times, and only by the first app of a process."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from tenderlens.web import collector
from tenderlens.web.collector import WARM_FREEZES, Collector
from tests.web.conftest import client_for

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_startup_freezes_what_exists_then_and_only_the_first_app_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'site.sqlite'}"
    gc.unfreeze()  # whatever an earlier test's app froze goes back to the collector
    assert gc.get_freeze_count() == 0
    with client_for(url) as client:
        frozen = gc.get_freeze_count()
        assert frozen > 0  # a full collection no longer walks the modules, reference data, the app
        assert client.get("/notices/ocds-none").status_code == 404
        # The first request's lazily built state (validators, templates, caches) is frozen too.
        assert gc.get_freeze_count() > frozen
    calls: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    with client_for(url) as client:
        for _ in range(12):
            client.get("/notices/ocds-none")
        assert calls == []  # a second app in the process freezes nothing more


def test_the_first_app_freezes_again_after_1_10_100_requests_and_so_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    first = Collector()
    monkeypatch.setattr(gc, "get_freeze_count", lambda: 0)
    monkeypatch.setattr(collector, "collect_and_freeze", lambda: calls.append(first.served))
    first.startup()
    assert calls == [0]
    for _ in range(20_000):
        first.served_one()
    assert calls == [0, *sorted(WARM_FREEZES)]
    assert sorted(WARM_FREEZES) == [1, 10, 100, 1_000, 10_000]

    calls.clear()
    monkeypatch.setattr(gc, "get_freeze_count", lambda: 1)  # another app froze at startup
    second = Collector()
    second.startup()
    for _ in range(200):
        second.served_one()
    assert calls == []
