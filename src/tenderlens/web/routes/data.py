"""Data to take away: a notice's OCDS data and calendar; a search's CSV, OCDS JSON Lines, Atom, iCalendar.

OCDS files open in the browser by default; ``?download=1`` asks the browser to save them.
Exports of a search follow its order and filters and stop at :data:`EXPORT_LIMIT` records.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from tenderlens.export import ExportKind, write_package
from tenderlens.notice import build_notice
from tenderlens.search.run import iter_hits
from tenderlens.web import models
from tenderlens.web.deps import AppState, StateDep  # noqa: TC001 - FastAPI reads annotations at runtime
from tenderlens.web.errors import WebError
from tenderlens.web.feeds import atom_feed, calendar, csv_rows, hit_events, notice_events
from tenderlens.web.params import SearchParams  # noqa: TC001 - FastAPI reads annotations at runtime
from tenderlens.web.rendering import buyer_url, notice_url, with_query
from tenderlens.web.views.notice import check_ocid, load
from tenderlens.web.views.search import check

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tenderlens.search.request import SearchRequest

router = APIRouter()

EXPORT_LIMIT = 10_000
FEED_LIMIT = 100
CALENDAR_LIMIT = 500
Download = Annotated[bool, Query(description="Ask the browser to save the file rather than show it.")]
JSON_TYPE = "application/json"
NOT_FOUND = models.errors(404)


def _file(body: bytes, media_type: str, filename: str, *, download: bool) -> Response:
    disposition = "attachment" if download else "inline"
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'{disposition}; filename="{filename}"'}
    )


def _name(ocid: str) -> str:
    return "".join(char if char.isalnum() or char in "-_" else "_" for char in ocid)


def _pretty(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


# -- one notice -------------------------------------------------------------------------------


@router.get("/notices/{ocid}.ics", tags=["notices"], responses=NOT_FOUND)
def notice_calendar(state: StateDep, ocid: str, request: Request, download: Download = False) -> Response:
    """The notice's deadlines, engagement events, next notice and contract dates, as iCalendar."""
    loaded = load(state, ocid)
    notice = build_notice(loaded.record.compiled, loaded.releases, state.reference, state.now())
    url = _base(request) + notice_url(ocid)
    body = calendar(notice.title or ocid, [(ocid, url, notice_events(notice))], state.now())
    return _file(body, "text/calendar; charset=utf-8", f"{_name(ocid)}.ics", download=download)


@router.get("/notices/{ocid}/compiled.json", tags=["ocds"], responses=NOT_FOUND)
def compiled(state: StateDep, ocid: str, download: Download = False) -> Response:
    """The compiled release (OCDS): the current state of the contracting process."""
    loaded = load(state, ocid)
    return _file(
        _pretty(loaded.record.compiled), JSON_TYPE, f"{_name(ocid)}-compiled.json", download=download
    )


@router.get("/notices/{ocid}/versioned.json", tags=["ocds"], responses=NOT_FOUND)
def versioned(state: StateDep, ocid: str, download: Download = False) -> Response:
    """The versioned release (OCDS): every value with the release that set it."""
    loaded = load(state, ocid)
    if loaded.record.versioned is None:
        raise WebError(
            404, "Not found: the publisher gave only a compiled release, so there is no versioned one"
        )
    return _file(
        _pretty(loaded.record.versioned), JSON_TYPE, f"{_name(ocid)}-versioned.json", download=download
    )


def _package(state: AppState, ocid: str, kind: ExportKind) -> bytes:
    load(state, ocid)
    buffer = io.BytesIO()
    write_package(state.store, kind, buffer, [ocid])
    return _pretty(orjson.loads(buffer.getvalue()))


@router.get("/notices/{ocid}/record.json", tags=["ocds"], responses=NOT_FOUND)
def record_package(state: StateDep, ocid: str, download: Download = False) -> Response:
    """A record package (OCDS) with this process's record: releases, compiled and versioned release."""
    body = _package(state, ocid, ExportKind.RECORDS)
    return _file(body, JSON_TYPE, f"{_name(ocid)}-record.json", download=download)


@router.get("/notices/{ocid}/releases.json", tags=["ocds"], responses=NOT_FOUND)
def release_package(state: StateDep, ocid: str, download: Download = False) -> Response:
    """A release package (OCDS) with every stored release of this process, in merge order."""
    body = _package(state, ocid, ExportKind.RELEASES)
    return _file(body, JSON_TYPE, f"{_name(ocid)}-releases.json", download=download)


