"""The merge engine: a compiled and a versioned release from releases, in one walk of each release.

It reproduces ocdsmerge 0.8 (``CompiledRelease`` / ``VersionedRelease`` with ``append``) exactly
- values, key order, warnings and errors - without flattening and unflattening. Two engines:

* the **regular** engine walks each release once over nested dicts and updates both documents
  in place. It handles every history in which each path keeps one shape (object, array of
  objects, or value), ids are strings or integers with no ``1``/``"1"`` clash in one array,
  and the containers are plain ``dict``/``list``. That is all real data seen so far. It raises
  :class:`IrregularHistory` the moment a release leaves that ground;
* the **exact** engine is a model of ocdsmerge's flat-path semantics, written for fidelity, not
  speed. It is used for the rare irregular history, so the results (and ocdsmerge's
  ``InconsistentTypeError`` and odd outputs) stay identical in every case.

The regular engine also extends stored documents (:func:`extend_regular`): everything it needs
is in the compiled and versioned release themselves. See ``docs/compile.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, NamedTuple

import orjson
from mypy_extensions import mypyc_attr
from ocdsmerge.exceptions import InconsistentTypeError

OMIT: Final = "omitWhenMerged"
WHOLE: Final = "wholeListMerge"
_dumps = orjson.dumps
_NODE_CACHE_LIMIT: Final = 50_000  # distinct key paths remembered; more (hostile data) are not cached


class IrregularHistory(Exception):  # noqa: N818 - a signal between the two engines, not an error
    """Raised by the regular engine when a release needs ocdsmerge's flat-path semantics."""


class Merged(NamedTuple):
    """A compiled release, a versioned release, and the duplicate-id messages as ``(release id, text)``."""

    compiled: dict[str, Any]
    versioned: dict[str, Any]
    warnings: list[tuple[Any, str]]


# --- merge rules as a tree ------------------------------------------------------------------------


class RuleNode:
    """The rules under one path (array positions do not count), for O(1) lookups while walking.

    ``rules`` are for the children of an object at this path; ``item_rules`` also omit ``id``,
    for the fields of an object in an array at this path (its ``id`` is set when it is created).
    """

    __slots__ = ("children", "item_rules", "label", "path", "rules", "table")

    def __init__(self, path: tuple[str, ...], table: Mapping[tuple[str, ...], str]) -> None:
        self.path = path
        self.table = table
        self.label = ".".join(path)
        depth = len(path)
        self.rules = {
            key[-1]: rule for key, rule in table.items() if len(key) == depth + 1 and key[:depth] == path
        }
        self.item_rules = {**self.rules, "id": OMIT}
        self.children: dict[str, RuleNode] = {}

    def child(self, key: str) -> RuleNode:
        node = self.children.get(key)
        if node is None:
            node = RuleNode((*self.path, key), self.table)
            if len(self.children) < _NODE_CACHE_LIMIT:
                self.children[key] = node
        return node


def rule_tree(rules: Mapping[tuple[str, ...], str]) -> RuleNode:
    """The root of ``rules`` as a tree; ``ocid`` and ``tag`` are handled by the engine, not merged."""
    root = RuleNode((), rules)
    for key in ("id", "date", "tag"):
        if rules.get((key,)) != OMIT:  # ocdsmerge sets these itself; our engine assumes the 1.1 rules
            raise ValueError(f"the merge rules must make `{key}` omitWhenMerged")
    root.rules |= {"ocid": OMIT, "tag": OMIT}
    return root


# --- the regular engine ----------------------------------------------------------------------------


_CONTAINERS: Final = frozenset({list, dict})
_JSON: Final = frozenset({str, int, float, bool, list, dict})
_SCALARS: Final = frozenset({str, int, float, bool})
_IDS: Final = frozenset({str, int})


def _is_versions(node: list[Any]) -> bool:
    """A versioned value's history (``[{releaseID, ...}]``) rather than an array of objects.

    Release ids are strings or integers on the regular path; in an array of versioned objects,
    a field called ``releaseID`` would itself be a history (a list) or an object.
    """
    return type(node[-1].get("releaseID")) in _IDS


