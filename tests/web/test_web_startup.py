"""What the app does when the server starts: the objects alive then are frozen out of the GC, once."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

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
    calls: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    with client_for(url):
        assert calls == []  # a second app in the process freezes nothing more
