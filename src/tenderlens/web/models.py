"""Pydantic models of the JSON twins, for the OpenAPI schema (``/api/openapi.json``).

They document the responses; the routes return the view's context as JSON directly (the
same dict the template renders), so these models never reshape or drop data.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

# pydantic reads these at runtime; When resolves ResultRow's annotations.
from tenderlens.notice.model import Notice, ReleaseChanges, When  # noqa: F401, TC001
from tenderlens.reference import PostcodeAreas, Region  # noqa: F401 - resolves Notice's annotations
from tenderlens.web.views.notice import DataLink  # noqa: TC001
from tenderlens.web.views.search import FacetView, ResultRow  # noqa: TC001


class ErrorItem(BaseModel):
    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    """Every error, on every route: 404, 405, 422, 500, 503."""

    ok: Literal[False]
    error: str
    errors: list[ErrorItem]
    status: int


class Page(BaseModel):
    model_config = ConfigDict(extra="allow")
    ok: Literal[True]
    page_title: str
    now: str


class NoticePage(Page):
    """``/notices/{ocid}.json``: the notice, what each release changed, the timeline and the data links."""

    ocid: str
    notice: Notice
    record: dict[str, Any]
    changes: list[ReleaseChanges]
    timeline: dict[str, Any] | None
    buyer_url: str | None
    releases: list[dict[str, Any]]
    data_links: list[DataLink]


class SearchPage(Page):
    """``/search.json``: one page of results with facet counts; every link keeps the search's state."""

    request: dict[str, Any]
    query: dict[str, Any]
    total: int
    results: list[ResultRow]
    facets: list[FacetView]
    filters: list[dict[str, str]]
    sorts: list[dict[str, Any]]
    sort: str
    pagination: dict[str, Any]
    feeds: list[dict[str, str]]


class BuyerPage(Page):
    """``/buyers/{key}.json``: the buyer, its pipeline, its activity per quarter and its notices."""

    buyer: dict[str, Any]
    open_for_bids: list[ResultRow]
    upcoming_notices: list[ResultRow]
    contracts_ending: list[ResultRow]
    quarters: list[dict[str, Any]]
    notices: dict[str, Any]


class HomePage(Page):
    """``/index.json``: what is in the store, the newest notices and those closing soon."""

    total: int
    newest: list[ResultRow]
    closing: list[ResultRow]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entry documenting the error shape for these statuses."""
    return {status: {"model": ErrorBody, "description": "The one error shape"} for status in statuses}


for _model in (NoticePage, SearchPage, BuyerPage, HomePage):
    _model.model_rebuild()
