"""A fast local mirror of the Find a Tender release-package API, for the harvest benchmark.

It serves the releases of a JSON Lines file (``generate.py``'s output) as FTS-shaped pages:
``/api/1.0/ocdsReleasePackages?updatedFrom=…&updatedTo=…&limit=100`` answers a release package
with the package header of the real pages and ``links.next`` (an opaque cursor) while more
releases remain in the window, as ``tests/harvest/fake_services.py`` does, but built for speed:
each release's JSON text is read once at start-up, release ``i`` is "updated" at
``--start + i * --step`` seconds, and a page is a join of ready-made bytes. So the server is
not what limits a harvest; ``run.py`` measures how fast a plain client can read it to show that.

    python benchmarks/mirror.py releases.jsonl --releases 20000 --port 8765
"""

from __future__ import annotations

import argparse
import base64
import sys
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

PATH = "/api/1.0/ocdsReleasePackages"
FORMAT = "%Y-%m-%dT%H:%M:%S"
#: Where the mirror's update times begin, and how far apart consecutive releases are.
START = datetime(2026, 1, 1, tzinfo=UTC)
STEP_SECONDS = 20
PAGE_LIMIT = 100


def load(path: Path, releases: int) -> list[bytes]:
    """The first ``releases`` lines of the file, each one release's JSON text."""
    texts: list[bytes] = []
    with path.open("rb") as lines:
        for line in lines:
            if len(texts) >= releases:
                break
            if line.strip():
                texts.append(line.rstrip(b"\r\n"))
    return texts


class Mirror:
    """The releases, their update times, and the page an FTS query asks for."""

    def __init__(self, texts: list[bytes], start: datetime, step: int, base_url: str) -> None:
        self.texts = texts
        self.start = start
        self.step = step
        self.base_url = base_url
        self.header = (
            '{"uri": "%s", "version": "1.1", "extensions": '
            '["https://standard.open-contracting.org/profiles/eu/latest/en/extension.json"], '
            '"publishedDate": "2026-11-26T00:00:00Z", '
            '"publisher": {"name": "Cabinet Office", "scheme": "GB-GOR", "uid": "D2"}, '
            '"license": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", '
            '"publicationPolicy": "https://www.gov.uk/government/publications/open-contracting", '
            '"releases": ['
        )

    def span(self) -> tuple[datetime, datetime]:
        """The first and last update time: a harvest from the one to the other gets every release."""
        return self.start, self.start + timedelta(seconds=self.step * max(len(self.texts) - 1, 0))

    def first_at_or_after(self, moment: datetime) -> int:
        """The index of the first release updated at or after ``moment``."""
        seconds = int((moment - self.start).total_seconds())
        return min(len(self.texts), max(0, -(-seconds // self.step)))

    def first_after(self, moment: datetime) -> int:
        """The index of the first release updated after ``moment`` (so the end is inclusive)."""
        seconds = int((moment - self.start).total_seconds())
        return min(len(self.texts), max(0, seconds // self.step + 1))

    def page(self, query: dict[str, str]) -> bytes:
        cursor = query.get("cursor")
        if cursor:
            start_text, end_text, offset_text = base64.b32decode(cursor).decode().split("|")
            offset = int(offset_text)
        else:
            start_text, end_text, offset = query["updatedFrom"], query["updatedTo"], 0
        limit = min(int(query.get("limit", str(PAGE_LIMIT))), PAGE_LIMIT)
        start = datetime.strptime(start_text, FORMAT).replace(tzinfo=UTC)
        end = datetime.strptime(end_text, FORMAT).replace(tzinfo=UTC)
        first = self.first_at_or_after(start)
        last = self.first_after(end)  # both bounds inclusive, as fake_services has them
        begin = first + offset
        stop = min(begin + limit, last)
        params = {"updatedFrom": start_text, "updatedTo": end_text, "limit": str(limit)}
        body = (self.header % f"{self.base_url}{PATH}?{urlencode(params, safe=':')}").encode()
        body += b", ".join(self.texts[begin:stop]) + b"]"
        if stop < last:
            token = base64.b32encode(f"{start_text}|{end_text}|{offset + limit}".encode()).decode()
            link = f"{self.base_url}{PATH}?{urlencode(params | {'cursor': token}, safe=':')}"
            body += b', "links": {"next": "' + link.encode() + b'"}'
        return body + b"}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    mirror: ClassVar[Mirror]

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        if split.path != PATH:
            self._reply(404, b'{"error": "not found"}')
            return
        query = {key: values[-1] for key, values in parse_qs(split.query).items()}
        try:
            body = self.mirror.page(query)
        except (KeyError, ValueError):
            self._reply(400, b'{"error": "bad query"}')
            return
        self._reply(200, body)

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("lines", type=Path, help="JSON Lines of releases (generate.py)")
    parser.add_argument("--releases", type=int, default=20_000, help="serve the first N")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--step", type=int, default=STEP_SECONDS, help="seconds between update times")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    Handler.mirror = Mirror(load(args.lines, args.releases), START, args.step, base_url)
    first, last = Handler.mirror.span()
    # The parent reads this one line to learn the URL and the span to harvest.
    print(f"{base_url} {first.strftime(FORMAT)}Z {last.strftime(FORMAT)}Z {len(Handler.mirror.texts)}")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
