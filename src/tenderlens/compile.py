"""Compile the releases of one contracting process into a compiled and a versioned release.

ocdsmerge does the merging; tenderlens decides the order. ocdsmerge sorts releases by the
*text* of ``date``, and FTS mixes ``Z`` and ``+01:00`` offsets, so its order is not time
order. We sort by the instant ``date`` denotes (ties keep ingest order) and feed ocdsmerge
one release at a time with ``append()``, which never re-sorts. See ``docs/compile.md``.

The merge rules come from the packaged ``ocds/merge_rules.json``, built offline by
``scripts/build_merge_rules.py`` (ocdsmerge would otherwise download a schema).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Final

from ocdsmerge import CompiledRelease, VersionedRelease
from ocdsmerge.exceptions import OCDSMergeWarning

from tenderlens.ocds.dates import parse_instant

MERGE_RULES_RESOURCE: Final = "merge_rules.json"
RULE_NAMES: Final = frozenset({"omitWhenMerged", "wholeListMerge"})


def load_merge_rules(document: Mapping[str, Any]) -> dict[tuple[str, ...], str]:
    """The union of the rule groups of a ``merge_rules.json`` document, keyed by path tuple.

    Paths are stored as keys joined with ``/`` (OCDS field names contain no ``/``). A rule
    name other than omitWhenMerged/wholeListMerge, or one path with two different rules in
    two groups, is an error: the file is generated, so either means it was edited by hand.
    """
    rules: dict[tuple[str, ...], str] = {}
    for group in document["groups"]:
        for path, rule in group["rules"].items():
            if rule not in RULE_NAMES:
                raise ValueError(f"merge rule {rule!r} for {path!r} is not one of {sorted(RULE_NAMES)}")
            key = tuple(path.split("/"))
            if rules.setdefault(key, rule) != rule:
                raise ValueError(f"conflicting merge rules for {path!r}: {rules[key]!r} and {rule!r}")
    return rules


def _packaged_merge_rules() -> dict[tuple[str, ...], str]:
    resource = resources.files("tenderlens.ocds").joinpath(MERGE_RULES_RESOURCE)
    return load_merge_rules(json.loads(resource.read_text(encoding="utf-8")))


MERGE_RULES: Final[dict[tuple[str, ...], str]] = _packaged_merge_rules()


def release_order_key(release: Mapping[str, Any], ingest_seq: int) -> tuple[datetime, int]:
    """Sort key for merge order: the UTC instant of ``date``, then the order of ingest.

    Raises ValueError when ``date`` is missing or is not a date (readers reject such
    releases before they get here, so this is a programming error, not a data problem).
    """
    value = release.get("date")
    instant = parse_instant(value)
    if instant is None:
        raise ValueError(
            f"release {release.get('id')!r} of {release.get('ocid')!r} has no usable `date` "
            f"({value!r}), so it cannot be put in merge order"
        )
    return instant.astimezone(UTC), ingest_seq


def order_releases(releases: Iterable[tuple[Mapping[str, Any], int]]) -> list[dict[str, Any]]:
    """(release, ingest_seq) pairs → the releases in merge order (shallow copies; inputs untouched)."""
    pairs = sorted(releases, key=lambda pair: release_order_key(pair[0], pair[1]))
    return [dict(release) for release, _ in pairs]


def compile_releases(ordered: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(compiled release, versioned release) of releases that are already in merge order.

    ocdsmerge's warnings (e.g. duplicate ids in one array) are dropped here; use
    :func:`compile_releases_with_warnings` to report them.
    """
    compiled, versioned, _ = compile_releases_with_warnings(ordered)
    return compiled, versioned


def compile_releases_with_warnings(
    ordered: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Like :func:`compile_releases`, plus ocdsmerge's warnings as ``"release 'id': message"`` texts.

    Releases are applied in exactly the given order, one ``append()`` each. Every release is
    deep-copied first, so the results share no objects with the inputs or with each other.
    All releases must have the same ``ocid``. ocdsmerge's errors propagate unchanged (e.g.
    ``ocdsmerge.exceptions.InconsistentTypeError`` when a field is an object in one release
    and an array in another). Not thread-safe: it uses ``warnings.catch_warnings``.
    """
    if not ordered:
        raise ValueError("no releases to compile")
    ocids = {release.get("ocid") for release in ordered}
    if len(ocids) > 1:
        raise ValueError(
            f"releases of different ocids cannot be compiled together: {sorted(map(str, ocids))}"
        )

    compiled = CompiledRelease(merge_rules=MERGE_RULES)
    versioned = VersionedRelease(merge_rules=MERGE_RULES)
    messages: list[str] = []
    for release in ordered:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", OCDSMergeWarning)
            compiled.append(_plain(release))
        for warning in caught:
            if issubclass(warning.category, OCDSMergeWarning):
                messages.append(f"release {release.get('id')!r}: {warning.message}")
            else:  # not ours to swallow: let it go where it would have gone
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        # The versioned release flattens the same data, so it raises the same warnings again.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OCDSMergeWarning)
            versioned.append(_plain(release))
    return compiled.asdict(), versioned.asdict(), messages


def _plain(value: Any) -> Any:
    """A deep copy made of plain dicts and lists, the only containers ocdsmerge walks into."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
