"""Several real processes ingesting overlapping files into one database at once."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tenderlens.export import ExportKind, export_items
from tenderlens.ingest import ingest
from tenderlens.store import Store

if TYPE_CHECKING:
    from pathlib import Path


def write_overlapping_files(tmp_path: Path, files: int = 4, per_file: int = 1500) -> list[Path]:
    """Each file shares half its releases with the next; equal keys always carry equal content."""
    paths = []
    for f in range(files):
        path = tmp_path / f"part-{f}.jsonl"
        with path.open("w") as out:
            for n in range(f * per_file // 2, f * per_file // 2 + per_file):
                # Distinct instants per ocid, so merge order never depends on arrival order.
                release = {
                    "ocid": f"ocds-x-{n % 400}",
                    "id": f"r{n}",
                    "date": f"2026-01-01T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
                    "tag": ["tender"],
                    "tender": {
                        "id": "t",
                        "title": f"title {n}",
                        "items": [{"id": str(n % 3), "quantity": n}],
                    },
                }
                out.write(json.dumps(release) + "\n")
        paths.append(path)
    return paths


def contents(store: Store) -> dict[str, object]:
    return {kind.value: list(export_items(store, kind)) for kind in ExportKind} | {"counts": store.counts()}


@pytest.mark.slow
def test_four_concurrent_ingests_equal_one_sequential(store_url: str, tmp_path: Path) -> None:
    paths = write_overlapping_files(tmp_path)
    cmd = [sys.executable, "-m", "tenderlens", "ingest", "--quiet", "--db", store_url]
    procs = [subprocess.Popen([*cmd, str(p)], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for p in paths]
    for proc in procs:
        _out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()[-2000:]

    sequential = Store.open(f"sqlite:///{tmp_path / 'sequential.sqlite'}")
    ingest(sequential, paths)
    concurrent = Store.open(store_url)
    try:
        assert concurrent.counts()["pending compiles"] == 0
        assert contents(concurrent) == contents(sequential)
    finally:
        concurrent.close()
        sequential.close()
