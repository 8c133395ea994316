"""CPV 2008 (Common Procurement Vocabulary) codes, divisions and the official CSV list.

FTS and Contracts Finder send CPV codes as 8 digits without the check digit
(``"85111100"``); the official list writes them with it (``"85111100-7"``). Everything here
keys on the 8 digits. The 45 divisions ship with the package; groups, classes and full
labels need the official list, loaded into the store and passed to ``Reference`` as a
mapping of 8-digit code → label.
"""

from __future__ import annotations

import csv
import functools
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

_CODE = re.compile(r"^(\d{8})(?:-(\d))?$")
_DIVISION = re.compile(r"^\d{2}$")
_WHITESPACE = re.compile(r"\s+")


def normalise_cpv(code: str) -> str | None:
    """The 8-digit form of a CPV code ("85120000-3", " 8512 0000 " → "85120000"), or None."""
    if not isinstance(code, str):
        return None
    if len(code) == 8 and code.isascii() and code.isdigit():
        return code  # the usual form: no need for the two regular expressions
    match = _CODE.match(_WHITESPACE.sub("", code))
    return match.group(1) if match else None


def _digits(code: str) -> str | None:
    """The 8 digits of a full CPV code, or a bare 2-digit division ("85")."""
    if not isinstance(code, str):
        return None
    full = normalise_cpv(code)
    if full is not None:
        return full
    text = _WHITESPACE.sub("", code)
    return text if _DIVISION.match(text) else None


@functools.cache
def cpv_divisions() -> dict[str, str]:
    """The packaged table of the 45 CPV 2008 divisions: "85" → "Health and social work services"."""
    text = resources.files("tenderlens.reference").joinpath("data", "cpv_divisions.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["division"]: row["name"] for row in rows}


def division_of(code: str) -> tuple[str, str] | None:
    digits = _digits(code)
    if digits is None:
        return None
    name = cpv_divisions().get(digits[:2])
    return (digits[:2], name) if name is not None else None


def parse_cpv_file(path: Path) -> Iterator[tuple[str, str]]:
    """(8-digit code, English label) pairs from an official-style CPV CSV (``CODE,EN``, BOM allowed).

    Raises ValueError naming the file if the columns are missing or a code is malformed.
    Rows with an empty code are skipped.
    """
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = [name.strip() for name in reader.fieldnames or ()]
        if "CODE" not in columns or "EN" not in columns:
            raise ValueError(
                f"{path}: not a CPV list: expected columns CODE and EN, found {', '.join(columns) or 'none'}"
            )
        reader.fieldnames = columns
        for row in reader:
            raw = (row.get("CODE") or "").strip()
            if not raw:
                continue
            code = normalise_cpv(raw)
            if code is None:
                raise ValueError(f"{path}, line {reader.line_num}: not a CPV code: {raw!r}")
            yield code, (row.get("EN") or "").strip()