def _same(value: Any, other: Any) -> bool:
    """Equal as JSON text: ``==`` alone takes ``2`` for ``2.0`` and ``1`` for ``True``."""
    if value != other:
        return False
    try:
        return _dumps(value) == _dumps(other)
    except (TypeError, ValueError):
        return False


def _by_id(items: list[Any]) -> dict[str, Any]:
    """A previous release's array objects by id text (that array had no repeated ids)."""
    found: dict[str, Any] = {}
    for item in items:
        if type(item) is dict and "id" in item:
            raw = item["id"]
            if type(raw) is str:
                found[raw] = item
            elif type(raw) is int:
                found[str(raw)] = item
    return found


def _reorder(compiled: dict[str, Any], versioned: dict[str, Any], *, top: bool) -> None:
    """Put a compiled object's keys back in first-seen order after a null field is set again."""
    if top:
        order = ["tag", "id", "date", *(key for key in versioned if key != "ocid" and key in compiled)]
        order.insert(3, "ocid")
    else:
        order = [key for key in versioned if key in compiled]
    if list(compiled) != order:
        items = [(key, compiled[key]) for key in order]
        compiled.clear()
        compiled.update(items)


def _index(
    compiled: list[Any], versioned: list[Any]
) -> dict[str, tuple[Any, dict[str, Any], dict[str, Any]]]:
    """id text → (id, compiled object, versioned object), for an array read from stored documents."""
    if len(compiled) != len(versioned):
        raise IrregularHistory("compiled and versioned arrays differ in length")
    index: dict[str, tuple[Any, dict[str, Any], dict[str, Any]]] = {}
    for compiled_item, versioned_item in zip(compiled, versioned, strict=True):
        if type(versioned_item) is not dict or type(compiled_item) is not dict:
            raise IrregularHistory("an array item that is not an object")
        if "id" in versioned_item:
            raw = versioned_item["id"]
            if type(raw) not in _IDS or compiled_item.get("id") != raw:
                raise IrregularHistory("an array item id that is not a string or an integer")
            text = raw if type(raw) is str else str(raw)
            if text in index:
                raise IrregularHistory("two array items whose ids have the same text")
            index[text] = (raw, compiled_item, versioned_item)
    return index


