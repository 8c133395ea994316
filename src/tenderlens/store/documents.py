"""How the store writes the documents it derives (compiled and versioned releases): JSON, packed on SQLite.

A record's versioned release is about 20 KB of JSON and, with its compiled release, more than
half of an SQLite store; an ingest writes every byte of it to the WAL and again to the
database. Packed with zstd it is about an eighth of that, for about 60 µs a record in the compile
worker, and the ingest's main process spends 17% less CPU (benchmarks/RESULTS.md,
thirteenth measurement). PostgreSQL keeps JSONB, which it compresses itself (TOAST) and can
query, so only SQLite packs.

Rows written before packing are JSON text and stay readable as they are: on SQLite a document
is packed exactly when it is stored as a BLOB (bytes in Python), and JSON text is never bytes.
``tenderlens compile --all`` or ``tenderlens db copy`` packs them.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import orjson
import zstandard
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

# zstd level 1: on 6,000 of the benchmark's compiled and versioned releases (12.6 KB of JSON on
# average) 22 µs a document against level 3's 29 µs, for 2% more bytes (a ratio of 5.95 against 6.07);
# negative levels are faster still but pack a fifth less or worse, and zlib level 1 takes 2.5
# times longer (benchmarks/RESULTS.md, fourteenth measurement).
LEVEL = 1


def json_text(value: Any, *, canonical: bool = False) -> str:
    """Compact JSON text, fast (orjson) unless a value is beyond it (integers over 64 bits).

    ``canonical`` sorts keys: the form content hashes are taken of.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if canonical else 0).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, sort_keys=canonical, ensure_ascii=False, separators=(",", ":"))


def _json_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json_text(value).encode()


class _Contexts(threading.local):
    """A zstd context per thread: one must not be used by two threads at once (web workers)."""

    def __init__(self) -> None:
        self.compressor = zstandard.ZstdCompressor(level=LEVEL)
        self.decompressor = zstandard.ZstdDecompressor()


_contexts = _Contexts()


def pack(value: Any) -> bytes:
    """``value`` as compact JSON in one zstd frame (which records its size, for unpacking)."""
    return _contexts.compressor.compress(_json_bytes(value))


class PackedDocumentError(ValueError):
    """A stored BLOB that is not a packed JSON document."""


def unpack(stored: bytes | str) -> Any:
    """A stored document: a zstd frame of JSON (bytes), or JSON text (a row written before packing)."""
    if isinstance(stored, str):
        return orjson.loads(stored)
    try:
        return orjson.loads(_contexts.decompressor.decompress(stored))
    except (zstandard.ZstdError, orjson.JSONDecodeError) as error:
        message = f"a packed document ({len(stored)} bytes) cannot be read: {error}"
        raise PackedDocumentError(message) from error


def parsed(stored: bytes | str | dict[str, Any]) -> dict[str, Any]:
    """A stored document as a dict, however it came: packed, JSON text, or parsed (PostgreSQL's JSONB)."""
    return stored if isinstance(stored, dict) else unpack(stored)


class PackedDocument(TypeDecorator[Any]):
    """A JSON document stored packed (:func:`pack`); read back packed or as JSON text.

    Text, not a binary type, underneath: SQLite stores the bytes as a BLOB either way, and a
    binary type's result processing would refuse the JSON text of older rows.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:  # noqa: ARG002 - the API's
        return None if value is None else pack(value)

    def process_result_value(self, value: Any, dialect: Any) -> Any:  # noqa: ARG002 - the API's
        return None if value is None else unpack(value)
