"""Shared test helpers (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import json
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
