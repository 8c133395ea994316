"""Notice types: Procurement Act 2023 (UK1-UK17) and the earlier standard forms (F01-F25, T01, T02).

FTS carries the type in ``documents[].noticeType`` (``"UK4"``) for Procurement Act notices;
the forms from earlier legislation are named here so notices republished from that era can
still be labelled. Names, regimes and stages ship in ``data/notice_types.csv``; which names
were checked against which public source is recorded in ``data/README.md``.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Final

PROCUREMENT_ACT_2023: Final = "Procurement Act 2023"

#: The lifecycle stages a notice type may belong to (``NoticeType.stage``), in order.
STAGES: Final = ("planning", "tender", "award", "contract", "implementation", "termination")


@dataclass(frozen=True, slots=True)
class NoticeType:
    """``code`` like ``UK2`` or ``F03``; ``regime`` like ``Procurement Act 2023`` or ``PCR 2015``.

    ``stage`` is a hint for grouping (one of :data:`STAGES`, or None where the form covers
    several stages, as F21-F23 do); ``aliases`` are other names the type is known by.
    """

    code: str
    name: str
    regime: str
    stage: str | None = None
    aliases: tuple[str, ...] = ()


_CODE = re.compile(r"^(UK|F|T)0*(\d{1,2})$")


def normalise_notice_code(code: str) -> str | None:
    """Canonical code: "uk4" → "UK4", "UK04" → "UK4", "F3"/"f03" → "F03", "T1" → "T01"."""
    return _normalise_notice_code(code) if isinstance(code, str) else None


@functools.lru_cache(maxsize=1024)  # a handful of codes, each looked up for every record's listing
def _normalise_notice_code(code: str) -> str | None:
    match = _CODE.match(re.sub(r"[\s_\-]+", "", code).upper())
    if match is None:
        return None
    prefix, number = match.group(1), int(match.group(2))
    return f"{prefix}{number}" if prefix == "UK" else f"{prefix}{number:02d}"


@functools.cache
def notice_types() -> dict[str, NoticeType]:
    """All packaged notice types by canonical code, in table order."""
    text = resources.files("tenderlens.reference").joinpath("data", "notice_types.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    table: dict[str, NoticeType] = {}
    for row in rows:
        stage = row["stage"].strip() or None
        if stage is not None and stage not in STAGES:
            raise ValueError(f"notice_types.csv: {row['code']}: unknown stage {stage!r}")
        aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
        table[row["code"]] = NoticeType(row["code"], row["name"], row["regime"], stage, aliases)
    return table


def lookup(code: str) -> NoticeType | None:
    canonical = normalise_notice_code(code)
    return notice_types().get(canonical) if canonical is not None else None
