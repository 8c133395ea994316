"""Check a downloaded page before it is stored, and find where the next page is.

A page is accepted only if it is one whole JSON object holding ``releases`` or ``records``:
a body cut short (a dropped connection, a proxy's limit) or an error page sent with status 200
is rejected, so the client fetches it again. Number quirks the reader knows how to repair
(``1e9999``, leading zeros such as ``000``) do not make a page invalid.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import ijson
import orjson

from tenderlens.harvest.errors import InvalidBody
from tenderlens.ocds.quirks import LeadingZeroFilter


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What a page says about itself: its ``links.next`` and how many items it holds."""

    next_url: str | None
    releases: int
    records: int


def inspect_package(body: bytes) -> PageInfo:
    """Check ``body`` is a whole release or record package; raise :class:`InvalidBody` if not."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _inspect_streaming(body)  # quirky numbers, or invalid: the slower, tolerant path
    if not isinstance(value, dict):
        raise InvalidBody(f"not a release or record package (a JSON {type(value).__name__})")
    releases, records = value.get("releases"), value.get("records")
    if not isinstance(releases, list) and not isinstance(records, list):
        keys = ", ".join(list(value)[:6]) or "none"
        raise InvalidBody(f"not a release or record package (keys: {keys})")
    links = value.get("links")
    link = links.get("next") if isinstance(links, dict) else None
    return PageInfo(
        next_url=link if isinstance(link, str) and link else None,
        releases=len(releases) if isinstance(releases, list) else 0,
        records=len(records) if isinstance(records, list) else 0,
    )


def _inspect_streaming(body: bytes) -> PageInfo:
    link: str | None = None
    releases = records = 0
    keys: list[str] = []
    first: str | None = None
    try:
        stream = LeadingZeroFilter(io.BytesIO(body.removeprefix(b"\xef\xbb\xbf")))
        for prefix, event, value in ijson.parse(stream, use_float=False):
            if first is None:
                first = event
            if prefix == "" and event == "map_key":
                keys.append(value)
            elif prefix == "links.next" and event == "string":
                link = value or None
            elif event == "start_map" and prefix == "releases.item":
                releases += 1
            elif event == "start_map" and prefix == "records.item":
                records += 1
    except ijson.JSONError as error:
        message = str(error).split("\n", 1)[0].strip() or type(error).__name__
        if "premature EOF" not in message:
            raise InvalidBody(f"not valid JSON ({message})") from error
        what = "empty" if first is None else "truncated: the JSON ends in the middle of a value"
        raise InvalidBody(what) from error
    if first != "start_map":
        raise InvalidBody("not a release or record package (not a JSON object)")
    if "releases" not in keys and "records" not in keys:
        raise InvalidBody(f"not a release or record package (keys: {', '.join(keys[:6]) or 'none'})")
    return PageInfo(next_url=link, releases=releases, records=records)
