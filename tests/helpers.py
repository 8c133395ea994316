"""Shared test helpers (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path


def shared_releases(ocds_dir: Path) -> list[dict[str, Any]]:
    """Every release in ../shared/data/ocds, read with plain json, in file order (sorted paths)."""
    found: list[dict[str, Any]] = []
    for path in sorted(ocds_dir.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, list):
            found.extend(data)
        elif "releases" in data:
            found.extend(data["releases"])
        elif "records" in data:
            for record in data["records"]:
                found.extend(record.get("releases") or [])
        else:
            found.append(data)
    return found


def by_ocid(releases: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for release in releases:
        grouped[release["ocid"]].append(release)
    return dict(grouped)


def read_jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


_COMPILED_PROBE = (
    "import importlib, json, tenderlens.compiled as c; "
    "print(json.dumps({n: [importlib.import_module(n).__file__, c.is_compiled(importlib.import_module(n))] "
    "for n in c.COMPILED}))"
)


def compiled_modules_in_child(**env: str) -> dict[str, tuple[str, bool]]:
    """Each module of ``tenderlens.compiled.COMPILED`` as a fresh interpreter imports it, with ``env`` added.

    (file, compiled?) by module name; ``TENDERLENS_PURE_PYTHON`` is unset unless ``env`` sets it.
    """
    from tenderlens.compiled import PURE_PYTHON_ENV

    child_env = {key: value for key, value in os.environ.items() if key != PURE_PYTHON_ENV} | env
    done = subprocess.run(
        [sys.executable, "-c", _COMPILED_PROBE], env=child_env, capture_output=True, text=True, check=True
    )
    return {name: (str(file), bool(compiled)) for name, (file, compiled) in json.loads(done.stdout).items()}
