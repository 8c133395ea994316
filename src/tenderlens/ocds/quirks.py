"""Known publisher quirks, and how the reader repairs them.

Two kinds of repair live here:

* Byte-level: FTS emits numbers with leading zeros (``" 000,"``), which is invalid JSON and
  makes every parser stop. :class:`LeadingZeroFilter` wraps the raw JSON stream and rewrites
  each such number token (outside strings only) into a marker string, so the document parses;
  :func:`repair_release` later turns the marker back into the number and records where it was.
* Release-level: :data:`QUIRKS`, a table of functions that each repair one quirk in a parsed
  release in place and return one description per repair made. Add new quirks there.

Numbers that a float cannot hold (FTS's ``1e9999``) reach a release as :class:`OutOfRangeNumber`
placeholders from the reader's builder; :func:`repair_numbers` removes them (the key is dropped,
never replaced by a made-up value or by null).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

__all__ = [
    "LEADING_ZERO_MARK",
    "QUIRKS",
    "ByteSource",
    "LeadingZeroFilter",
    "OutOfRangeNumber",
    "Quirk",
    "delivery_addresses_as_array",
    "repair_numbers",
    "repair_release",
]

#: Prefix of the string a leading-zero number token is rewritten to by :class:`LeadingZeroFilter`.
#: A NUL character never occurs in real text, so the marker cannot collide with data.
LEADING_ZERO_MARK: Final = "\x00tenderlens-leading-zeros:"
_MARK_JSON: Final = b'"\\u0000tenderlens-leading-zeros:'

Quirk = Callable[[dict[str, Any]], list[str]]


class ByteSource(Protocol):
    """Anything with a binary ``read(size)``: an open file, a ``GzipFile``, a wrapper."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class OutOfRangeNumber:
    """Placeholder for a JSON number no float (or 64-bit integer) can hold, e.g. ``1e9999``."""

    token: str


# --- release-level quirks -------------------------------------------------------------------


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _leading_zero_value(token: str) -> int | float | None:
    """The number a leading-zero token denotes (``-0012.5`` → -12.5), or None if out of range."""
    fixed = re.sub(r"^(-?)0+(?=\d)", r"\1", token)
    if not any(char in fixed for char in ".eE"):
        value: int | float = int(fixed)
        if -(2**63) <= value < 2**64:
            return value
        return None
    number = float(fixed)
    if number in {float("inf"), float("-inf")}:
        return None
    return number


def _repair_value(value: Any, path: str, repairs: list[str]) -> tuple[bool, Any]:
    """Repair one value; returns (keep, new value)."""
    if isinstance(value, OutOfRangeNumber):
        repairs.append(f"{path}: number {value.token} is out of range; removed")
        return False, None
    if isinstance(value, str):
        if value.startswith(LEADING_ZERO_MARK):
            token = value[len(LEADING_ZERO_MARK) :]
            number = _leading_zero_value(token)
            if number is None:
                repairs.append(f"{path}: number {token} is out of range; removed")
                return False, None
            repairs.append(f"{path}: number {token} has leading zeros (invalid JSON); read as {number}")
            return True, number
        return True, value
    if isinstance(value, dict):
        _repair_object(value, path, repairs)
    elif isinstance(value, list):
        _repair_array(value, path, repairs)
    return True, value


def _repair_object(obj: dict[str, Any], path: str, repairs: list[str]) -> None:
    drop: list[str] = []
    for key, value in obj.items():
        if isinstance(value, (dict, list, str, OutOfRangeNumber)):
            keep, new = _repair_value(value, _child(path, key), repairs)
            if not keep:
                drop.append(key)
            elif new is not value:
                obj[key] = new
    for key in drop:
        del obj[key]


def _repair_array(array: list[Any], path: str, repairs: list[str]) -> None:
    drop: list[int] = []
    for index, value in enumerate(array):
        if isinstance(value, (dict, list, str, OutOfRangeNumber)):
            keep, new = _repair_value(value, f"{path}[{index}]", repairs)
            if not keep:
                drop.append(index)
            elif new is not value:
                array[index] = new
    for index in reversed(drop):
        del array[index]


def repair_numbers(release: dict[str, Any]) -> list[str]:
    """Remove out-of-range numbers and restore leading-zero numbers, anywhere in the release.

    This walks the whole release, so the reader only calls it when its parser met such a number.
    """
    repairs: list[str] = []
    _repair_object(release, "", repairs)
    return repairs


