"""Stand-ins for the Find a Tender and Contracts Finder APIs: real HTTP servers on 127.0.0.1.

A :class:`FakeAPI` serves release packages shaped like the real services' pages (the package
header of the real pages, ``links.next`` with an opaque cursor, FTS's number quirks, Contracts
Finder's ISO-8859-1 bodies), filtered by the window parameters and paginated. Each source's
releases are held with a server-side update time, so a test knows exactly which (ocid, release
id) pairs a window holds. Faults are injected by request number or by rule.
"""

from __future__ import annotations

import base64
import json
import random
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

FORMAT = "%Y-%m-%dT%H:%M:%S"
# Markers in generated releases, replaced in the served text by the FTS number quirks.
OUT_OF_RANGE = "__1e9999__"
LEADING_ZEROS = "__000__"


@dataclass(frozen=True)
class Held:
    """One release the server holds: when it was updated, its key, and its JSON text as served."""

    updated: datetime
    ocid: str
    release_id: str
    text: str
    release: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.ocid, self.release_id)


def held(release: dict[str, Any], updated: datetime) -> Held:
    text = json.dumps(release, ensure_ascii=False)
    text = text.replace(f'"{OUT_OF_RANGE}"', "1e9999").replace(f'"{LEADING_ZEROS}"', "000")
    return Held(updated.replace(microsecond=0), release["ocid"], str(release["id"]), text, release)


@dataclass(frozen=True)
class Kind:
    """The shape of one service's API."""

    name: str
    path: str
    record_path: str  # with {ocid}
    from_param: str
    to_param: str
    charset: str | None
    publisher: dict[str, str]


FTS = Kind(
    "fts",
    "/api/1.0/ocdsReleasePackages",
    "/api/1.0/ocdsRecordPackages/",
    "updatedFrom",
    "updatedTo",
    None,  # FTS declares no charset: the body is UTF-8
    {"name": "Cabinet Office", "scheme": "GB-GOR", "uid": "D2"},
)
CF = Kind(
    "contracts-finder",
    "/Published/Notices/OCDS/Search",
    "/Published/OCDS/Record/",
    "publishedFrom",
    "publishedTo",
    "iso-8859-1",
    {"name": "Crown Commercial Service", "scheme": "GB-GOVUK", "uid": "CCS"},
)
KINDS = {kind.name: kind for kind in (FTS, CF)}


def latin1_json(text: str) -> bytes:
    """JSON text as ISO-8859-1 bytes: characters beyond it written as JSON escapes."""

    def escape(match: re.Match[str]) -> str:
        encoded = match.group().encode("utf-16-be")
        return "".join(f"\\u{encoded[i]:02x}{encoded[i + 1]:02x}" for i in range(0, len(encoded), 2))

    return re.sub(r"[^\x00-\xff]", escape, text).encode("iso-8859-1")


@dataclass
class Logged:
    source: str
    path: str
    query: dict[str, str]
    started: float
    ended: float = 0.0
    status: int = 0
    fault: str | None = None


@dataclass
class Service:
    """One publisher's releases, sorted by update time."""

    kind: Kind
    releases: list[Held] = field(default_factory=list)

    def add(self, items: Iterable[Held]) -> None:
        self.releases.extend(items)
        self.releases.sort(key=lambda h: (h.updated, h.ocid, h.release_id))

    def window(self, start: datetime, end: datetime) -> list[Held]:
        """Both bounds inclusive, like FTS's own ``updatedTo=...T23:59:59`` pages suggest."""
        return [h for h in self.releases if start <= h.updated <= end]

    def expected(self, start: datetime, end: datetime) -> set[tuple[str, str]]:
        return {h.key for h in self.window(start, end)}

    def keys(self) -> set[tuple[str, str]]:
        return {h.key for h in self.releases}


