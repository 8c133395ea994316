"""Export stored data as OCDS: JSON Lines, or a release/record package written as a stream."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

import orjson

from tenderlens import __version__
from tenderlens.compile import order_releases

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from tenderlens.store import Store


class ExportKind(enum.StrEnum):
    COMPILED = "compiled"
    VERSIONED = "versioned"
    RELEASES = "releases"
    RECORDS = "records"


PUBLISHER = {"name": "tenderlens", "uri": "https://github.com/tenderlens/tenderlens"}


def _records(store: Store, ocids: Sequence[str] | None, kind: ExportKind) -> Iterator[dict[str, Any]]:
    for record in store.iter_records(ocids):
        out: dict[str, Any] = {"ocid": record.ocid}
        if kind is ExportKind.RECORDS:
            pairs = [(r.data, r.ingest_seq) for r in store.get_releases(record.ocid)]
            out["releases"] = order_releases(pairs)
            out["compiledRelease"] = record.compiled
            if record.versioned is not None:
                out["versionedRelease"] = record.versioned
        elif kind is ExportKind.COMPILED:
            out["releases"] = []
            out["compiledRelease"] = record.compiled
        else:
            if record.versioned is None:
                continue  # only a published compiled release is known: there is no history to version
            out["releases"] = []
            out["versionedRelease"] = record.versioned
        yield out


def export_items(
    store: Store, kind: ExportKind, ocids: Sequence[str] | None = None
) -> Iterator[dict[str, Any]]:
    """The objects a JSON Lines export holds, one per line."""
    if kind is ExportKind.RELEASES:
        # Grouped by ocid, in merge order within each.
        current: str | None = None
        group: list[tuple[dict[str, Any], int]] = []
        for release in store.iter_releases(ocids):
            if release.ocid != current and group:
                yield from order_releases(group)
                group = []
            current = release.ocid
            group.append((release.data, release.ingest_seq))
        yield from order_releases(group)
        return
    for record in _records(store, ocids, kind):
        if kind is ExportKind.COMPILED:
            yield record["compiledRelease"]
        elif kind is ExportKind.VERSIONED:
            yield record["versionedRelease"]
        else:
            yield record


def write_json_lines(items: Iterator[dict[str, Any]], out: IO[bytes]) -> int:
    count = 0
    for item in items:
        out.write(orjson.dumps(item))
        out.write(b"\n")
        count += 1
    return count


def write_package(store: Store, kind: ExportKind, out: IO[bytes], ocids: Sequence[str] | None = None) -> int:
    """Stream a release package (``releases``) or a record package (the others), in bounded memory."""
    header: dict[str, Any] = {
        "uri": "urn:tenderlens:export:" + kind.value,
        "version": "1.1",
        "publishedDate": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "publisher": {**PUBLISHER, "uid": f"tenderlens {__version__}"},
    }
    key = "releases" if kind is ExportKind.RELEASES else "records"
    items = export_items(store, kind, ocids) if kind is ExportKind.RELEASES else _records(store, ocids, kind)
    out.write(orjson.dumps(header)[:-1] + f',"{key}":['.encode())
    count = 0
    for item in items:
        if count:
            out.write(b",")
        out.write(orjson.dumps(item))
        count += 1
    out.write(b"]}\n")
    return count
