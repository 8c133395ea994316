"""Read OCDS releases from files, directories and stdin, in bounded memory.

Accepted inputs: release packages, record packages, bare releases, records, JSON arrays of any of
these, concatenated or pretty-printed JSON values, and JSON Lines of any of these; each may be
gzipped (detected by its magic bytes). Directories are read recursively.

How it streams: JSON text goes through ijson's event parser (the C ``yajl2_c`` backend when it is
installed). Only the ``releases`` and ``records`` arrays of a package are streamed item by item;
each release (or record) is built on its own and handed on, so memory holds one release at a
time however large the package. JSON Lines are parsed line by line with orjson instead, which is
faster and lets one bad line be skipped while the next lines still load. A whole input of at
most 16 MB (a harvested page, a small file) is likewise parsed with orjson at once, which is about
15x faster than building it from parser events. Either orjson parse is used only when its result
is the streaming path's: input that orjson refuses (leading zeros, ``1e9999``, invalid JSON or
UTF-8) or that it would read differently (integers beyond 64 bits, a duplicated ``releases`` key)
is read the streaming way, which repairs it or says where it goes wrong.

Bad input never raises: the reader yields a :class:`Problem` (``fatal`` when the rest of that
input could not be read) and goes on with the next item or input. Publisher quirks are repaired
by :mod:`tenderlens.ocds.quirks`, and each repair is listed in :attr:`ReadRelease.repairs`.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

import ijson
import orjson

from tenderlens.ocds.quirks import ByteSource, LeadingZeroFilter, OutOfRangeNumber, repair_release
from tenderlens.ocds.release import json_type, release_problem

__all__ = [
    "Problem",
    "ReadCompiledRelease",
    "ReadItem",
    "ReadRelease",
    "input_size",
    "read_inputs",
    "release_problem",
]


@dataclass(frozen=True, slots=True)
class ReadRelease:
    """A release that passed :func:`release_problem`, after quirk repairs."""

    release: dict[str, Any]
    #: Human position: "pages/p001.json, releases[3] (id 083674-2026)", "x.jsonl, line 7".
    where: str
    #: The file read (as given, or inside a given directory), or "-" for stdin.
    source: str
    #: One line per repair made, e.g. "tender.items[0].deliveryAddresses: object form converted…".
    repairs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReadCompiledRelease:
    """The compiled release of a record that embeds no full releases (e.g. an FTS record package)."""

    compiled_release: dict[str, Any]
    where: str
    source: str


@dataclass(frozen=True, slots=True)
class Problem:
    """An item that was rejected (``fatal=False``), or an input that could not be read further."""

    where: str
    message: str
    source: str
    #: True: the rest of this input could not be read. False: one item was skipped.
    fatal: bool

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


ReadItem = ReadRelease | ReadCompiledRelease | Problem

_CHUNK: Final = 64 * 1024
# How much decoded data is looked at to recognise the format (JSON Lines or not).
_SNIFF: Final = 1 << 20
_SUFFIXES: Final = (".json", ".jsonl", ".ndjson", ".gz")
_LINE_SUFFIXES: Final = (".jsonl", ".ndjson")
_GZIP_MAGIC: Final = b"\x1f\x8b"
_BOM: Final = b"\xef\xbb\xbf"
_JSON_STARTS: Final = frozenset(b'{["-0123456789tfn')
# orjson and the C backend can hold integers in this range; others are out of range.
_INT_MIN: Final = -(2**63)
_INT_MAX: Final = 2**64 - 1
_INFINITIES: Final = (float("inf"), float("-inf"))
# orjson turns integers outside [-2**63, 2**64 - 1] into floats silently, so input with a run of
# 19 digits (-9223372036854775809 has 19) takes the slow path. (Mapping digits to "0" and finding
# the run is 20x faster than a regex.)
_DIGITS_TO_ZERO: Final = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS: Final = b"0" * 19
# Inputs (a whole file, page or stdin body; one JSON Lines line) up to this size are parsed with
# orjson at once when it accepts them; larger ones, and those it refuses, are streamed. orjson's
# objects take several times the text's size, so this also bounds the memory a page can take.
# Tests set it to 0 to compare the two paths.
_whole_max = 16 * 1024 * 1024
# How far ahead to look for the end of an input of unknown size (stdin, gzip): peeked bytes are
# held while the input is streamed, if it turns out larger.
_UNSIZED_MAX: Final = 4 * 1024 * 1024
# What _parse_whole returns for input that must go the streaming way.
_REFUSED: Final = object()
# Keys that only a release has at its top level: an object with one is read as a release.
_RELEASE_KEYS: Final = frozenset(
    {
        "ocid", "id", "date", "tag", "initiationType", "parties", "buyer", "planning", "tender",
        "awards", "contracts", "language", "relatedProcesses",
    }
)  # fmt: skip
_BINARY_HINTS: Final = (
    (b"PK\x03\x04", "a zip archive; extract it first"),
    (b"BZh", "bzip2 data; decompress it first"),
    (b"\xfd7zXZ\x00", "xz data; decompress it first"),
    (b"\x28\xb5\x2f\xfd", "zstd data; decompress it first"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xfe", "UTF-16 text; convert it to UTF-8"),
    (b"\xfe\xff", "UTF-16 text; convert it to UTF-8"),
    (b"<", "XML or HTML"),
)

Events = Iterator[tuple[str, Any]]


# --- public functions -----------------------------------------------------------------------


def read_inputs(
    paths: Sequence[str | Path],
    *,
    progress: Callable[[int], None] | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[ReadItem]:
    """Yield every release (and every problem) in ``paths``, in order.

    ``paths`` are files, directories (read recursively: sorted, ``.json``, ``.jsonl``,
    ``.ndjson`` and ``.gz`` files, hidden ones skipped) or ``"-"`` for ``stdin`` (default
    ``sys.stdin.buffer``). ``progress(n)`` is called with the number of bytes read from disk
    since the last call (compressed bytes for ``.gz``); when an input ends early (a fatal
    problem) its unread bytes are reported too, so the calls add up to :func:`input_size`.
    """
    for given in paths:
        text = str(given)
        if text == "-":
            yield from _read_stdin(stdin if stdin is not None else sys.stdin.buffer, progress)
            continue
        path = Path(given)
        if path.is_dir():
            files = _walk(path)
            if not files:
                message = "directory has no .json, .jsonl, .ndjson or .gz files"
                yield Problem(text, message, text, fatal=True)
            for file in files:
                yield from _read_file(file, progress)
        else:
            yield from _read_file(path, progress)


def input_size(paths: Sequence[str | Path]) -> int | None:
    """Total bytes on disk of what :func:`read_inputs` will read; None if stdin is among them."""
    total = 0
    for given in paths:
        if str(given) == "-":
            return None
        path = Path(given)
        files = _walk(path) if path.is_dir() else [path]
        for file in files:
            try:
                total += file.stat().st_size
            except OSError:
                continue  # read_inputs reports it
    return total


# --- inputs ---------------------------------------------------------------------------------


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        found.extend(
            Path(directory, name)
            for name in filenames
            if not name.startswith(".") and name.lower().endswith(_SUFFIXES)
        )
    return sorted(found, key=lambda file: file.relative_to(root).parts)


class _Progress:
    """Reports raw bytes read; bytes read again (by a retry) are not reported twice."""

    def __init__(self, callback: Callable[[int], None] | None) -> None:
        self._callback = callback
        self._reported = 0

    def advance_to(self, position: int) -> None:
        if self._callback is not None and position > self._reported:
            self._callback(position - self._reported)
            self._reported = position


class _Fatal(Exception):  # noqa: N818 - internal signal, never escapes this module
    def __init__(self, problem: Problem, *, retry: bool = False) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.retry = retry


def _read_stdin(stream: BinaryIO, callback: Callable[[int], None] | None) -> Iterator[ReadItem]:
    # stdin cannot be read twice, so it goes through the repairing filter from the start.
    reader = _Reader("<stdin>", "-", _Progress(callback))
    try:
        yield from reader.run(stream, repair=True)
    except _Fatal as fatal:
        yield fatal.problem


def _read_file(path: Path, callback: Callable[[int], None] | None) -> Iterator[ReadItem]:
    name = str(path)
    progress = _Progress(callback)
    known: int | None = None  # the size of a regular file; a pipe's says nothing
    try:
        status = path.stat()
    except OSError:
        size = 0
    else:
        size = status.st_size
        known = size if stat.S_ISREG(status.st_mode) else None
    done = 0
    try:
        try:
            with path.open("rb") as raw:
                for item in _Reader(name, name, progress, known).run(raw, repair=False):
                    done += 1
                    yield item
        except _Fatal as fatal:
            if not fatal.retry:
                yield fatal.problem
                return
            first = fatal.problem
        else:
            return
        # The JSON is invalid: read it again through the repairing filter (leading-zero numbers),
        # skipping the items already yielded; they come out the same, since the filter only
        # rewrites tokens that cannot occur in valid JSON.
        retry = _Reader(name, name, progress, known)
        try:
            with path.open("rb") as raw:
                for index, item in enumerate(retry.run(raw, repair=True)):
                    if index >= done:
                        yield item
        except _Fatal as fatal:
            repaired = retry.filter is not None and retry.filter.repairs > 0
            yield fatal.problem if repaired else first
    except OSError as exc:
        yield Problem(name, _os_error(exc), name, fatal=True)
    finally:
        progress.advance_to(size)


def _os_error(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "cannot read it: permission denied"
    return f"cannot read it: {exc.strerror or exc}"


class _Stream:
    """Wraps a binary stream: counts the bytes read, can peek ahead, remembers the last read."""

    def __init__(self, read: Callable[[int], bytes], on_read: Callable[[int], None] | None = None) -> None:
        self._read = read
        self._on_read = on_read
        self._head = b""
        self._head_at = 0
        self.error: BaseException | None = None  # met while peeking; raised when reached
        self.pulled = 0  # bytes taken from raw
        self.position = 0  # bytes handed out
        self.last_start = 0
        self.last_chunk = b""

    def seek(self, offset: int, /) -> int:
        """Not seekable (``GzipFile`` wants the method; it only calls it to rewind)."""
        raise io.UnsupportedOperation(f"cannot seek to {offset}")

    def _pull(self, size: int) -> bytes:
        data = self._read(size)
        if data:
            self.pulled += len(data)
            if self._on_read is not None:
                self._on_read(self.pulled)
        return data

    def peek(self, size: int) -> bytes:
        """Up to ``size`` bytes ahead, without consuming them.

        A read error while peeking (a truncated gzip stream) is kept, and raised only when the
        consumer reads past the bytes peeked, so everything before the error is still read.
        """
        head = self._head[self._head_at :]
        parts = [head]
        have = len(head)
        while have < size and self.error is None:
            try:
                data = self._pull(size - have)
            except (OSError, EOFError, zlib.error) as exc:
                self.error = exc
                break
            if not data:
                break
            parts.append(data)
            have += len(data)
        self._head = b"".join(parts)
        self._head_at = 0
        return self._head[:size]

    def read(self, size: int = -1, /) -> bytes:
        if size == 0:
            return b""
        if self._head_at < len(self._head):
            # Serve peeked bytes first, by offset: slicing the rest off each time would copy it.
            end = len(self._head) if size < 0 else self._head_at + size
            data = self._head[self._head_at : end]
            self._head_at += len(data)
            if self._head_at >= len(self._head):
                self._head, self._head_at = b"", 0
        elif self.error is not None:
            raise self.error
        elif size < 0:
            parts = []
            while chunk := self._pull(_CHUNK):
                parts.append(chunk)
            data = b"".join(parts)
        else:
            data = self._pull(size)
        self.last_start = self.position
        self.last_chunk = data
        self.position += len(data)
        return data


def _lines(stream: _Stream) -> Iterator[bytes]:
    parts: list[bytes] = []
    while chunk := stream.read(_CHUNK):
        start = 0
        while (newline := chunk.find(b"\n", start)) >= 0:
            parts.append(chunk[start:newline])
            yield b"".join(parts)
            parts = []
            start = newline + 1
        parts.append(chunk[start:])
    if any(parts):
        yield b"".join(parts)


def _looks_like_lines(head: bytes, name: str) -> bool:
    """Whether to read the input as JSON Lines, judging by the complete lines within ``head``.

    With a ``.jsonl``/``.ndjson`` name: if the first non-empty line is a whole JSON value, or
    at least bracketed like one (a quirky or broken line, which line mode skips on its own).
    Otherwise the first two non-empty lines must be whole values: one is not enough, since
    concatenated JSON may start with a one-line value and go on pretty-printed.
    """
    by_name = name.lower().removesuffix(".gz").endswith(_LINE_SUFFIXES)
    needed = 1 if by_name else 2
    found = 0
    start = 0
    while found < needed:
        end = head.find(b"\n", start)
        if end < 0:  # no further complete line within head
            return False
        line = head[start:end].strip()
        start = end + 1
        if not line:
            continue
        if not _is_json_value(line):
            bracketed = (line[:1], line[-1:]) in {(b"{", b"}"), (b"[", b"]")} and len(line) > 1
            if not (by_name and bracketed):
                return False
        found += 1
    return True


def _parse_whole(data: bytes) -> Any:
    """``data`` parsed by orjson, or ``_REFUSED`` when only the streaming path reads it right.

    orjson refuses leading zeros, ``1e9999`` and invalid JSON or UTF-8; it would read integers
    beyond 64 bits as floats where the streaming path removes them, hence the digit check.
    """
    if len(data) > _whole_max or _LONG_DIGITS in data.translate(_DIGITS_TO_ZERO):
        return _REFUSED
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _REFUSED
    if type(value) is dict and "releases" not in value and "records" not in value:
        return value  # a bare release (most JSON Lines): nothing is streamed from it
    releases, records = _package_keys(value)
    if data.count(b'"releases"') != releases or data.count(b'"records"') != records:
        return _REFUSED  # perhaps a duplicate key: streaming reads both arrays, orjson the last
    return value


def _package_keys(value: Any) -> tuple[int, int]:
    """How many ``releases`` and ``records`` keys the reader looks at in a parsed value."""
    objects = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
    releases = records = 0
    for obj in objects:
        if not isinstance(obj, dict):
            continue
        releases += "releases" in obj
        records += "records" in obj
        inner = obj.get("records")
        if isinstance(inner, list):
            releases += sum(isinstance(record, dict) and "releases" in record for record in inner)
    return releases, records


def _is_json_value(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


# --- building values from parser events -----------------------------------------------------


def _next(events: Events) -> tuple[str, Any]:
    try:
        return next(events)
    except StopIteration:
        raise ijson.IncompleteJSONError("premature EOF") from None


def _build(events: Events, event: str, value: Any, reader: _Reader) -> Any:
    """The value whose first event is (event, value), built from the following events.

    Numbers come as int or Decimal (``use_float=False``, so nothing overflows in the parser);
    they become int or float here, and an out-of-range one becomes an :class:`OutOfRangeNumber`
    for :func:`~tenderlens.ocds.quirks.repair_numbers` to remove. This loop is the reader's hot
    path, hence its plain shape.
    """
    root: Any
    if event == "start_map":
        root = {}
    elif event == "start_array":
        root = []
    elif event == "number":
        return _number(value, reader)
    else:
        return value
    stack: list[Any] = []
    container: Any = root
    key: str | None = None
    for event, value in events:  # noqa: PLR1704 - the loop consumes the same stream
        if event == "map_key":
            key = value
        elif event == "string" or event == "boolean" or event == "null":  # noqa: PLR1714 - faster
            if key is None:
                container.append(value)
            else:
                container[key] = value
        elif event == "number":
            if type(value) is not int or value < _INT_MIN or value > _INT_MAX:
                value = _number(value, reader)  # noqa: PLW2901
            if key is None:
                container.append(value)
            else:
                container[key] = value
        elif event == "start_map" or event == "start_array":  # noqa: PLR1714
            new: Any = {} if event == "start_map" else []
            if key is None:
                container.append(new)
            else:
                container[key] = new
            stack.append(container)
            container = new
            key = None
        else:  # end_map, end_array
            if not stack:
                return root
            container = stack.pop()
            if type(container) is list:
                key = None
    raise ijson.IncompleteJSONError("premature EOF")


def _number(value: Any, reader: _Reader) -> Any:
    if type(value) is int:
        if _INT_MIN <= value <= _INT_MAX:
            return value
        reader.bad_numbers += 1
        return OutOfRangeNumber(str(value))
    number = float(value)
    if number in _INFINITIES:
        reader.bad_numbers += 1
        return OutOfRangeNumber(str(value))
    return number


# --- one input ------------------------------------------------------------------------------


def _join(path: str, step: str) -> str:
    if not path:
        return step
    return f"{path}{step}" if step.startswith("[") else f"{path}.{step}"


def _where(label: str, path: str) -> str:
    return f"{label}, {path}" if path else label


def _with_id(where: str, release: dict[str, Any]) -> str:
    release_id = release.get("id")
    if isinstance(release_id, (str, int)) and not isinstance(release_id, bool) and release_id != "":
        return f"{where} (id {release_id})"
    return where


def _is_linked(value: dict[str, Any]) -> bool:
    """A linked release (a record's pointer to a release: ``url``, ``date``, ``tag``)."""
    return "url" in value and "ocid" not in value


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class _Reader:
    """Reads one input once; keeps the counts its messages need."""

    def __init__(self, name: str, source: str, progress: _Progress, size: int | None = None) -> None:
        self.name = name
        #: Bytes on disk, when known (not for stdin).
        self.size = size
        self.source = source
        self.progress = progress
        self.items = 0
        self.releases = 0
        self.bad_numbers = 0
        self.filter: LeadingZeroFilter | None = None
        self.counted: _Stream | None = None
        self.decoded: _Stream | None = None
        self.compressed = False
        self.line_mode = False

    # -- driving --

    def run(self, raw: ByteSource, *, repair: bool) -> Iterator[ReadItem]:
        try:
            for item in self._dispatch(raw, repair=repair):
                self.items += 1
                if not isinstance(item, Problem):
                    self.releases += 1
                yield item
        except ijson.JSONError as exc:
            problem, truncated = self._json_problem(exc)
            raise _Fatal(problem, retry=not (repair or truncated or self.line_mode)) from None
        except (OSError, EOFError, zlib.error) as exc:
            raise _Fatal(self._read_problem(exc)) from None

    def _dispatch(self, raw: ByteSource, *, repair: bool) -> Iterator[ReadItem]:
        counted = self.counted = _Stream(raw.read, self.progress.advance_to)
        magic = counted.peek(2)
        if not magic:
            raise _Fatal(self._fatal(self.name, "empty file"))
        if magic == _GZIP_MAGIC:
            self.compressed = True
            # read1: one decompression step per call, so data before a corrupt part is not lost.
            decoded = _Stream(gzip.GzipFile(fileobj=counted, mode="rb").read1)
        else:
            decoded = counted
        self.decoded = decoded
        head = decoded.peek(_SNIFF)
        if head.startswith(_BOM):
            decoded.read(len(_BOM))
            head = head[len(_BOM) :]
        body = head.lstrip()
        if not body and decoded.error is not None:
            raise decoded.error  # corrupt gzip data before anything could be decompressed
        if not body and len(head) < _SNIFF:
            what = "gzip data that decompresses to nothing" if self.compressed else "no JSON value"
            raise _Fatal(self._fatal(self.name, f"empty input: {what}"))
        if body and body[0] not in _JSON_STARTS:
            hint = next((text for prefix, text in _BINARY_HINTS if body.startswith(prefix)), None)
            found = f" ({hint})" if hint else ""
            offset = decoded.position + len(head) - len(body)
            message = f"not JSON: it starts with {body[:12]!r}{found}"
            raise _Fatal(self._fatal(f"{self.name}, byte {offset}", message))
        if _looks_like_lines(head, self.name):
            self.line_mode = True
            yield from self._read_lines(decoded)
            return
        known = None if self.compressed else self.size
        if _whole_max > 0 and decoded.error is None and (known is None or known <= _whole_max):
            # A page or small file held whole: orjson, when it accepts it, is ~15x faster than
            # building values from parser events. Valid JSON has no items that could fail on
            # a bad number later, so the output is the streaming path's.
            limit = _whole_max if known is not None else min(_whole_max, _UNSIZED_MAX)
            whole = decoded.peek(limit + 1)
            value = _REFUSED if decoded.error is not None or len(whole) > limit else _parse_whole(whole)
            if value is not _REFUSED:
                yield from self._value(value, self.name, "", scan=False)
                return
        stream: ByteSource = decoded
        if repair:
            self.filter = LeadingZeroFilter(decoded, _CHUNK)
            stream = self.filter
        events = ijson.basic_parse(stream, buf_size=_CHUNK, use_float=False, multiple_values=True)
        yield from self._values(events, self.name)

    def _read_lines(self, decoded: _Stream) -> Iterator[ReadItem]:
        for number, line in enumerate(_lines(decoded), start=1):
            text = line.strip()
            if not text:
                continue
            label = f"{self.name}, line {number}"
            value = _parse_whole(text)
            if value is not _REFUSED:
                yield from self._value(value, label, "", scan=False)
                continue
            # Quirky numbers (leading zeros, 1e9999, > 64 bits) or invalid JSON: parse the line
            # with the repairing filter, which also says where a genuinely bad line goes wrong.
            # The line is read whole before its items are yielded, so a bad line yields nothing
            # but its problem.
            line_filter = LeadingZeroFilter(io.BytesIO(text), _CHUNK)
            saved, self.filter = self.filter, line_filter
            try:
                events = ijson.basic_parse(line_filter, use_float=False, multiple_values=True)
                items = list(self._values(events, label))
            except ijson.JSONError as exc:
                summary = _describe(_message_bytes(exc).split(b"\n", 1)[0].decode("utf-8", "replace"))
                items = [Problem(label, f"{summary}; line skipped", self.source, fatal=False)]
            finally:
                self.filter = saved
            yield from items

    # -- values from events --

    def _values(self, events: Events, base: str) -> Iterator[ReadItem]:
        for index, (event, value) in enumerate(events, start=1):
            label = base if index == 1 else f"{base}, value {index}"
            if event == "start_map":
                yield from self._stream_object(events, label, "")
            elif event == "start_array":
                yield from self._stream_array(events, label)
            else:
                yield from self._value(_build(events, event, value, self), label, "", scan=False)

    def _stream_array(self, events: Events, label: str) -> Iterator[ReadItem]:
        for index, (event, value) in enumerate(events):
            if event == "end_array":
                return
            path = f"[{index}]"
            if event == "start_map":
                yield from self._stream_object(events, label, path)
            else:
                element = _build(events, event, value, self)
                yield self._not_ocds(element, label, path)

    def _stream_object(self, events: Events, label: str, path: str) -> Iterator[ReadItem]:
        """An object whose start_map was just read: a package, record, release or not OCDS.

        ``releases`` and ``records`` arrays are streamed one item at a time; every other member
        is small (package metadata) or is the object itself (a bare release), and is built.
        """
        meta: dict[str, Any] = {}
        bad_before = self.bad_numbers
        streamed_releases = streamed_records = False
        full = 0
        for event, value in events:
            if event == "end_map":
                break
            key = value
            event, value = _next(events)  # noqa: PLW2901
            if key not in {"releases", "records"} or event != "start_array":
                meta[key] = _build(events, event, value, self)
                continue
            for index, (event, value) in enumerate(events):  # noqa: PLW2901
                if event == "end_array":
                    break
                before = self.bad_numbers
                item = _build(events, event, value, self)
                child = _join(path, f"{key}[{index}]")
                scan = self.bad_numbers != before
                if key == "releases":
                    result = self._embedded_release(item, label, child, scan=scan)
                    full += isinstance(result, ReadRelease)
                    yield result
                else:
                    yield from self._record(item, label, child, scan=scan)
            else:
                raise ijson.IncompleteJSONError("premature EOF")
            streamed_releases = streamed_releases or key == "releases"
            streamed_records = streamed_records or key == "records"
        scan = self.bad_numbers != bad_before
        if not (streamed_releases or streamed_records):
            yield from self._object(meta, label, path, scan=scan)
        elif streamed_releases and not full and "compiledRelease" in meta:
            yield self._compiled(meta["compiledRelease"], label, _join(path, "compiledRelease"), scan=scan)

    # -- built values --

    def _value(self, value: Any, label: str, path: str, *, scan: bool) -> Iterator[ReadItem]:
        """A whole top-level value (from orjson, or a top-level scalar)."""
        if isinstance(value, dict):
            yield from self._built_object(value, label, path, scan=scan)
        elif isinstance(value, list) and not path:
            for index, element in enumerate(value):
                if isinstance(element, dict):
                    yield from self._built_object(element, label, f"[{index}]", scan=scan)
                else:
                    yield self._not_ocds(element, label, f"[{index}]")
        else:
            yield self._not_ocds(value, label, path)

    def _built_object(self, obj: dict[str, Any], label: str, path: str, *, scan: bool) -> Iterator[ReadItem]:
        releases = obj.get("releases")
        records = obj.get("records")
        if not isinstance(releases, list) and not isinstance(records, list):
            yield from self._object(obj, label, path, scan=scan)
            return
        full = 0
        for key in [key for key in obj if key in {"releases", "records"}]:  # in the order written
            if key == "releases" and isinstance(releases, list):
                for index, release in enumerate(releases):
                    result = self._embedded_release(
                        release, label, _join(path, f"releases[{index}]"), scan=scan
                    )
                    full += isinstance(result, ReadRelease)
                    yield result
            elif key == "records" and isinstance(records, list):
                for index, record in enumerate(records):
                    yield from self._record(record, label, _join(path, f"records[{index}]"), scan=scan)
        if isinstance(releases, list) and not full and "compiledRelease" in obj:
            yield self._compiled(obj["compiledRelease"], label, _join(path, "compiledRelease"), scan=scan)

    def _object(self, obj: dict[str, Any], label: str, path: str, *, scan: bool) -> Iterator[ReadItem]:
        """An object without streamable ``releases``/``records`` arrays."""
        for key in ("releases", "records"):
            if key in obj:
                message = f"{key} is not an array (it is {json_type(obj[key])}); skipped"
                yield Problem(_where(label, path), message, self.source, fatal=False)
                return
        if "compiledRelease" in obj or "versionedRelease" in obj:
            yield from self._record(obj, label, path, scan=scan)
        elif _is_linked(obj) or not _RELEASE_KEYS.isdisjoint(obj):
            yield self._embedded_release(obj, label, path, scan=scan)
        else:
            yield self._not_ocds(obj, label, path)

    def _record(self, record: Any, label: str, path: str, *, scan: bool) -> Iterator[ReadItem]:
        where = _where(label, path)
        if not isinstance(record, dict):
            message = f"record is not a JSON object (it is {json_type(record)}); skipped"
            yield Problem(where, message, self.source, fatal=False)
            return
        releases = record.get("releases")
        full = 0
        if isinstance(releases, list):
            for index, release in enumerate(releases):
                result = self._embedded_release(release, label, _join(path, f"releases[{index}]"), scan=scan)
                full += isinstance(result, ReadRelease)
                yield result
        elif releases is not None:
            message = f"record releases is not an array (it is {json_type(releases)}); ignored"
            yield Problem(where, message, self.source, fatal=False)
        compiled = record.get("compiledRelease")
        if not full and compiled is not None:
            yield self._compiled(compiled, label, _join(path, "compiledRelease"), scan=scan)
        elif not releases and compiled is None:
            message = "record has no releases and no compiledRelease; skipped"
            yield Problem(where, message, self.source, fatal=False)

    def _embedded_release(self, release: Any, label: str, path: str, *, scan: bool) -> ReadItem:
        where = _where(label, path)
        if isinstance(release, dict) and _is_linked(release):
            message = f"linked release (only a url): fetch the full release from {release['url']}; skipped"
            return Problem(where, message, self.source, fatal=False)
        if not isinstance(release, dict):
            return Problem(where, f"{release_problem(release)}; skipped", self.source, fatal=False)
        repairs = repair_release(release, scan_numbers=scan or self._filtered())
        where = _with_id(where, release)
        problem = release_problem(release)
        if problem is not None:
            return Problem(where, f"{problem}; skipped", self.source, fatal=False)
        return ReadRelease(release, where, self.source, tuple(repairs))

    def _compiled(self, compiled: Any, label: str, path: str, *, scan: bool) -> ReadItem:
        where = _where(label, path)
        if not isinstance(compiled, dict):
            message = f"compiledRelease is not a JSON object (it is {json_type(compiled)}); skipped"
            return Problem(where, message, self.source, fatal=False)
        repair_release(compiled, scan_numbers=scan or self._filtered())
        problem = release_problem(compiled)
        if problem is not None:
            return Problem(where, f"compiled {problem}; skipped", self.source, fatal=False)
        return ReadCompiledRelease(compiled, where, self.source)

    def _filtered(self) -> bool:
        return self.filter is not None and self.filter.repairs > 0

    def _not_ocds(self, value: Any, label: str, path: str) -> Problem:
        """A value that is no release, package or record: skipped, or the end if it comes first."""
        where = _where(label, path)
        if isinstance(value, dict):
            keys = ", ".join(list(value)[:5]) + (", ..." if len(value) > 5 else "")
            what = f"an object with keys {keys}" if keys else "an empty object"
        else:
            what = json_type(value)
        message = f"not an OCDS release, release package or record package ({what})"
        if self.items == 0:
            raise _Fatal(self._fatal(where, f"{message}; the rest of this input was not read"))
        return Problem(where, f"{message}; skipped", self.source, fatal=False)

    # -- fatal problems --

    def _fatal(self, where: str, message: str) -> Problem:
        return Problem(where, message, self.source, fatal=True)

    def _read_count(self) -> str:
        return f"{_plural(self.releases, 'release')} read before it"

    def _json_problem(self, exc: ijson.JSONError) -> tuple[Problem, bool]:
        message = _message_bytes(exc)
        summary = message.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        truncated = "premature EOF" in summary
        decoded = self.decoded
        if decoded is None:  # pragma: no cover - the parser runs only after decoding starts
            where = self.name
        elif truncated:
            where = f"{self.name}, byte {decoded.position}"
        else:
            offset = None if self.filter is not None else _error_offset(message, decoded.last_chunk)
            if offset is not None:
                # yajl stops just after a bad character (or bad UTF-8 byte); point at it.
                if "invalid char in json text" in summary or "invalid bytes in UTF8" in summary:
                    offset = max(offset - 1, 0)
                where = f"{self.name}, near byte {decoded.last_start + offset}"
            else:
                where = f"{self.name}, bytes {decoded.last_start}-{decoded.position}"
        if self.compressed:
            where += " of the decompressed data"
        what = "truncated JSON: the data ends in the middle of a value" if truncated else _describe(summary)
        text = f"{what}; {self._read_count()}; the rest of this input could not be read"
        return self._fatal(where, text), truncated

    def _read_problem(self, exc: BaseException) -> Problem:
        if self.compressed and self.counted is not None:
            # The gzip reader reads ahead, so the position in the compressed file is approximate.
            where = f"{self.name}, near byte {self.counted.pulled}"
            what = f"corrupt or truncated gzip data ({exc})"
        else:
            where = self.name if self.decoded is None else f"{self.name}, byte {self.decoded.position}"
            what = _os_error(exc) if isinstance(exc, OSError) else f"cannot read it ({exc})"
        return self._fatal(where, f"{what}; {self._read_count()}; the rest of this input could not be read")


def _message_bytes(exc: ijson.JSONError) -> bytes:
    arg = exc.args[0] if exc.args else str(exc)
    if isinstance(arg, bytes):
        return arg
    return str(arg).encode("utf-8", "replace")


def _describe(summary: str) -> str:
    """Turn yajl's first error line into plain words."""
    if "premature EOF" in summary:
        return "invalid JSON: it ends in the middle of a value"
    if "invalid bytes in UTF8 string" in summary:
        return "invalid JSON: a string is not valid UTF-8"
    if "invalid char in json text" in summary:
        return "invalid JSON: unexpected character"
    for prefix in ("parse error: ", "lexical error: "):
        if summary.startswith(prefix):
            return f"invalid JSON: {summary.removeprefix(prefix).rstrip('.')}"
    return f"invalid JSON: {summary}"


def _error_offset(message: bytes, chunk: bytes) -> int | None:
    """The exact offset in ``chunk`` of a yajl error, from the excerpt its message shows.

    yajl shows up to 30 bytes either side of the error with line breaks as spaces, padded so
    that the error byte sits in column 40 under a caret. Returns None unless exactly one offset
    in ``chunk`` fits the excerpt.
    """
    lines = message.split(b"\n")
    if len(lines) < 3 or not lines[2].rstrip().endswith(b"^"):
        return None
    shown = lines[1]
    caret = len(lines[2].rstrip()) - 1
    rendered = chunk.replace(b"\n", b" ").replace(b"\r", b" ")
    size = len(rendered)
    fits: set[int] = set()
    # Error 30 or more bytes into the chunk: 10 spaces, then chunk[offset - 30 : offset + 30].
    window = shown[caret - 30 :]
    if window and shown[: caret - 30].strip() == b"":
        start = rendered.find(window)
        while start >= 0:
            offset = start + 30
            if len(window) == min(offset + 30, size) - start:
                fits.add(offset)
            start = rendered.find(window, start + 1)
    # Error in the first 30 bytes: (40 - offset) spaces, then chunk[: offset + 30].
    for offset in range(min(30, size)):
        pad = caret - offset
        if shown[:pad].strip() == b"" and shown[pad:] == rendered[: offset + 30]:
            fits.add(offset)
    return fits.pop() if len(fits) == 1 else None
