"""The buyer page's context: its notices (a search restricted to it), its pipeline, a chart per quarter."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from tenderlens.search.buyers import buyer_overview
from tenderlens.web.chart import BarChart, axis_count, bar_chart, count_text, money_text, short_money
from tenderlens.web.errors import WebError
from tenderlens.web.rendering import buyer_url, with_query
from tenderlens.web.views.search import result_row, search_context

if TYPE_CHECKING:
    from tenderlens.search.buyers import Quarter
    from tenderlens.search.request import SearchRequest
    from tenderlens.web.deps import AppState

MAX_KEY_CHARS = 500


def buyer_context(state: AppState, key: str, request: SearchRequest) -> dict[str, Any]:
    if not key or len(key) > MAX_KEY_CHARS or any(ord(char) < 32 for char in key):
        raise WebError(404, "Not found: that is not a buyer in this store")
    now = state.now()
    overview = buyer_overview(state.store.engine, key, now)
    if overview is None:
        raise WebError(404, f"Not found: no notices from a buyer {key!r} in this store")
    path = buyer_url(key)
    sort = request.sort if request.sort != "relevance" or request.q else "newest"
    notices = search_context(state, dataclasses.replace(request, sort=sort), path, scope={"buyer": (key,)})
    quarters = overview.quarters
    return {
        "page_title": overview.name or key,
        "buyer": {"key": key, "name": overview.name, "notices": overview.notices},
        "open_for_bids": [result_row(hit, now) for hit in overview.open_for_bids],
        "upcoming_notices": [result_row(hit, now) for hit in overview.upcoming_notices],
        "contracts_ending": [result_row(hit, now) for hit in overview.contracts_ending],
        "quarters": quarters,
        "charts": _charts(quarters),
        "search_all": with_query("/search", [("buyer", key)]),
        "notices": notices,
        "feeds": [
            {"kind": "atom", "label": "Atom feed", "href": with_query(path + ".atom", [])},
            {"kind": "ics", "label": "Calendar", "href": with_query(path + ".ics", [])},
            {"kind": "json", "label": "JSON", "href": with_query(path + ".json", [])},
        ],
        "now": now,
    }


def _charts(quarters: tuple[Quarter, ...]) -> list[BarChart]:
    """Notices per quarter, and awarded value per quarter when any award has a value."""
    if not quarters:
        return []
    charts = [
        bar_chart(
            "Notices first published per quarter",
            [(q.label, q.notices) for q in quarters],
            count_text,
            axis_count,
        )
    ]
    if any(q.awarded for q in quarters):
        charts.append(
            bar_chart(
                "Value awarded per quarter (GBP, excl. VAT)",
                [(q.label, q.awarded) for q in quarters],
                money_text,
                short_money,
            )
        )
    return charts
