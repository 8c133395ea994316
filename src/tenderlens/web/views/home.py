"""The home page's context: what is in the store, the newest notices, and those open for bids."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tenderlens.search.request import SOURCES, SearchRequest
from tenderlens.search.run import run_search
from tenderlens.web.views.search import result_row

if TYPE_CHECKING:
    from tenderlens.web.deps import AppState


OPEN_DAYS = 3660  # "open for bids": any submission deadline ahead


def home_context(state: AppState) -> dict[str, Any]:
    now = state.now()
    engine = state.store.engine
    newest = run_search(engine, SearchRequest(sort="newest", per_page=8), now, with_facets=False)
    closing = run_search(
        engine, SearchRequest(sort="closing", closing_within=OPEN_DAYS, per_page=8), now, with_facets=False
    )
    stats = state.store.stats()
    return {
        "page_title": "Public procurement notices",
        "total": newest.total,
        "by_source": [
            {"label": SOURCES.get(name, name), "count": n, "href": f"/search?source={name}"}
            for name, n in stats.get("source", {}).items()
        ],
        "by_stage": [
            {"label": name, "count": n, "href": f"/search?stage={name.lower()}"}
            for name, n in stats.get("stage", {}).items()
            if name != "unknown"
        ],
        "newest": [result_row(hit, now) for hit in newest.hits],
        "closing": [result_row(hit, now) for hit in closing.hits],
        "closing_total": closing.total,
        "now": now,
    }