def _items_lists(release: dict[str, Any]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    tender = release.get("tender")
    if isinstance(tender, dict):
        found.append(("tender.items", tender.get("items")))
    for section in ("awards", "contracts"):
        entries = release.get(section)
        if isinstance(entries, list):
            found.extend(
                (f"{section}[{index}].items", entry.get("items"))
                for index, entry in enumerate(entries)
                if isinstance(entry, dict)
            )
    return found


def delivery_addresses_as_array(release: dict[str, Any]) -> list[str]:
    """``items[].deliveryAddresses`` published as an object (``{"1": {...}}``) becomes an array.

    An object whose values are all objects is keyed by position: its values become the array.
    Any other object is taken as one address written without the array around it.
    """
    repairs: list[str] = []
    for path, items in _items_lists(release):
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            addresses = item.get("deliveryAddresses")
            if not isinstance(addresses, dict):
                continue
            where = f"{path}[{index}].deliveryAddresses"
            if addresses and all(isinstance(value, dict) for value in addresses.values()):
                item["deliveryAddresses"] = list(addresses.values())
                repairs.append(f"{where}: object form converted to an array")
            else:
                item["deliveryAddresses"] = [addresses]
                repairs.append(f"{where}: single address object wrapped in an array")
    return repairs


#: The release-level repairs, applied in order. Each repairs in place and describes each repair.
QUIRKS: Final[tuple[Quirk, ...]] = (repair_numbers, delivery_addresses_as_array)


def repair_release(release: dict[str, Any], *, scan_numbers: bool = True) -> list[str]:
    """Repair every known quirk in ``release`` in place; return one line per repair made.

    ``scan_numbers=False`` skips :func:`repair_numbers` (a walk of the whole release), for callers
    that know their parser met no out-of-range or leading-zero number while building it.
    """
    repairs: list[str] = []
    for quirk in QUIRKS:
        if quirk is repair_numbers and not scan_numbers:
            continue
        repairs.extend(quirk(release))
    return repairs


# --- byte-level filter ----------------------------------------------------------------------

# Bytes that may belong to a number token, or to the separator and whitespace before one, or to
# a run of backslashes: a chunk is never cut inside such a run, so no token spans two chunks.
_HOLD: Final = b" \t\r\n:,[0123456789+-.eE\\"
# A leading-zero number where a value is expected, followed by the end of the value: a cheap
# test for "this chunk may need repairs". Dates ("T09:05:00") and most prose do not match, nor
# does a comma right after a digit ("£131,000,000"). The pattern starts with a literal so that
# the regex engine can scan for it quickly.
_CANDIDATE: Final = re.compile(
    rb"0(?:(?<=[:\[\s]0)|(?<=,0)(?<![0-9],0)|(?<=[:,\[\s]-0))"
    rb"[0-9]+(?:\.[0-9]*)?(?:[eE][+\-]?[0-9]*)?\s*[,\]}]"
)
_ESCAPED_QUOTE: Final = re.compile(rb'\\"')
_STRING_REST: Final = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_OUTSIDE: Final = re.compile(rb'"|(?<![0-9.eE+\-])-?0[0-9]+(?:\.[0-9]+)?(?:[eE][+\-]?[0-9]+)?')
_MAX_HOLD: Final = 1 << 20


class LeadingZeroFilter:
    """A binary stream wrapper that makes leading-zero numbers (``000``, ``-007.5``) parseable.

    Each such token outside a string is rewritten to the string ``LEADING_ZERO_MARK + token``;
    :func:`repair_numbers` turns it back into a number and records the repair. Strings are
    tracked across chunk boundaries, and a chunk is never cut inside a number token. Chunks with
    nothing to repair (almost all) pass through after two C-speed scans.
    """

    def __init__(self, raw: ByteSource, chunk_size: int = 64 * 1024) -> None:
        self._raw = raw
        self._chunk_size = chunk_size
        self._carry = b""
        self._in_string = False
        self._eof = False
        #: Number of tokens rewritten so far.
        self.repairs = 0

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        while True:
            if self._eof:
                out, self._carry = self._carry, b""
                return self._filter(out) if out else b""
            chunk = self._raw.read(max(size, self._chunk_size) if size > 0 else self._chunk_size)
            if not chunk:
                self._eof = True
                continue
            data = self._carry + chunk
            cut = len(data.rstrip(_HOLD))
            if cut == 0 and len(data) < _MAX_HOLD:
                self._carry = data
                continue
            if cut == 0:
                cut = len(data)
            self._carry = data[cut:]
            return self._filter(data[:cut])

    def _filter(self, segment: bytes) -> bytes:
        if _CANDIDATE.search(segment) is None:
            quotes = segment.count(b'"')
            if quotes and b'\\"' in segment:
                for match in _ESCAPED_QUOTE.finditer(segment):
                    start = match.start()
                    while start > 0 and segment[start - 1] == 0x5C:  # a run of backslashes
                        start -= 1
                    if (match.end() - start) % 2 == 0:  # an odd number of them escapes the quote
                        quotes -= 1
            if quotes % 2:
                self._in_string = not self._in_string
            return segment
        return self._rewrite(segment)

    def _rewrite(self, segment: bytes) -> bytes:
        out: list[bytes] = []
        pos = 0
        in_string = self._in_string
        end = len(segment)
        while pos < end:
            if in_string:
                string_end = _STRING_REST.match(segment, pos)
                if string_end is None:  # the string goes on in the next chunk
                    out.append(segment[pos:])
                    break
                out.append(segment[pos : string_end.end()])
                pos = string_end.end()
                in_string = False
                continue
            found = _OUTSIDE.search(segment, pos)
            if found is None:
                out.append(segment[pos:])
                break
            if found.group() == b'"':
                out.append(segment[pos : found.end()])
                in_string = True
            else:
                out.extend((segment[pos : found.start()], _MARK_JSON, found.group(), b'"'))
                self.repairs += 1
            pos = found.end()
        self._in_string = in_string
        return b"".join(out)
