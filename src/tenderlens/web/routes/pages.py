"""The pages and their JSON twins: one view builds the context, the template or JSON shows it.

JSON routes are registered before their HTML pages so ``/notices/{ocid}.json`` is never read
as an ocid ending in ``.json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from tenderlens.web import models
from tenderlens.web.deps import AppState, StateDep  # noqa: TC001 - FastAPI reads annotations at runtime
from tenderlens.web.params import SearchParams  # noqa: TC001 - FastAPI reads annotations at runtime
from tenderlens.web.rendering import json_response, render
from tenderlens.web.views.buyer import buyer_context
from tenderlens.web.views.home import home_context
from tenderlens.web.views.match import notice_match_context
from tenderlens.web.views.notice import notice_context
from tenderlens.web.views.search import search_context

router = APIRouter()

# Context keys that are for the template only (duplicates of other keys).
TEMPLATE_ONLY = frozenset({"changes_by_release"})


def twin(context: dict[str, Any]) -> Response:
    """The JSON twin of a page: its context, as data."""
    return json_response({"ok": True, **{k: v for k, v in context.items() if k not in TEMPLATE_ONLY}})


# -- home -------------------------------------------------------------------------------------


@router.get("/index.json", tags=["pages"], response_model=None, responses={200: {"model": models.HomePage}})
def home_json(state: StateDep) -> Response:
    """The home page as data: counts, the newest notices and those open for bids (closing soonest)."""
    return twin(home_context(state))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(state: StateDep) -> Response:
    return render("home.html", home_context(state))


# -- search -----------------------------------------------------------------------------------


@router.get(
    "/search.json",
    tags=["search"],
    response_model=None,
    responses={200: {"model": models.SearchPage}, **models.errors(422, 503)},
)
def search_json(state: StateDep, params: SearchParams) -> Response:
    """Full-text search with filters, facet counts, sorting and pages (the JSON twin of /search)."""
    return twin(search_context(state, params))


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search(state: StateDep, params: SearchParams) -> Response:
    return render("search.html", search_context(state, params))


# -- notices ----------------------------------------------------------------------------------


@router.get(
    "/notices/{ocid}.json",
    tags=["notices"],
    response_model=None,
    responses={200: {"model": models.NoticePage}, **models.errors(404)},
)
def notice_json(state: StateDep, ocid: str) -> Response:
    """One notice: every section, what each release changed, the timeline, links to its OCDS data."""
    return twin(notice_page_context(state, ocid))


@router.get("/notices/{ocid}", response_class=HTMLResponse, include_in_schema=False)
def notice(state: StateDep, ocid: str) -> Response:
    return render("notice.html", notice_page_context(state, ocid))


def notice_page_context(state: AppState, ocid: str) -> dict[str, Any]:
    """The notice and its relevance block, read in one connection (one transaction, one view)."""
    with state.store.reading() as conn:
        return {**notice_context(state, ocid, conn), **notice_match_context(state, ocid, conn=conn)}


# -- buyers -----------------------------------------------------------------------------------


@router.get(
    "/buyers/{key:path}.json",
    tags=["buyers"],
    response_model=None,
    responses={200: {"model": models.BuyerPage}, **models.errors(404, 422)},
)
def buyer_json(state: StateDep, key: str, params: SearchParams) -> Response:
    """A buyer: its open opportunities, pipeline, activity per quarter, and its notices (searchable)."""
    return twin(buyer_context(state, key, params))


@router.get("/buyers/{key:path}", response_class=HTMLResponse, include_in_schema=False)
def buyer(state: StateDep, key: str, params: SearchParams) -> Response:
    return render("buyer.html", buyer_context(state, key, params))
