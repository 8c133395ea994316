"""benchmarks/worker_parts.py runs on a small store and reports every part it times."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import orjson
import pytest

from tenderlens.ingest import ingest
from tenderlens.store import Store
from tests.benchmarks.scripts import bench_script

if TYPE_CHECKING:
    from pathlib import Path

generate = bench_script("generate")
worker_parts = bench_script("worker_parts")


def test_it_times_the_listing_the_compile_and_each_packing_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    releases = tmp_path / "releases.jsonl"
    releases.write_bytes(
        b"".join(orjson.dumps(release) + b"\n" for release in generate.generate(200, seed=3))
    )
    path = tmp_path / "store.sqlite"
    with Store.open(f"sqlite:///{path}") as store:
        ingest(store, [releases], workers=0)
    before = path.read_bytes()
    monkeypatch.setattr(sys, "argv", ["worker_parts.py", str(path), "--records", "40", "--levels", "1,3"])
    worker_parts.main()
    out = capsys.readouterr().out
    assert re.search(r"compiled by mypyc: \d+ of \d+ modules", out)
    for label in ("listing and search document", "compile (the worker's chunk)"):
        assert re.search(rf"{re.escape(label)} +\d+\.\d µs a record", out), out
    assert (
        len(
            re.findall(
                r"pack at zstd level [13] +\d+\.\d µs a document \(ratio \d+\.\d\d, \d+ documents", out
            )
        )
        == 2
    )
    assert path.read_bytes() == before  # read only


def test_a_store_without_records_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "empty.sqlite"
    Store.open(f"sqlite:///{path}").close()
    monkeypatch.setattr(sys, "argv", ["worker_parts.py", str(path)])
    with pytest.raises(SystemExit, match="no compiled records"):
        worker_parts.main()