class _Regular:
    """One compiled + versioned pair being built or extended by the regular engine.

    With ``skip_repeats`` (a whole history in one call), a part of a release that is exactly
    (as JSON text) the same part of the release just applied is not walked again: every value
    in it was last set by that release, so re-applying it changes nothing. Only after a release
    without duplicate-id warnings (skipping would lose them) and without objects lacking an
    ``id`` in arrays (every release appends those again).
    """

    def __init__(
        self, rules: RuleNode, compiled: dict[str, Any], versioned: dict[str, Any], *, skip_repeats: bool
    ) -> None:
        self.rules = rules
        self.compiled = compiled
        self.versioned = versioned
        self.indexes: dict[int, dict[str, tuple[Any, dict[str, Any], dict[str, Any]]]] = {}
        self.warnings: list[tuple[Any, str]] = []
        self.skip_repeats = skip_repeats
        self.previous: dict[str, Any] | None = None  # the last release, when skipping is safe

    def apply(self, release: Any) -> None:
        if type(release) is not dict:
            raise IrregularHistory("a release that is not a dict")
        release_id = release.get("id")
        ocid = release.get("ocid")
        if type(release_id) not in _IDS or type(ocid) is not str:
            raise IrregularHistory("a release id or ocid that is not a string")
        date = release.get("date")
        tag = release.get("tag")
        compiled, versioned = self.compiled, self.versioned
        compiled["id"] = f"{ocid}-{date}"
        compiled["date"] = date
        compiled["ocid"] = ocid
        versioned["ocid"] = ocid

        indexes = self.indexes
        warnings = self.warnings
        tracked = False  # inside an object whose id repeats in its array in this release
        anonymous = False  # an object without id in an array: appended again by every release
        touched: dict[int, int] = {}  # id(history) → its length before this release (when tracked)

        def leaf(c: dict[str, Any], v: dict[str, Any], key: str, value: Any) -> None:
            """The general leaf: whole lists, and writes inside objects whose id repeats."""
            if type(value) not in _JSON and value is not None:
                raise IrregularHistory("a value that is not plain JSON")
            history = v.get(key)
            existed = history is not None
            if history is None:
                history = v[key] = []
                if tracked:
                    touched[id(history)] = 0
            elif type(history) is not list or not _is_versions(history):
                return  # an object or array at this path: a later value there is never visible
            elif tracked:  # a repeated id: this release's last write wins, as in one flat dict
                before = touched.setdefault(id(history), len(history))
                del history[before:]
            if not history or history[-1]["value"] != value:
                history.append(
                    {"releaseID": release_id, "releaseDate": date, "releaseTag": tag, "value": value}
                )
            if value is None:
                c.pop(key, None)
            else:
                present = key in c
                c[key] = value
                if existed and not present:
                    _reorder(c, v, top=c is compiled)

        def walk(  # noqa: PLR0917 - the hot path: positional arguments are the cheapest
            rel: dict[str, Any],
            c: dict[str, Any],
            v: dict[str, Any],
            node: RuleNode,
            rules: dict[str, str],
            prev: dict[str, Any] | None = None,
        ) -> None:
            """Merge ``rel`` into ``c`` and ``v``; ``prev`` is the same part of the last release, if any."""
            for key, value in rel.items():
                if key in rules:
                    if rules[key] == WHOLE:
                        leaf(c, v, key, value)
                    continue
                kind = type(value)
                if kind is str or kind is int or kind is float or kind is bool or value is None:
                    if prev is not None:  # the last release set this path last: same value, nothing to do
                        old = prev.get(key, _MISSING)
                        if old is value or (old == value and type(old) is kind and kind is not float):
                            continue
                    if tracked:
                        leaf(c, v, key, value)
                        continue
                    history = v.get(key)
                    if history is None:
                        v[key] = [
                            {"releaseID": release_id, "releaseDate": date, "releaseTag": tag, "value": value}
                        ]
                        if value is not None:
                            c[key] = value
                    elif type(history) is list:
                        last = history[-1]
                        if type(last.get("releaseID")) not in _IDS:
                            continue  # an array of objects here: the value is never visible
                        previous = last["value"]
                        if previous != value:
                            history.append(
                                {
                                    "releaseID": release_id,
                                    "releaseDate": date,
                                    "releaseTag": tag,
                                    "value": value,
                                }
                            )
                        if value is None:
                            if previous is not None:
                                del c[key]
                        else:
                            c[key] = value
                            if previous is None:
                                _reorder(c, v, top=c is compiled)
                    # else an object here: the value is never visible
                elif kind is dict:
                    if not value:
                        continue
                    before = None if prev is None else prev.get(key)
                    if before is not None and _same(value, before):
                        continue
                    child = v.get(key)
                    sub = node.children.get(key) or node.child(key)
                    if child is None:
                        new_c: dict[str, Any] = {}
                        new_v: dict[str, Any] = {}
                        (walk if tracked else build)(value, new_c, new_v, sub, sub.rules)
                        if new_v:
                            c[key] = new_c
                            v[key] = new_v
                    elif type(child) is dict:
                        walk(value, c[key], child, sub, sub.rules, before if type(before) is dict else None)
                    else:
                        raise IrregularHistory(f"an object where there was a value or an array: {key!r}")
                elif kind is list:
                    if not value:
                        continue
                    for item in value:
                        if type(item) is not dict:
                            leaf(c, v, key, value)  # an array with a non-object: replaced whole
                            break
                    else:
                        before = None if prev is None else prev.get(key)
                        if before is not None and _same(value, before):
                            continue
                        child = v.get(key)
                        sub = node.children.get(key) or node.child(key)
                        if child is None:
                            new_cl: list[Any] = []
                            new_vl: list[Any] = []
                            index: dict[str, tuple[Any, dict[str, Any], dict[str, Any]]] = {}
                            array(value, new_cl, new_vl, sub, index)
                            if new_vl:
                                c[key] = new_cl
                                v[key] = new_vl
                                indexes[id(new_vl)] = index
                        elif type(child) is list and not _is_versions(child):
                            known = indexes.get(id(child))
                            if known is None:
                                known = indexes[id(child)] = _index(c[key], child)
                            array(value, c[key], child, sub, known, before if type(before) is list else None)
                        else:
                            raise IrregularHistory(
                                f"an array of objects where there was a value or an object: {key!r}"
                            )
                else:
                    raise IrregularHistory("a value that is not plain JSON")

        def build(
            rel: dict[str, Any], c: dict[str, Any], v: dict[str, Any], node: RuleNode, rules: dict[str, str]
        ) -> None:
            """``walk`` for a part seen for the first time: nothing to look up or compare."""
            for key, value in rel.items():
                if key in rules:
                    if rules[key] == WHOLE:
                        leaf(c, v, key, value)
                    continue
                kind = type(value)
                if kind is str or kind is int or kind is float or kind is bool or value is None:
                    v[key] = [
                        {"releaseID": release_id, "releaseDate": date, "releaseTag": tag, "value": value}
                    ]
                    if value is not None:
                        c[key] = value
                elif kind is dict:
                    if value:
                        sub = node.children.get(key) or node.child(key)
                        new_c: dict[str, Any] = {}
                        new_v: dict[str, Any] = {}
                        build(value, new_c, new_v, sub, sub.rules)
                        if new_v:
                            c[key] = new_c
                            v[key] = new_v
                elif kind is list:
                    if not value:
                        continue
                    for item in value:
                        if type(item) is not dict:
                            v[key] = [
                                {
                                    "releaseID": release_id,
                                    "releaseDate": date,
                                    "releaseTag": tag,
                                    "value": value,
                                }
                            ]
                            c[key] = value
                            break
                    else:
                        new_cl: list[Any] = []
                        new_vl: list[Any] = []
                        index: dict[str, tuple[Any, dict[str, Any], dict[str, Any]]] = {}
                        array(value, new_cl, new_vl, node.children.get(key) or node.child(key), index)
                        if new_vl:
                            c[key] = new_cl
                            v[key] = new_vl
                            indexes[id(new_vl)] = index
                else:
                    raise IrregularHistory("a value that is not plain JSON")

        def array(  # noqa: PLR0917 - the hot path: positional arguments are the cheapest
            items: list[dict[str, Any]],
            c: list[Any],
            v: list[Any],
            node: RuleNode,
            index: dict[str, tuple[Any, dict[str, Any], dict[str, Any]]],
            prev: list[Any] | None = None,
        ) -> None:
            nonlocal tracked, anonymous
            texts: list[str | None] = []
            seen: set[str] = set()
            repeated: set[str] = set()
            for item in items:
                if "id" in item:
                    raw = item["id"]
                    kind = type(raw)
                    if kind is str:
                        text = raw
                    elif kind is int:
                        text = str(raw)
                    else:
                        raise IrregularHistory("an id that is not a string or an integer")
                    if text in seen:
                        repeated.add(text)
                    else:
                        seen.add(text)
                    texts.append(text)
                else:
                    texts.append(None)
            first: set[str] = set()
            rules = node.item_rules
            earlier = _by_id(prev) if prev is not None and not repeated else {}
            position = 0
            for item in items:
                text = texts[position]
                position += 1
                if text is None:
                    anonymous = True
                    new_c: dict[str, Any] = {}
                    new_v: dict[str, Any] = {}
                    (walk if tracked else build)(item, new_c, new_v, node, rules)
                    if new_v:
                        c.append(new_c)
                        v.append(new_v)
                    continue
                raw = item["id"]
                entry = index.get(text)
                if entry is None:
                    item_c = {"id": raw}
                    item_v = {"id": raw}
                    c.append(item_c)
                    v.append(item_v)
                    index[text] = (raw, item_c, item_v)
                    if not tracked and text not in repeated:
                        build(item, item_c, item_v, node, rules)
                        continue
                elif type(entry[0]) is not type(raw):
                    raise IrregularHistory("ids 1 and '1' in one array")
                else:
                    item_c, item_v = entry[1], entry[2]
                if earlier:  # no id repeats in this array: compare with the last release's object
                    before = earlier.get(text)
                    if before is not None and _same(item, before):
                        continue
                    walk(item, item_c, item_v, node, rules, before)
                    continue
                if text in repeated:
                    if text in first:
                        warnings.append(
                            (
                                release_id,
                                f"Multiple objects have the `id` value {text!r} in the `{node.label}` array",
                            )
                        )
                    first.add(text)
                    outer = tracked
                    tracked = True
                    walk(item, item_c, item_v, node, rules)
                    tracked = outer
                else:
                    walk(item, item_c, item_v, node, rules)

        before = len(warnings)
        try:
            walk(release, compiled, versioned, self.rules, self.rules.rules, self.previous)
            safe_to_skip = self.skip_repeats and len(warnings) == before and not anonymous
            self.previous = release if safe_to_skip else None
        finally:
            # The nested functions and the scope they share refer to each other, a reference
            # cycle that only the cyclic collector frees. Through ``compiled``, ``versioned``
            # and ``indexes`` it held the whole output after the caller was done with it: every
            # dict and list of a versioned release left for the collector to find, not freed by
            # reference counting (benchmarks/RESULTS.md, twelfth measurement). mypyc cannot
            # ``del`` the functions, so the cycle is left holding only empty containers.
            compiled, versioned, indexes, touched, warnings = {}, {}, {}, {}, []


