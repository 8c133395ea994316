"""benchmarks/profile_ingest.py --mode growth prints a row per slice of the input and puts the store back."""

from __future__ import annotations

import re
from concurrent.futures import Future
from typing import TYPE_CHECKING

from tenderlens.store import Store
from tests.benchmarks.scripts import bench_script

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

profile_ingest = bench_script("profile_ingest")


def test_growth_times_each_slice_and_restores_what_it_wrapped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrapped = (Store.write_releases, Store._write_compiled, Future.result)
    profile_ingest.main(["--releases", "1200", "--mode", "growth", "--workdir", str(tmp_path)])
    out = capsys.readouterr().out
    rows = re.findall(r"^ +([\d,]+) +\d+\.\d +\d+\.\d +\d+\.\d +\d+\.\d$", out, flags=re.MULTILINE)
    assert rows == ["500", "1,000", "1,200"]  # a batch of 500 releases at a time
    assert re.search(r"^1,200 releases, [\d,]+ records in \d+\.\ds$", out, flags=re.MULTILINE)
    assert (Store.write_releases, Store._write_compiled, Future.result) == wrapped