@router.get("/notices/{ocid}/releases/{release_id:path}.json", tags=["ocds"], responses=NOT_FOUND)
def release(state: StateDep, ocid: str, release_id: str, download: Download = False) -> Response:
    """One release as published."""
    check_ocid(ocid)
    for stored in state.store.get_releases(ocid):
        if stored.release_id == release_id:
            filename = f"{_name(ocid)}-{_name(release_id)}.json"
            return _file(_pretty(stored.data), JSON_TYPE, filename, download=download)
    raise WebError(404, f"Not found: no release {release_id!r} of {ocid!r} in this store")


# -- searches ---------------------------------------------------------------------------------


def _hits(state: AppState, params: SearchRequest, limit: int) -> list[Any]:
    check(params)
    return list(iter_hits(state.store.engine, params, state.now(), limit))


@router.get("/search.csv", tags=["search"], responses=models.errors(422, 503))
def search_csv(state: StateDep, params: SearchParams, request: Request) -> Response:
    """The search's results as CSV (every page, up to 10,000 rows), in the search's order."""
    hits = _hits(state, params, EXPORT_LIMIT)
    return StreamingResponse(
        csv_rows(hits, _base(request)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tenderlens-search.csv"'},
    )


@router.get("/search.jsonl", tags=["search"], responses=models.errors(422, 503))
def search_jsonl(state: StateDep, params: SearchParams) -> Response:
    """The compiled releases (OCDS) of the search's results as JSON Lines (up to 10,000)."""
    ocids = [hit.ocid for hit in _hits(state, params, EXPORT_LIMIT)]

    def lines() -> Iterator[bytes]:
        for start in range(0, len(ocids), 200):
            chunk = ocids[start : start + 200]
            found = {record.ocid: record.compiled for record in state.store.iter_records(chunk)}
            for ocid in chunk:
                if ocid in found:
                    yield orjson.dumps(found[ocid]) + b"\n"

    return StreamingResponse(
        lines(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="tenderlens-search.jsonl"'},
    )


def _atom(state: AppState, params: SearchRequest, request: Request, title: str, page: str) -> Response:
    hits = _hits(state, params, FEED_LIMIT)
    body = atom_feed(
        title, str(request.url), _base(request) + page, hits, base_url=_base(request), now=state.now()
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _ics(state: AppState, params: SearchRequest, request: Request, title: str) -> Response:
    now = state.now()
    items = [
        (hit.ocid, _base(request) + notice_url(hit.ocid), hit_events(hit, now))
        for hit in _hits(state, params, CALENDAR_LIMIT)
    ]
    return Response(calendar(title, items, now), media_type="text/calendar; charset=utf-8")


def _title(params: SearchRequest) -> str:
    return f"tenderlens: {params.q}" if params.q else "tenderlens: notices"


@router.get("/search.atom", tags=["feeds"], responses=models.errors(422, 503))
def search_atom(state: StateDep, params: SearchParams, request: Request) -> Response:
    """An Atom feed of any search (the first 100 results in its order; sort=newest suits a feed)."""
    return _atom(state, params, request, _title(params), with_query("/search", params.params()))


@router.get("/search.ics", tags=["feeds"], responses=models.errors(422, 503))
def search_ics(state: StateDep, params: SearchParams, request: Request) -> Response:
    """An iCalendar of any search: deadlines, next notices and contract ends of the first 500 results."""
    return _ics(state, params, request, _title(params))


@router.get("/buyers/{key:path}.atom", tags=["feeds"], responses=models.errors(404, 422))
def buyer_atom(state: StateDep, key: str, params: SearchParams, request: Request) -> Response:
    """An Atom feed of a buyer's newest notices."""
    from dataclasses import replace  # noqa: PLC0415

    scoped = replace(params, buyer=(key,), sort="newest" if params.sort == "relevance" else params.sort)
    return _atom(state, scoped, request, f"tenderlens: {key}", buyer_url(key))


@router.get("/buyers/{key:path}.ics", tags=["feeds"], responses=models.errors(404, 422))
def buyer_ics(state: StateDep, key: str, params: SearchParams, request: Request) -> Response:
    """An iCalendar of a buyer's deadlines, next notices and contract ends."""
    from dataclasses import replace  # noqa: PLC0415

    return _ics(state, replace(params, buyer=(key,)), request, f"tenderlens: {key}")
