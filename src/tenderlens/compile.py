"""Compile the releases of one contracting process into a compiled and a versioned release.

tenderlens decides the order and :mod:`tenderlens.merge` merges, with ocdsmerge 0.8's exact
semantics (ocdsmerge stays the tests' oracle). ocdsmerge sorts releases by the *text* of
``date``, and FTS mixes ``Z`` and ``+01:00`` offsets, so its order is not time order. We sort
by the instant ``date`` denotes (ties keep ingest order) and merge in exactly that order, as
ocdsmerge's ``append()`` would. A stored record can be extended with later releases
(:func:`extend_compiled`) instead of recompiled. See ``docs/compile.md``.

The merge rules come from the packaged ``ocds/merge_rules.json``, built offline by
``scripts/build_merge_rules.py`` (ocdsmerge would otherwise download a schema).
"""

from __future__ import annotations

import gc
import json
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from tenderlens.exceptions import TenderlensError
from tenderlens.merge import IrregularHistory, extend_regular, merge_exact, merge_regular, rule_tree
from tenderlens.ocds.dates import parse_instant

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

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
RULE_TREE: Final = rule_tree(MERGE_RULES)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a merge builds its output.

    A merge allocates thousands of containers per record (a list and a dict per versioned
    value) and none of them is part of a reference cycle, so reference counting frees all of
    them. The cyclic collector still runs every 700 net allocations and walks them: about a
    third of the merge's wall time (benchmarks/RESULTS.md, "Fifth measurement"). Collection is
    resumed on the way out, and only if it was enabled on the way in, so a caller that turned
    it off keeps it off. Concurrent merges in threads at worst let a collection run inside a
    merge; correctness never depends on it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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

    The duplicate-id warnings are dropped here; use :func:`compile_releases_with_warnings` to
    report them.
    """
    compiled, versioned, _ = compile_releases_with_warnings(ordered)
    return compiled, versioned


class CompiledHistory(NamedTuple):
    """A compile's results, and whether :func:`extend_compiled` may later build on them."""

    compiled: dict[str, Any]
    versioned: dict[str, Any]
    warnings: list[str]
    extendable: bool
    """True when the regular engine merged every release (so the two documents hold all the
    state a later release needs); False when the history needed the exact engine."""


class RecompileRequired(TenderlensError):  # noqa: N818 - it names what the caller must do
    """Raised by :func:`extend_compiled` when new releases cannot be applied to the stored pair.

    The caller compiles the whole history again with :func:`compile_history`.
    """


def compile_history(ordered: Sequence[Mapping[str, Any]]) -> CompiledHistory:
    """Compile releases that are already in merge order, as ocdsmerge 0.8 would, one ``append`` each.

    Releases are applied in exactly the given order. Inputs are never mutated, and the results
    share no mutable object with the inputs or with each other (leaf lists are copied; a
    release's ``tag`` is copied once and shared by its versioned entries). All releases must
    have the same ``ocid``. ocdsmerge's errors are raised as ocdsmerge raises them (e.g.
    ``ocdsmerge.exceptions.InconsistentTypeError`` when a field is an object in one release and
    an array in another), and its duplicate-id warnings come back as
    ``"release 'id': message"`` texts, never as Python warnings. Thread-safe.
    """
    if not ordered:
        raise ValueError("no releases to compile")
    ocids = {release.get("ocid") for release in ordered}
    if len(ocids) > 1:
        raise ValueError(
            f"releases of different ocids cannot be compiled together: {sorted(map(str, ocids))}"
        )
    with cyclic_gc_paused():
        try:
            merged, extendable = merge_regular(ordered, RULE_TREE), True
        except IrregularHistory:
            merged, extendable = merge_exact(ordered, MERGE_RULES), False
    return CompiledHistory(merged.compiled, merged.versioned, _messages(merged.warnings), extendable)


def compile_releases_with_warnings(
    ordered: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Like :func:`compile_releases`, plus the duplicate-id warnings (see :func:`compile_history`)."""
    compiled, versioned, messages, _ = compile_history(ordered)
    return compiled, versioned, messages


def extend_compiled(
    compiled: dict[str, Any], versioned: dict[str, Any], new_ordered_releases: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Apply releases that come after every merged one to a stored compiled + versioned pair.

    The result equals :func:`compile_history` of the whole history, at the cost of the new
    releases (plus walking the arrays they touch). ``compiled`` and ``versioned`` are updated
    in place and returned, with the new releases' warnings. Preconditions, which the caller
    owns (docs/compile.md, "Incremental compile"): the pair is, as plain JSON, the result of
    a compile whose ``extendable`` was True (or of this function); no merged release was
    replaced; the new releases sort after every merged one. A new release dated before the
    compiled release raises ValueError.

    Raises :class:`RecompileRequired` when a new release makes the history irregular (it
    needs the exact engine); the pair is then left half-updated, so discard it and recompile.
    """
    if not new_ordered_releases:
        return compiled, versioned, []
    last = parse_instant(compiled.get("date"))
    for release in new_ordered_releases:
        instant = parse_instant(release.get("date"))
        if last is None or instant is None or instant < last:
            raise ValueError(
                f"release {release.get('id')!r} does not sort after the compiled release "
                f"({release.get('date')!r} < {compiled.get('date')!r}): recompile the whole history"
            )
        last = instant
    try:
        with cyclic_gc_paused():
            merged = extend_regular(compiled, versioned, new_ordered_releases, RULE_TREE)
    except IrregularHistory as error:
        raise RecompileRequired(f"{compiled.get('ocid')}: {error}; recompile the whole history") from error
    return merged.compiled, merged.versioned, _messages(merged.warnings)


def _messages(warnings: list[tuple[Any, str]]) -> list[str]:
    return [f"release {release_id!r}: {message}" for release_id, message in warnings]
