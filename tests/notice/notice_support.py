"""Shared loaders for the notice tests (real data under ../shared/data, fixtures under tests/fixtures)."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tenderlens.reference import Reference, default_reference

NOW = datetime(2026, 6, 4, 12, 0, tzinfo=UTC)
SEED = Path("ocds/seed/ocds-h6vhtk-06a838-record-package.json")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "notice"


@functools.cache
def reference() -> Reference:
    return default_reference()


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def seed_compiled(shared_data: Path) -> dict[str, Any]:
    package = read_json(shared_data / SEED)
    compiled = package["records"][0]["compiledRelease"]
    assert isinstance(compiled, dict)
    return compiled


def fts_releases(shared_data: Path) -> list[dict[str, Any]]:
    """Every FTS release in the shared pages and single-release members."""
    found = []
    for path in sorted((shared_data / "ocds" / "fts").rglob("*.json")):
        found.extend(read_json(path)["releases"])
    return found


def cf_releases(shared_data: Path) -> list[dict[str, Any]]:
    """Every Contracts Finder release (search page and bare releases), each id once."""
    folder = shared_data / "ocds" / "contracts-finder"
    releases = read_json(folder / "cfserver1_TestData_search_page_2025-01-20.json")["releases"]
    releases += read_json(folder / "cfserver1_EnglishData_releases.json")
    unique: dict[str, dict[str, Any]] = {}
    for release in releases:
        unique.setdefault(release["id"], release)
    return list(unique.values())


def fixture(name: str) -> Any:
    return read_json(FIXTURES / name)
