"""From an ocid's stored releases to its record: compiled and versioned release, plus listed facts.

This is the ``Compiler`` the store calls for each pending ocid. It never raises for bad data:
one publisher's odd history must not stop an ingest. The facts kept beside the record
(notice type, stage, title, buyer) and the search-index entry come from
:func:`tenderlens.search.listing.listing`, which follows :func:`build_notice`'s rules without
building a whole notice (a test holds the two equal), so a listing, a search and a notice
page never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from tenderlens.compile import (
    RecompileRequired,
    compile_history,
    compile_releases_with_warnings,
    extend_compiled,
    release_order_key,
)
from tenderlens.reference import default_reference
from tenderlens.search.listing import listing
from tenderlens.store import RecordFacts, StoredBase

SOURCES = {"ocds-h6vhtk": "fts", "ocds-b5fd17": "contracts-finder"}


def source_of(ocid: str) -> str:
    """``fts``, ``contracts-finder`` or ``other``, from the ocid's registered prefix."""
    return SOURCES.get(ocid[:11], "other")


def _object_paths(value: Any, path: tuple[str, ...], found: set[tuple[str, ...]]) -> None:
    if isinstance(value, Mapping):
        found.add(path)
        for key, member in value.items():
            _object_paths(member, (*path, key), found)


def _drop_object_nulls(value: Any, objects: set[tuple[str, ...]], path: tuple[str, ...] = ()) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {
        key: _drop_object_nulls(member, objects, (*path, key))
        for key, member in value.items()
        if not (member is None and (*path, key) in objects)
    }


def merge(ordered: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any] | None, list[str]]:
    """Compile and version, working around the one history ocdsmerge cannot merge.

    ocdsmerge raises when an object is set to ``null`` and a later release sets fields inside it
    (``"tender": null`` then ``{"tender": {...}}``). ocdsmerge never deletes an object's fields
    on an object-level null anyway, so dropping such nulls changes no compiled value; we do that,
    and say so in the record's notes.
    """
    compiled, versioned, notes, _ = _merge(ordered)
    return compiled, versioned, notes


def _merge(ordered: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any], list[str], bool]:
    """:func:`merge`, and whether later releases may extend the result (no workaround was needed)."""
    try:
        history = compile_history(ordered)
    except Exception as first:
        objects: set[tuple[str, ...]] = set()
        for release in ordered:
            _object_paths(release, (), objects)
        cleaned = [_drop_object_nulls(release, objects) for release in ordered]
        try:
            compiled, versioned, notes = compile_releases_with_warnings(cleaned)
        except Exception as second:
            raise ValueError(f"{type(second).__name__}: {second}") from first
        notes.append(f"object-level nulls ignored to merge ({type(first).__name__}: {first})")
        return compiled, versioned, notes, False
    return history.compiled, history.versioned, history.warnings, history.extendable


def _document(value: str | dict[str, Any]) -> dict[str, Any]:
    return value if isinstance(value, dict) else orjson.loads(value)


def _extended(
    pairs: list[tuple[dict[str, Any], int]], base: StoredBase | None
) -> tuple[dict[str, Any], dict[str, Any], list[str]] | None:
    """The stored record extended by the new releases, when that equals a full compile; else None.

    It does when no merged release was replaced (the releases up to ``merged_seq`` are exactly
    the ``release_count`` merged) and every new release sorts after them all. Then only the
    new releases are merged: one new release costs one release, not the whole history.
    """
    if base is None:
        return None
    merged = sum(1 for _, seq in pairs if seq <= base.merged_seq)
    new = [release for release, seq in pairs[merged:] if seq > base.merged_seq]
    if merged != base.release_count or not new or merged + len(new) != len(pairs):
        return None  # a release replaced, one arriving out of order, or nothing new at all
    try:
        compiled, versioned, warnings = extend_compiled(
            _document(base.compiled), _document(base.versioned), new
        )
    except (RecompileRequired, ValueError):
        return None
    return compiled, versioned, [*base.notes, *warnings]


def compile_record(
    ocid: str,
    releases: list[tuple[dict[str, Any], int]],
    published: dict[str, Any] | None,
    *,
    base: StoredBase | None = None,
) -> RecordFacts:
    """Compile one ocid from its releases; with none, take the publisher's compiled release as is.

    With ``base`` (the stored record, when extendable) only the releases new since it are
    merged, if they all come after it in merge order; otherwise the whole history is.
    """
    notes: list[str] = []
    versioned: dict[str, Any] | None = None
    ordered: list[dict[str, Any]] = []
    merged_seq: int | None = None
    if releases:
        pairs = sorted(releases, key=lambda pair: release_order_key(pair[0], pair[1]))
        ordered = [dict(release) for release, _ in pairs]
        extended = _extended(pairs, base)
        if extended is not None:
            compiled, versioned, notes = extended
            compiled_from = "releases"
            merged_seq = max(seq for _, seq in pairs)
        else:
            try:
                compiled, versioned, notes, extendable = _merge(ordered)
                compiled_from = "releases"
                merged_seq = max(seq for _, seq in pairs) if extendable else None
            except ValueError as error:
                # Unmergeable: keep the newest release as the record's face, and say so loudly.
                compiled = {**ordered[-1], "tag": ["compiled"]}
                compiled_from = "failed"
                notes.append(f"could not compile: {error}; showing the newest release only")
        last_date = ordered[-1].get("date")
    elif published is not None:
        compiled, compiled_from, last_date = published, "published", published.get("date")
    else:  # pragma: no cover - the store only asks for ocids it holds something for
        raise ValueError(f"nothing stored for {ocid}")
    source = source_of(ocid)
    listed = listing(compiled, ordered, default_reference(), source)
    return RecordFacts(
        ocid=ocid,
        compiled=compiled,
        versioned=versioned,
        release_count=len(ordered),
        compiled_from=compiled_from,
        last_date=last_date if isinstance(last_date, str) else None,
        source=source,
        notice_type=listed.notice_type,
        stage=listed.stage,
        title=listed.title,
        buyer_name=listed.buyer_name,
        notes=tuple(notes),
        search=listed.document,
        merged_seq=merged_seq,
    )