def merge_regular(releases: Iterable[Any], rules: RuleNode) -> Merged:
    """Compile releases in the given order with the regular engine; raises :class:`IrregularHistory`."""
    state = _Regular(
        rules,
        {"tag": ["compiled"], "id": None, "date": None, "ocid": None},
        {"ocid": None},
        skip_repeats=True,
    )
    for release in releases:
        state.apply(release)
    if state.compiled["date"] is None:
        del state.compiled["date"]
    return Merged(state.compiled, state.versioned, state.warnings)


def extend_regular(
    compiled: dict[str, Any], versioned: dict[str, Any], releases: Iterable[Any], rules: RuleNode
) -> Merged:
    """Apply more releases to a stored compiled + versioned pair, in place; raises :class:`IrregularHistory`.

    The pair must be what :func:`merge_regular` (or this function) produced for the earlier
    releases, read back as plain JSON. On :class:`IrregularHistory` the pair is left half-updated.
    """
    if (
        compiled.get("tag") != ["compiled"]
        or "ocid" not in compiled
        or versioned.get("ocid") != compiled["ocid"]
    ):
        raise IrregularHistory("not a compiled and versioned release of the same ocid")
    if list(compiled)[:4] != ["tag", "id", "date", "ocid"]:  # the last release had no date
        rest = {key: value for key, value in compiled.items() if key not in {"tag", "id", "date", "ocid"}}
        head = {
            "tag": ["compiled"],
            "id": compiled.get("id"),
            "date": compiled.get("date"),
            "ocid": compiled["ocid"],
        }
        compiled.clear()
        compiled.update(head | rest)
    state = _Regular(rules, compiled, versioned, skip_repeats=False)
    for release in releases:
        if type(release) is dict and release.get("ocid") != compiled["ocid"]:
            raise IrregularHistory("a release of another ocid")
        state.apply(release)
    if compiled["date"] is None:
        del compiled["date"]
    return Merged(compiled, versioned, state.warnings)


