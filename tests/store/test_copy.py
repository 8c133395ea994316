from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tenderlens.export import ExportKind, export_items
from tenderlens.ingest import ingest
from tenderlens.store import Store
from tenderlens.store.copy import copy_store, copy_table, row_counts
from tenderlens.store.schema import releases
from tests.store.test_concurrency import write_overlapping_files

if TYPE_CHECKING:
    from pathlib import Path


def everything(store: Store) -> dict[str, object]:
    return {kind.value: list(export_items(store, kind)) for kind in ExportKind}


@pytest.mark.slow
def test_copy_sqlite_into_each_backend_interrupted_then_resumed(store_url: str, tmp_path: Path) -> None:
    source = Store.open(f"sqlite:///{tmp_path / 'source.sqlite'}")
    paths = write_overlapping_files(tmp_path, files=2, per_file=1200)
    ingest(source, paths)
    # A republished release, so release_history (autoincrement ids) has rows to copy too.
    changed = tmp_path / "changed.jsonl"
    changed.write_text(paths[0].read_text().splitlines()[0].replace("title 0", "title zero") + "\n")
    ingest(source, [changed])
    target = Store.open(store_url)
    try:
        # Interrupt: copy only part of the releases table, as a killed copy would leave it.
        calls = {"n": 0}

        def stop_after_two(_n: int) -> None:
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            copy_table(source, target, releases, batch=500, progress=stop_after_two)
        assert row_counts(target)["releases"] == 1000

        copied = copy_store(source, target, batch=500)
        assert copied["releases"] == row_counts(source)["releases"] - 1000
        assert row_counts(target) == row_counts(source)
        assert everything(target) == everything(source)
        assert copy_store(source, target) == dict.fromkeys(copied, 0)  # a finished copy copies nothing

        # The copy is a working store: a later republication lands in history with a fresh id.
        changed.write_text(changed.read_text().replace("title zero", "title nought"))
        summary = ingest(target, [changed])
        assert summary.replaced == 1
        assert len(target.release_history("ocds-x-0")) == 2
    finally:
        target.close()
        source.close()
