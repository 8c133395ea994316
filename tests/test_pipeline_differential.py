"""End to end: release histories nobody wrote down → file → ingest → export == ocdsmerge.

The compile tests prove the engine; this proves the pipeline around it (JSON text round trip,
storage, ingest order, merge order, export) does not change what ocdsmerge would produce.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings

from tenderlens.export import ExportKind, export_items
from tenderlens.ingest import ingest
from tenderlens.store import Store
from tests.test_compile_differential import histories, oracle, outcome


def pipeline(releases: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "package.json"
        path.write_text(json.dumps({"version": "1.1", "releases": releases}))
        store = Store.open(f"sqlite:///{Path(tmp) / 'store.sqlite'}")
        try:
            summary = ingest(store, [path])
            assert summary.exit_code == 0, summary.problems
            (compiled,) = export_items(store, ExportKind.COMPILED)
            (versioned,) = export_items(store, ExportKind.VERSIONED)
            record = store.get_record(releases[0]["ocid"])
            assert record is not None
            assert record.compiled_from == "releases"
        finally:
            store.close()
    return compiled, versioned


@settings(max_examples=40, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
@given(histories(styles=("Z",)))
def test_ingest_then_export_equals_ocdsmerge(releases: list[dict[str, Any]]) -> None:
    expected = outcome(oracle, releases)
    assume(expected[0] == "ok")  # histories ocdsmerge itself rejects are the compile tests' business
    compiled, versioned, _warnings = expected[1]
    assert pipeline(releases) == (compiled, versioned)