# --- the exact engine ------------------------------------------------------------------------------


@mypyc_attr(native_class=False)  # mypyc compiles no subclass of str: this stays a Python class
class _Position(str):
    """An array position in a flat path: equal to the text of the object's id, holding the id itself.

    ocdsmerge matches flat paths by that text (so ``1`` and ``"1"`` meet) but builds objects by
    the id itself (so they part again); this reproduces both. Made by :func:`_position`.
    """

    __slots__ = ("ident", "raw")

    ident: Any
    raw: Any


def _position(text: str, ident: Any, raw: Any) -> _Position:
    """A :class:`_Position` (a function, not ``__new__``: mypyc cannot call ``str.__new__``)."""
    position = _Position(text)
    position.ident = ident
    position.raw = raw
    return position


def _plain(value: Any) -> Any:
    """A deep copy made of plain dicts and lists, the only containers ocdsmerge walks into."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _flatten(  # noqa: PLR0917 - a private recursion
    value: dict[str, Any] | list[Any],
    rules: Mapping[tuple[str, ...], str],
    into: dict[tuple[str, ...], Any],
    path: tuple[str, ...],
    rule_path: tuple[str, ...],
    warn: list[str] | None,
    anonymous: Iterator[int],
) -> None:
    if isinstance(value, list):  # plain data here, so the same as ocdsmerge's `type(...) is list`
        seen: set[str] = set()
        for item in value:
            if "id" in item:
                part = _position(str(item["id"]), item["id"], item["id"])
            else:
                token = f"\x00{next(anonymous)}"
                part = _position(token, token, None)
            if part in seen:
                if warn is not None:
                    label = ".".join(rule_path)
                    warn.append(f"Multiple objects have the `id` value {str(part)!r} in the `{label}` array")
            else:
                seen.add(part)
            _flatten_member(part, item, rules, into, path, rule_path, warn, anonymous)
    else:
        for key, member in value.items():
            _flatten_member(key, member, rules, into, path, (*rule_path, key), warn, anonymous)


def _flatten_member(  # noqa: PLR0917 - a private recursion
    key: str,
    member: Any,
    rules: Mapping[tuple[str, ...], str],
    into: dict[tuple[str, ...], Any],
    path: tuple[str, ...],
    rule_path: tuple[str, ...],
    warn: list[str] | None,
    anonymous: Iterator[int],
) -> None:
    rule = rules.get(rule_path)
    if rule == OMIT:
        return
    if (
        rule == WHOLE
        or not isinstance(member, dict | list)
        or (type(member) is list and not all(isinstance(item, dict) for item in member))
    ):
        into[(*path, key)] = member
    elif member:
        _flatten(member, rules, into, (*path, key), rule_path, warn, anonymous)


def _unflatten(flat: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    made: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key, value in flat.items():
        node: Any = root
        last = len(key) - 1
        for depth, part in enumerate(key):
            if type(part) is _Position:
                where = (*key[:depth], part.ident)
                if where not in made:
                    item: dict[str, Any] = {}
                    if part.raw is not None:
                        item["id"] = part.raw
                    made[where] = item
                    if type(node) is not list:
                        raise InconsistentTypeError(
                            f"An earlier release had the object {node!r} for /{'/'.join(key[:depth])}, "
                            "but the current release has an array"
                        )
                    node.append(item)
                node = made[where]
            elif not isinstance(node, dict):
                raise InconsistentTypeError(
                    f"An earlier release had the value {node!r} for /{'/'.join(key[:depth])}, "
                    f"but the current release has an object with a {part!r} key"
                )
            elif part in node:
                node = node[part]
            elif depth < last:
                node[part] = [] if type(key[depth + 1]) is _Position else {}
                node = node[part]
            elif value is not None:
                node[part] = value
    return root


def merge_exact(releases: Sequence[Any], rules: Mapping[tuple[str, ...], str]) -> Merged:
    """Compile releases in the given order with ocdsmerge 0.8's flat-path semantics (slow, exact)."""
    anonymous = itertools.count()
    compiled: dict[tuple[str, ...], Any] = {("tag",): ["compiled"]}
    versioned: dict[tuple[str, ...], Any] = {}
    warnings: list[tuple[Any, str]] = []
    for release in releases:
        messages: list[str] = []
        for target in (compiled, versioned):  # each from its own copy, as ocdsmerge is fed here
            data = _plain(release)
            ocid, release_id, date = data.get("ocid"), data.get("id"), data.get("date")
            tag = data.pop("tag", None)
            flat: dict[tuple[str, ...], Any] = {}
            _flatten(data, rules, flat, (), (), messages if target is compiled else None, anonymous)
            if target is compiled:
                compiled[("id",)] = f"{ocid}-{date}"
                compiled[("date",)] = date
                compiled[("ocid",)] = ocid
                compiled.update(flat)
                continue
            flat.pop(("ocid",), None)
            versioned[("ocid",)] = ocid
            for key, value in flat.items():
                history = versioned.get(key, _MISSING)
                if history is not _MISSING and (type(history) is not list or value == history[-1]["value"]):
                    continue
                versioned.setdefault(key, []).append(
                    {"releaseID": release_id, "releaseDate": date, "releaseTag": tag, "value": value}
                )
        warnings.extend((release.get("id"), message) for message in messages)
    return Merged(_unflatten(compiled), _unflatten(versioned), warnings)


_MISSING: Final = object()
