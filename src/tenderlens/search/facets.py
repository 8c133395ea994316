"""Facet values in words: labels, order, and which values the request has selected.

Counts come from :mod:`tenderlens.search.run`; this module only names and orders them.
A selected value is always listed, even with no results left, so it can be unselected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenderlens.notice.words import DASH
from tenderlens.reference import default_reference
from tenderlens.reference.cpv import cpv_divisions
from tenderlens.reference.geography import itl_tables
from tenderlens.search.request import (
    CLOSING_PRESETS,
    NONE,
    SOURCES,
    STAGES,
    VALUE_BANDS,
    SearchRequest,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tenderlens.reference import Reference


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    level: int = 1  # 1 for divisions / ITL1, 2 for groups / ITL2, 3 for codes / ITL3


@dataclass(frozen=True, slots=True)
class Facet:
    name: str  # the URL parameter
    title: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True, slots=True)
class TermCount:
    """A count of records under one prefix of a many-valued facet."""

    prefix: str
    count: int
    level: int
    label: str | None


Row = tuple[str, "str | None", int]  # (value, label from the data, count)


def _selected(request: SearchRequest, name: str) -> tuple[str, ...]:
    value = getattr(request, name)
    if isinstance(value, tuple):
        return value
    return () if value is None else (str(value),)


def _facet(
    name: str, title: str, values: Iterable[tuple[str, str, int]], request: SearchRequest, level: int = 1
) -> Facet:
    chosen = _selected(request, name)
    listed = [FacetValue(v, label, n, v in chosen, level) for v, label, n in values]
    seen = {value.value for value in listed}
    listed.extend(FacetValue(v, v, 0, selected=True, level=level) for v in chosen if v not in seen)
    return Facet(name, title, tuple(listed))


def _by_count(rows: Iterable[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    return sorted(rows, key=lambda row: (row[0] == NONE, -row[2], row[1].casefold()))


def notice_type(rows: list[Row], request: SearchRequest) -> Facet:
    named = [
        (
            value,
            "Not stated in the data" if value == NONE else f"{value} {DASH} {label}" if label else value,
            n,
        )
        for value, label, n in rows
    ]
    return _facet("notice_type", "Notice type", _by_count(named), request)


def stage(rows: list[Row], request: SearchRequest) -> Facet:
    order = {name: i for i, name in enumerate((*STAGES, NONE))}
    named = [(value, "Not known" if value == NONE else value.capitalize(), n) for value, _, n in rows]
    return _facet("stage", "Stage", sorted(named, key=lambda row: order.get(row[0], 99)), request)


def status(rows: list[Row], request: SearchRequest) -> Facet:
    named = [(value, "Not stated" if value == NONE else label or value, n) for value, label, n in rows]
    return _facet("status", "Tender status", _by_count(named), request)


def source(rows: list[Row], request: SearchRequest) -> Facet:
    named = [(value, SOURCES.get(value, value), n) for value, _, n in rows]
    return _facet("source", "Published on", _by_count(named), request)


def buyer_order(row: Row) -> tuple[int, str, str]:
    """Most notices first, then by name, then by key: the same top 15 on every backend."""
    return (-row[2], row[1] or "", row[0])


def buyer(rows: list[Row], request: SearchRequest, limit: int = 15) -> Facet:
    named = [(value, label or value, n) for value, label, n in rows if value != NONE]
    chosen = set(request.buyer)
    top = named[:limit] + [row for row in named[limit:] if row[0] in chosen]
    return _facet("buyer", "Buyer", top, request)


def yes_no(name: str, title: str, rows: list[Row], request: SearchRequest) -> Facet:
    words = {"1": ("yes", "Yes"), "0": ("no", "No: marked not suitable")}
    named = [(words[value][0], words[value][1], n) for value, _, n in rows if value in words]
    return _facet(name, title, sorted(named, key=lambda row: row[0] != "yes"), request)


def value(rows: list[Row], request: SearchRequest) -> Facet:
    counts = {band: n for band, _, n in rows}
    named = [(key, label, counts[key]) for key, (label, _, _) in VALUE_BANDS.items() if counts.get(key)]
    return _facet("value", "Value", named, request)


def closing(counts: list[tuple[int, int]], request: SearchRequest) -> Facet:
    chosen = request.closing_within
    listed = [
        FacetValue(str(days), f"Within {days} days", n, selected=chosen == days)
        for days, n in counts
        if n or chosen == days
    ]
    if chosen is not None and chosen not in CLOSING_PRESETS:
        listed.append(FacetValue(str(chosen), f"Within {chosen} days", 0, selected=True))
    return Facet("closing_within", "Submission deadline", tuple(listed))


def cpv(rows: list[TermCount], request: SearchRequest, reference: Reference | None) -> Facet:
    """CPV divisions, then the groups of a chosen division, then the codes of a chosen group."""
    ref = reference or default_reference()
    divisions = cpv_divisions()
    chosen = set(request.cpv)
    listed: list[FacetValue] = []
    for row in _tree(rows):
        if row.level == 1:
            label = f"{row.prefix} {DASH} {divisions.get(row.prefix, 'Unknown division')}"
        elif row.level == 2:
            group = ref.cpv_group(row.prefix + "0" * (8 - len(row.prefix)))
            label = f"{row.prefix} {DASH} {group[1]}" if group else f"Group {row.prefix}"
        else:
            found = ref.cpv_label(row.prefix) or row.label
            label = f"{row.prefix} {DASH} {found}" if found else row.prefix
        listed.append(FacetValue(row.prefix, label, row.count, row.prefix in chosen, row.level))
    seen = {value.value for value in listed}
    listed.extend(FacetValue(v, v, 0, selected=True) for v in request.cpv if v not in seen)
    return Facet("cpv", "CPV classification", tuple(listed))


def region(name: str, title: str, rows: list[TermCount], request: SearchRequest) -> Facet:
    """ITL1 regions, then the ITL2 regions of a chosen ITL1, then ITL3."""
    regions = itl_tables().regions
    chosen = set(getattr(request, name))
    listed = [
        FacetValue(
            row.prefix,
            regions[row.prefix].name if row.prefix in regions else row.label or row.prefix,
            row.count,
            row.prefix in chosen,
            row.level,
        )
        for row in _tree(rows)
    ]
    seen = {value.value for value in listed}
    listed.extend(
        FacetValue(v, regions[v].name if v in regions else v, 0, selected=True)
        for v in chosen
        if v not in seen
    )
    return Facet(name, title, tuple(listed))


def _tree(rows: list[TermCount]) -> list[TermCount]:
    """Each level's rows by count, with the deeper rows placed right after their parent."""
    by_level: dict[int, list[TermCount]] = {}
    for row in rows:
        by_level.setdefault(row.level, []).append(row)
    for level_rows in by_level.values():
        level_rows.sort(key=lambda row: (-row.count, row.prefix))
    out: list[TermCount] = []

    def place(level: int, parent: str) -> None:
        for row in by_level.get(level, []):
            if row.prefix.startswith(parent):
                out.append(row)
                place(level + 1, row.prefix)

    place(1, "")
    return out
