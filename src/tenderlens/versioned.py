"""A long versioned release stored as a skeleton and pieces, so one new release costs one release.

A versioned release keeps every version of every value. Extending it with a new release only
ever looks at each value's *latest* version (:func:`tenderlens.merge.extend_regular` compares
with ``history[-1]`` and appends), so the store keeps, for a long history:

* the **skeleton**: the versioned release with each value's history cut to its latest version;
  the merge engine extends it as it would the whole document;
* the **pieces**: the earlier versions, as ``[path, versions]`` pairs (a path of keys and
  array positions). The first piece holds every earlier version at the time of a full compile;
  each extension adds one piece with the versions it superseded.

Histories only grow at the end and array objects keep their positions, so the whole document
is the skeleton with each piece's versions put back in front, in piece order (:func:`join`).
Reading and writing the whole document then costs only pages that show it; an extension reads
and writes the skeleton (about one version per value) and one small piece. See
``docs/compile.md``, "Versioned release in pieces".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

#: From this many merged releases on, a record's versioned release is stored in pieces. Below
#: it the whole document is small, and one column (no piece rows) is cheaper to write and read.
SPLIT_AT: Final = 16

_IDS: Final = (str, int)

Path = list[str | int]
Piece = list[list[Any]]  # [[path, [version, ...]], ...]


def _is_history(value: list[Any]) -> bool:
    """A value's versions rather than an array of versioned objects (the merge engine's test)."""
    last = value[-1]
    return type(last) is dict and type(last.get("releaseID")) in _IDS


def split(versioned: dict[str, Any]) -> tuple[dict[str, Any], Piece]:
    """(skeleton, piece): each history cut to its latest version, and the versions cut off.

    The input is not changed; the skeleton shares the version objects with it.
    """
    piece: Piece = []
    return _split_object(versioned, [], piece), piece


def _split_object(obj: dict[str, Any], path: Path, piece: Piece) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        kind = type(value)
        if kind is list and value:
            if _is_history(value):
                if len(value) > 1:
                    piece.append([[*path, key], value[:-1]])
                    out[key] = [value[-1]]
                else:
                    out[key] = [value[0]]
            else:
                out[key] = [
                    _split_object(item, [*path, key, position], piece) if type(item) is dict else item
                    for position, item in enumerate(value)
                ]
        elif kind is dict:
            out[key] = _split_object(value, [*path, key], piece)
        else:
            out[key] = value
    return out


def cut(skeleton: dict[str, Any], releases: Iterable[Any]) -> Piece:
    """Cut the histories ``releases`` wrote to their latest version, in place; the versions cut off.

    After an extension only the paths a new release names can have grown, so this walks the
    new releases (and the array objects they name, found by id), not the skeleton. A history
    it misses keeps its versions in the skeleton, which :func:`join` reads as it is: only the
    skeleton's size depends on this walk, never the document.
    """
    piece: Piece = []
    for release in releases:
        if type(release) is dict:
            _cut_object(release, skeleton, [], piece)
    return piece


def _id_text(value: Any) -> str | None:
    kind = type(value)
    return value if kind is str else str(value) if kind is int else None


def _cut_object(release: dict[str, Any], node: dict[str, Any], path: Path, piece: Piece) -> None:
    for key, value in release.items():
        target = node.get(key)
        kind = type(target)
        if kind is list and target:
            if _is_history(target):
                if len(target) > 1:
                    piece.append([[*path, key], target[:-1]])
                    del target[:-1]
            elif type(value) is list:
                positions = {
                    text: position
                    for position, item in enumerate(target)
                    if type(item) is dict and (text := _id_text(item.get("id"))) is not None
                }
                for item in value:
                    if type(item) is dict and (text := _id_text(item.get("id"))) is not None:
                        position = positions.get(text)
                        if position is not None:
                            _cut_object(item, target[position], [*path, key, position], piece)
        elif kind is dict and type(value) is dict:
            _cut_object(value, target, [*path, key], piece)  # type: ignore[arg-type]


class PiecesError(ValueError):
    """A piece names a place the skeleton does not have: the stored pieces do not fit it."""


def join(skeleton: dict[str, Any], pieces: Iterable[Piece]) -> dict[str, Any]:
    """The whole versioned release: ``skeleton`` (changed in place) with ``pieces``' versions put back.

    Only the paths the pieces name are visited, so joining costs the earlier versions, not a
    walk of the document. Raises :class:`PiecesError` when a path does not lead to a history.
    """
    earlier: dict[tuple[str | int, ...], list[Any]] = {}
    for piece in pieces:
        for path, versions in piece:
            earlier.setdefault(tuple(path), []).extend(versions)
    for path, versions in earlier.items():
        node: Any = skeleton
        try:
            for step in path[:-1]:
                node = node[step]
            history = node[path[-1]]
        except (KeyError, IndexError, TypeError) as error:
            raise PiecesError(f"piece path {list(path)!r} is not in the versioned release") from error
        if type(history) is not list or not history or not _is_history(history):
            raise PiecesError(f"piece path {list(path)!r} is not a value's history")
        node[path[-1]] = versions + history
    return skeleton
