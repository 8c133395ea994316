"""The search page's context: results with dates for people, facets with their links, pages, feeds.

Every link is the current request with one thing changed, so the whole state of a search
lives in its URL and works without JavaScript.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tenderlens.notice.when import make_when
from tenderlens.search.request import SORTS, SOURCES, VALUE_BANDS, SearchRequest, validation_errors
from tenderlens.search.run import Hit, SearchResult, run_search
from tenderlens.web.errors import WebError
from tenderlens.web.rendering import buyer_url, notice_url, with_query

if TYPE_CHECKING:
    from datetime import datetime

    from tenderlens.notice.model import When
    from tenderlens.search.facets import Facet
    from tenderlens.web.deps import AppState

# Fields the search form shows as inputs; every other parameter rides along as a hidden input.
FORM_FIELDS = frozenset({"q", "page", "published_from", "published_to", "closing_within"})
FEEDS = (
    ("json", "JSON", "/search.json"),
    ("csv", "CSV", "/search.csv"),
    ("jsonl", "OCDS JSON Lines", "/search.jsonl"),
    ("atom", "Atom feed", "/search.atom"),
    ("ics", "Calendar", "/search.ics"),
)


@dataclass(frozen=True, slots=True)
class ResultRow:
    ocid: str
    url: str
    title: str
    buyer_name: str | None
    buyer_url: str | None
    notice_type: str | None
    notice_type_name: str | None
    stage: str | None
    status_words: str | None
    source: str
    value_text: str | None
    excerpt: str | None
    published: When | None
    deadline: When | None
    deadline_open: bool
    future_notice: When | None
    contract_end: When | None


@dataclass(frozen=True, slots=True)
class FacetLink:
    value: str
    label: str
    count: int
    selected: bool
    level: int
    href: str


@dataclass(frozen=True, slots=True)
class FacetView:
    name: str
    title: str
    values: tuple[FacetLink, ...]
    open: bool


def result_row(hit: Hit, now: datetime) -> ResultRow:
    deadline = make_when(hit.deadline_raw, now) if hit.deadline_raw else None
    return ResultRow(
        ocid=hit.ocid,
        url=notice_url(hit.ocid),
        title=hit.title or hit.ocid,
        buyer_name=hit.buyer_name,
        buyer_url=buyer_url(hit.buyer_key) if hit.buyer_key else None,
        notice_type=hit.notice_type,
        notice_type_name=hit.notice_type_name,
        stage=hit.stage.capitalize() if hit.stage else None,
        status_words=hit.status_words,
        source=SOURCES.get(hit.source, hit.source),
        value_text=hit.value_text,
        excerpt=hit.excerpt,
        published=make_when(hit.published_raw, now) if hit.published_raw else None,
        deadline=deadline,
        deadline_open=deadline is not None and deadline.at >= now,
        future_notice=make_when(hit.future_notice_raw, now) if hit.future_notice_raw else None,
        contract_end=make_when(hit.contract_end_raw, now) if hit.contract_end_raw else None,
    )


def _facet_views(request: SearchRequest, facets: tuple[Facet, ...], path: str) -> list[FacetView]:
    views = []
    for facet in facets:
        links = tuple(
            FacetLink(
                value.value,
                value.label,
                value.count,
                value.selected,
                value.level,
                with_query(path, request.toggled(facet.name, value.value)),
            )
            for value in facet.values
        )
        views.append(FacetView(facet.name, facet.title, links, any(v.selected for v in links)))
    return views


def _chips(request: SearchRequest, facets: tuple[Facet, ...], path: str) -> list[dict[str, str]]:
    """The active filters, each with a link that removes it."""
    labels = {
        (facet.name, value.value): (facet.title, value.label) for facet in facets for value in facet.values
    }
    chips = []
    for name, value in request.filters:
        title, label = labels.get((name, value), (name.replace("_", " ").capitalize(), value))
        if name == "value":
            label = VALUE_BANDS.get(value, (value,))[0]
        if name in {"published_from", "published_to"}:
            title = "Published from" if name == "published_from" else "Published up to"
        if name == "closing_within":
            title, label = "Submission deadline", f"within {value} days"
        remove = request.params(**{name: _without(request, name, value), "page": 1})
        chips.append({"name": name, "title": title, "label": label, "href": with_query(path, remove)})
    return chips


def _without(request: SearchRequest, name: str, value: str) -> object:
    current = getattr(request, name)
    if isinstance(current, tuple):
        return tuple(member for member in current if member != value)
    return None


def _pages(request: SearchRequest, result: SearchResult, path: str) -> dict[str, Any]:
    last = min(result.pages, 500)
    page = request.page
    window = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    return {
        "page": page,
        "pages": last,
        "prev": with_query(path, request.params(page=page - 1)) if page > 1 else None,
        "next": with_query(path, request.params(page=page + 1)) if page < last else None,
        "numbers": [
            {"number": n, "href": with_query(path, request.params(page=n)), "current": n == page}
            for n in window
        ],
    }


def check(request: SearchRequest) -> None:
    errors = validation_errors(request)
    if errors:
        raise WebError(422, "Some search parameters are not valid", errors)


def search_context(
    state: AppState, request: SearchRequest, path: str = "/search", scope: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One page of a search. ``scope`` fixes filters (the buyer on a buyer page): they apply to
    the results but are left out of the page's links, facets and filter list."""
    check(request)
    now = state.now()
    scoped = dataclasses.replace(request, **scope) if scope else request
    result = run_search(state.store.engine, scoped, now, state.reference)
    facets = tuple(facet for facet in result.facets if facet.name not in (scope or {}))
    rows = [result_row(hit, now) for hit in result.hits]
    sort = request.sort if (request.sort != "relevance" or result.query.groups) else "newest"
    feed_params = request.params(page=1)
    return {
        "page_title": f"Search: {request.q}" if request.q.strip() else "Search notices",
        "request": dataclasses.asdict(request),
        "query": {
            "text": request.q,
            "understood": result.query.text,
            "notes": list(result.query.notes),
        },
        "total": result.total,
        "results": rows,
        "facets": _facet_views(request, facets, path),
        "filters": _chips(request, facets, path),
        "clear_filters": with_query(path, [("q", request.q)] if request.q else []),
        "sorts": [
            {
                "value": key,
                "label": label,
                "selected": key == sort,
                "href": with_query(path, request.params(sort=key, page=1)),
            }
            for key, label in SORTS.items()
        ],
        "sort": sort,
        "pagination": _pages(request, result, path),
        "feeds": [
            {"kind": kind, "label": label, "href": with_query(target, feed_params)}
            for kind, label, target in FEEDS
        ],
        "hidden": [(name, value) for name, value in request.params() if name not in FORM_FIELDS],
        "now": now,
    }
