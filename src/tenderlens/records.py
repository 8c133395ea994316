"""From an ocid's stored releases to its record: compiled and versioned release, plus listed facts.

This is the ``Compiler`` the store calls for each pending ocid. It never raises for bad data:
one publisher's odd history must not stop an ingest (only :class:`RecompileRequired`, when new releases
cannot extend a stored record: the store then compiles the whole history). The facts kept beside the record
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
from tenderlens.search.listing import ReleaseFacts, listing_from_facts, release_facts
from tenderlens.store import RecordFacts, StoredBase
from tenderlens.store.documents import parsed

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


def _extended(
    new_releases: list[dict[str, Any]], base: StoredBase
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The stored record extended by its new releases (in merge order), as a full compile gives it.

    The store checked that no merged release was replaced and every new release sorts after
    them all; only the new releases are merged, so one new release costs one release, not
    the whole history. Raises :class:`RecompileRequired` when that equals no full compile.
    """
    try:
        compiled, versioned, warnings = extend_compiled(
            parsed(base.compiled), parsed(base.versioned), new_releases
        )
    except ValueError as error:  # a new release dated before the compiled release
        raise RecompileRequired(str(error)) from error
    return compiled, versioned, [*base.notes, *warnings]


def _history(base: StoredBase) -> list[ReleaseFacts | None]:
    try:
        return [ReleaseFacts.from_json(entry) for entry in orjson.loads(base.history)]
    except (orjson.JSONDecodeError, TypeError, ValueError) as error:
        raise RecompileRequired(f"stored listing facts unreadable: {error}") from error


def compile_record(
    ocid: str,
    releases: list[tuple[dict[str, Any], int]],
    published: dict[str, Any] | None,
    *,
    base: StoredBase | None = None,
) -> RecordFacts:
    """Compile one ocid from its releases; with none, take the publisher's compiled release as is.

    With ``base`` (the stored record the new releases extend, see
    :class:`~tenderlens.store.StoredBase`) ``releases`` are only the new ones: they are merged
    into it and listed with its stored facts. Raises :class:`RecompileRequired` when they
    cannot extend it (the store then compiles the whole history); never raises otherwise.
    """
    notes: list[str] = []
    versioned: dict[str, Any] | None = None
    history: list[ReleaseFacts | None] = []
    merged_seq: int | None = None
    release_count = 0
    if base is not None:
        if not releases:
            raise RecompileRequired(f"{ocid}: nothing new to extend the stored record with")
        pairs = sorted(releases, key=lambda pair: release_order_key(pair[0], pair[1]))
        ordered = [dict(release) for release, _ in pairs]
        history = _history(base)
        if len(history) != base.release_count:
            raise RecompileRequired(f"{ocid}: stored listing facts do not match the merged releases")
        compiled, versioned, notes = _extended(ordered, base)
        compiled_from = "releases"
        merged_seq = max(base.merged_seq, *(seq for _, seq in pairs))
        history.extend(release_facts(release) for release in ordered)
        release_count = base.release_count + len(ordered)
        last_date = ordered[-1].get("date")
    elif releases:
        pairs = sorted(releases, key=lambda pair: release_order_key(pair[0], pair[1]))
        ordered = [dict(release) for release, _ in pairs]
        try:
            compiled, versioned, notes, extendable = _merge(ordered)
            compiled_from = "releases"
            merged_seq = max(seq for _, seq in pairs) if extendable else None
        except ValueError as error:
            # Unmergeable: keep the newest release as the record's face, and say so loudly.
            compiled = {**ordered[-1], "tag": ["compiled"]}
            compiled_from = "failed"
            notes.append(f"could not compile: {error}; showing the newest release only")
        history = [release_facts(release) for release in ordered]
        release_count = len(ordered)
        last_date = ordered[-1].get("date")
    elif published is not None:
        compiled, compiled_from, last_date = published, "published", published.get("date")
    else:  # pragma: no cover - the store only asks for ocids it holds something for
        raise ValueError(f"nothing stored for {ocid}")
    source = source_of(ocid)
    listed = listing_from_facts(compiled, history, default_reference(), source)
    return RecordFacts(
        ocid=ocid,
        compiled=compiled,
        versioned=versioned,
        release_count=release_count,
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
        history=None
        if merged_seq is None
        else [None if facts is None else facts.to_json() for facts in history],
    )