class FakeAPI:
    """Both services on one threading HTTP server at ``self.url``."""

    def __init__(self) -> None:
        self.services = {name: Service(kind) for name, kind in KINDS.items()}
        self.page_size = 100
        self.slow_seconds = 1.0
        #: Faults by source and 1-based request number of that source: "429", "503", "slow"...
        self.faults: dict[str, dict[int, str]] = {name: {} for name in KINDS}
        #: Rules consulted for every request: (source, path, query) -> fault or None.
        self.rules: list[Callable[[str, str, dict[str, str]], str | None]] = []
        self.log: list[Logged] = []
        self.counts: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.in_flight: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.max_in_flight: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.api = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def inject(self, source: str, faults: dict[int, str]) -> None:
        self.faults[source].update(faults)

    def served(self, source: str) -> list[Logged]:
        with self.lock:
            return [entry for entry in self.log if entry.source == source]

    # -- answering --

    def answer(self, handler: _Handler) -> None:
        handler.entry = None  # one handler serves every request on a kept-alive connection
        split = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        kind = next(
            (k for k in KINDS.values() if split.path == k.path or split.path.startswith(k.record_path)),
            None,
        )
        if kind is None:
            handler.reply(404, b'{"error": "not found"}')
            return
        with self.lock:
            self.counts[kind.name] += 1
            number = self.counts[kind.name]
            fault = self.faults[kind.name].get(number)
            for rule in self.rules:
                fault = fault or rule(kind.name, split.path, query)
            entry = Logged(kind.name, handler.path, query, time.monotonic(), fault=fault)
            self.log.append(entry)
            self.in_flight[kind.name] += 1
            self.max_in_flight[kind.name] = max(self.max_in_flight[kind.name], self.in_flight[kind.name])
        try:
            if fault == "slow":
                with self.lock:
                    self.in_flight[kind.name] -= 1  # the client gives up on it; it is not "in flight"
                time.sleep(self.slow_seconds)
                entry.status = 0
                return
            status, body = self._page(kind, split.path, query)
            handler.entry = entry
            handler.send_with_fault(status, body, kind.charset, fault)
        finally:
            if not entry.ended:
                entry.ended = time.monotonic()
            if fault != "slow":
                with self.lock:
                    self.in_flight[kind.name] -= 1

    def _page(self, kind: Kind, path: str, query: dict[str, str]) -> tuple[int, bytes]:
        service = self.services[kind.name]
        if path.startswith(kind.record_path):
            ocid = unquote(path[len(kind.record_path) :])
            releases = [h for h in service.releases if h.ocid == ocid]
            if not releases:
                return 404, b'{"error": "no such record"}'
            record = '{{"ocid": {}, "releases": [{}]}}'.format(
                json.dumps(ocid),
                ", ".join(h.text for h in releases),
            )
            return 200, self._encode(
                kind, self._package(kind, f"{self.url}{path}", "records", [record], None)
            )
        cursor = query.get("cursor")
        if cursor:
            try:
                start_text, end_text, offset_text = base64.b32decode(cursor).decode().split("|")
            except ValueError:
                return 400, b'{"error": "bad cursor"}'
            offset = int(offset_text)
        else:
            start_text, end_text, offset = query[kind.from_param], query[kind.to_param], 0
        limit = min(int(query.get("limit", "100")), 100, self.page_size)
        start = datetime.strptime(start_text, FORMAT).replace(tzinfo=UTC)
        end = datetime.strptime(end_text, FORMAT).replace(tzinfo=UTC)
        matching = service.window(start, end)
        page = matching[offset : offset + limit]
        next_url = None
        if offset + limit < len(matching):
            token = base64.b32encode(f"{start_text}|{end_text}|{offset + limit}".encode()).decode()
            params = {
                kind.from_param: start_text,
                kind.to_param: end_text,
                "limit": str(limit),
                "cursor": token,
            }
            next_url = f"{self.url}{kind.path}?{urlencode(params, safe=':')}"
        first = {kind.from_param: start_text, kind.to_param: end_text, "limit": str(limit)}
        uri = f"{self.url}{kind.path}?{urlencode(first, safe=':')}"
        return 200, self._encode(kind, self._package(kind, uri, "releases", [h.text for h in page], next_url))

    def _package(self, kind: Kind, uri: str, key: str, items: list[str], next_url: str | None) -> str:
        header = {
            "uri": uri,
            "version": "1.1",
            "extensions": ["https://standard.open-contracting.org/profiles/eu/latest/en/extension.json"],
            "publishedDate": datetime.now(UTC).strftime(FORMAT) + "Z",
            "publisher": kind.publisher,
            "license": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            "publicationPolicy": "https://www.gov.uk/government/publications/open-contracting",
        }
        text = json.dumps(header, ensure_ascii=False)[:-1] + f', "{key}": [' + ", ".join(items) + "]"
        if next_url:
            text += f', "links": {{"next": {json.dumps(next_url)}}}'
        return text + "}"

    @staticmethod
    def _encode(kind: Kind, text: str) -> bytes:
        return latin1_json(text) if kind.charset == "iso-8859-1" else text.encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    entry: Logged | None = None
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stalls
    server: Any

    def do_GET(self) -> None:
        try:
            self.server.api.answer(self)
        except (TimeoutError, BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def mark(self, status: int) -> None:
        """Log the answer just before its last bytes go out, so the client never sees it first."""
        entry = getattr(self, "entry", None)
        if entry is not None:
            entry.status = status
            entry.ended = time.monotonic()

    def reply(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.mark(status)
        self.wfile.write(body)

    def send_with_fault(self, status: int, body: bytes, charset: str | None, fault: str | None) -> None:
        content_type = "application/json" + (f"; charset={charset}" if charset else "")
        if fault in {"429", "403", "500", "502", "503", "504"}:
            message = {
                "429": b'{"message": "12 request limit in 2 minute exceeded"}',
                "403": b"Request forbidden: the rate limit may have been exceeded",
            }.get(fault, b"<html><body>Service Unavailable</body></html>")
            self.reply(int(fault), message, "text/plain")
            return
        if fault == "429-retry-after":
            self.reply(429, b"slow down", "text/plain", Retry_After="1")
            return
        if fault == "truncate":  # a whole HTTP answer whose JSON is cut short
            self.reply(status, body[: len(body) * 3 // 5], content_type)
            return
        if fault == "cut":  # the connection drops mid-body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.mark(-1)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self._drop()
            return
        if fault == "reset":  # the connection is reset before any answer
            self.mark(-1)
            self._drop()
            return
        if fault == "html":
            self.reply(200, b"<!DOCTYPE html><html><body>Maintenance</body></html>", "text/html")
            return
        self.reply(status, body, content_type)

    def _drop(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


# -- data -------------------------------------------------------------------------------------


def day_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def generate_fts(count: int, start: datetime, span: timedelta, seed: int = 1) -> list[Held]:
    """``count`` FTS-shaped releases, about three per ocid, updated across [start, start + span).

    Some carry FTS's number quirks (``1e9999``, ``000``). Update times increase with the index,
    so no two releases of an ocid share a date. One more release sits exactly on each 6-hour
    boundary from ``start`` (a window's edge), each in its own ocid.
    """
    rng = random.Random(seed)
    step = span / count
    items = []
    boundary = start
    while boundary < start + span:
        number = int((boundary - start).total_seconds() // 21600)
        edge: dict[str, Any] = {
            "ocid": f"ocds-h6vhtk-0b{number:04x}",
            "id": f"{900000 + number:06d}-2026",
            "date": boundary.strftime(FORMAT) + "Z",
            "tag": ["planning"],
            "initiationType": "tender",
            "tender": {"id": "edge", "title": f"On the edge {number}"},
        }
        items.append(held(edge, boundary))
        boundary += timedelta(hours=6)
    for n in range(count):
        updated = start + step * n + step * rng.random() * 0.5
        ocid = f"ocds-h6vhtk-{0x0A0000 + n // 3:06x}"
        release: dict[str, Any] = {
            "ocid": ocid,
            "id": f"{n:06d}-2026",
            "date": updated.strftime(FORMAT) + ("Z" if n % 2 else "+00:00"),
            "tag": ["tender"] if n % 3 == 0 else ["tenderUpdate"] if n % 3 == 1 else ["award", "contract"],
            "initiationType": "tender",
            "buyer": {"id": f"GB-FTS-{n % 50}", "name": f"Buyer {n % 50}"},
            "tender": {
                "id": ocid,
                "title": f"Generated tender {n // 3}",
                "status": "active",
                "value": {"amount": 1000 * (n % 97 + 1), "currency": "GBP"},
                "items": [{"id": "1", "quantity": 1}],
            },
        }
        if n % 50 == 7:
            release["tender"]["value"]["amountGross"] = OUT_OF_RANGE
        if n % 50 == 13:
            release["tender"]["items"][0]["quantity"] = LEADING_ZEROS
        items.append(held(release, updated))
    return items


def generate_cf(count: int, start: datetime, span: timedelta, seed: int = 2) -> list[Held]:
    """``count`` Contracts Finder-shaped releases with ISO-8859-1 text (and some beyond it)."""
    rng = random.Random(seed)
    step = span / count
    items = []
    for n in range(count):
        updated = start + step * n + step * rng.random() * 0.5
        guid = f"{n:08x}-cafe-4e00-8000-{rng.getrandbits(48):012x}"
        release: dict[str, Any] = {
            "ocid": f"ocds-b5fd17-{guid}",
            "id": f"{guid}-{700000 + n}",
            "date": updated.strftime(FORMAT) + "Z",
            "tag": ["tender"],
            "initiationType": "tender",
            "tender": {
                "id": guid,
                "title": f"Café refurbishment £{n * 10},000 – lot {n}",  # the dash is not in ISO-8859-1
                "description": "Señor Müller's façade: ½ the cost, ±5%.",
                "status": "active",
            },
            "parties": [{"id": "GB-1", "name": "Ørsted Öffentlich", "address": {"region": "South East"}}],
        }
        items.append(held(release, updated))
    return items


def shared_releases(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Releases from the real data files (pages, single-release packages, arrays of releases)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        releases = data if isinstance(data, list) else data.get("releases", [])
        for release in releases:
            found.setdefault((release["ocid"], str(release["id"])), release)
    return list(found.values())


def spread(releases: list[dict[str, Any]], start: datetime, span: timedelta, seed: int = 3) -> list[Held]:
    """Real releases, given update times across the span (their own dates are kept)."""
    rng = random.Random(seed)
    return [held(release, start + span * rng.random()) for release in releases]


def quoted(ocid: str) -> str:
    return quote(ocid, safe="")
