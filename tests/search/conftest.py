"""Search tests keep a PostgreSQL store's text index (under the data directory) in tmp_path."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENDERLENS_DATA_DIR", str(tmp_path / "data"))
