"""Type-checked reads from publisher JSON, which may hold anything anywhere.

Every read in :mod:`tenderlens.notice` goes through these helpers, so a string where an
object belongs, a null, or a list of ints yields "absent" instead of an exception.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar

T = TypeVar("T")

EMPTY: Mapping[str, Any] = MappingProxyType({})


# The object tests below check ``type(value) is dict`` first, and ``None`` (an absent key)
# before falling back to ``isinstance(value, Mapping)``: the data is plain JSON, and the ABC
# check is a Python-level ``__instancecheck__``, which absent arrays alone reached some 80
# times per record compiled (benchmarks/RESULTS.md, twelfth measurement).


def obj(value: object) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    if type(value) is dict:
        return value
    return EMPTY if value is None or not isinstance(value, Mapping) else value


def objs(value: object) -> list[Mapping[str, Any]]:
    """The objects in a JSON array (other members dropped).

    FTS sometimes sends an array as an object keyed by position (``{"1": {...}}``); its
    values are taken in that case.
    """
    members: Sequence[object]
    if type(value) is list:
        members = value
    elif value is None:
        return []
    elif type(value) is dict or isinstance(value, Mapping):
        members = list(value.values())
    elif isinstance(value, list | tuple):
        members = value
    else:
        return []
    return [member for member in members if type(member) is dict or isinstance(member, Mapping)]


def text(value: object) -> str | None:
    """A non-blank string, stripped; None for anything else."""
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return None


def ident(value: object) -> str | None:
    """An OCDS identifier: a non-blank string or an integer (never a boolean)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # more digits than Python will print
            return None
    return text(value)


def number(value: object) -> float | None:
    """A finite JSON number (booleans and numeric strings are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def boolean(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def strings(value: object) -> tuple[str, ...]:
    """The non-blank strings of an array (a lone string counts as a one-member array)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return ()
    return tuple(found for member in value if (found := text(member)) is not None)


def path(value: object, *keys: str) -> object:
    """``value[k1][k2]…`` through objects only; None as soon as a step is missing."""
    current = value
    for key in keys:
        if type(current) is not dict and (current is None or not isinstance(current, Mapping)):
            return None
        current = current.get(key)
    return current


def unique(items: Sequence[T]) -> tuple[T, ...]:
    """Items in first-seen order without repeats."""
    seen: list[T] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return tuple(seen)
