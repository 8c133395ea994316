"""The signed-in user's pages and their JSON twins: overview, profile, API tokens, watchlist, saved searches.

Every route here needs a signed-in user (:data:`~tenderlens.web.auth.RequireUser`), reads
and writes only that user's rows, and every POST checks the CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from tenderlens.accounts import store as kept
from tenderlens.accounts import users
from tenderlens.accounts.flows import AccountError
from tenderlens.accounts.tables import FREQUENCIES, STAGES
from tenderlens.notice import build_notice
from tenderlens.web import auth
from tenderlens.web.auth import CheckCsrf, CurrentUser, RequireUser
from tenderlens.web.deps import StateDep  # noqa: TC001 - FastAPI reads annotations at runtime
from tenderlens.web.errors import WebError
from tenderlens.web.feeds import calendar, notice_events
from tenderlens.web.rendering import notice_url
from tenderlens.web.routes.accounts import done, form_error, page, safe_next
from tenderlens.web.views import account as views
from tenderlens.web.views.notice import check_ocid, load

router = APIRouter()

FormText = Annotated[str, Form()]
MAX_NAME = 200
MAX_NOTES = 10_000


# -- overview ---------------------------------------------------------------------------------


@router.get("/account.json", tags=["account"])
@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def overview(request: Request, state: StateDep, user: RequireUser) -> Response:
    """Your account: email and whether it is confirmed, and what you keep here."""
    context = views.overview_context(state, user)
    context["notice"] = {
        "welcome": request.query_params.get("welcome") == "1",
        "sent": request.query_params.get("sent"),
    }
    return page(request, "account.html", context)


# -- profile ----------------------------------------------------------------------------------


@router.get("/account/profile.json", tags=["account"])
@router.get("/account/profile", response_class=HTMLResponse, include_in_schema=False)
def profile(request: Request, state: StateDep, user: RequireUser) -> Response:
    """Your supplier profile: what you do, CPV codes, keywords, exclusions, regions, values, SME/VCSE."""
    context = views.profile_context(state, user)
    context["saved"] = request.query_params.get("saved") == "1"
    return page(request, "account_profile.html", context)


@router.post("/account/profile", tags=["account"], dependencies=[CheckCsrf])
async def save_profile(request: Request, state: StateDep, user: RequireUser) -> Response:
    """Save your profile (form fields as on the page; ``regions`` may repeat)."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    regions = [value for value in form.getlist("regions") if isinstance(value, str)]
    try:
        new = views.read_profile_form(fields, regions)
    except views.ProfileFormError as problem:
        context = {**views.profile_context(state, user), "form": fields, "saved": False}
        return form_error(
            request, "account_profile.html", context, AccountError(problem.message, problem.field)
        )
    kept.save_profile(state.store, user.id, new, state.now())
    return done(request, "/account/profile?saved=1", {"profile": new})


# -- API tokens -------------------------------------------------------------------------------


@router.get("/account/tokens.json", tags=["account"])
@router.get("/account/tokens", response_class=HTMLResponse, include_in_schema=False)
def tokens(request: Request, state: StateDep, user: RequireUser) -> Response:
    """Your API tokens, by name and prefix (a token is shown only once, when created)."""
    return page(request, "account_tokens.html", views.tokens_context(state, user))


@router.post("/account/tokens", tags=["account"], dependencies=[CheckCsrf])
def create_token(request: Request, state: StateDep, user: RequireUser, name: FormText = "") -> Response:
    """Create an API token: send it as ``Authorization: Bearer <token>``. It is shown this once."""
    label = name.strip()[:MAX_NAME] or "API token"
    token, listed = users.create_api_token(state.store, user.id, label, state.now())
    context = views.tokens_context(state, user, new_token=token)
    if auth.request_auth(request).via == "token" or "application/json" in request.headers.get("accept", ""):
        return done(request, "", {"token": token, "api_token": listed}, status=201)
    return page(request, "account_tokens.html", context, 201)


@router.post("/account/tokens/{token_id}/revoke", tags=["account"], dependencies=[CheckCsrf])
def revoke_token(request: Request, state: StateDep, user: RequireUser, token_id: int) -> Response:
    """Revoke one of your API tokens: it stops working at once."""
    if not users.revoke_api_token(state.store, user.id, token_id, state.now()):
        raise WebError(404, f"Not found: you have no active API token {token_id}")
    return done(request, "/account/tokens", {"revoked": token_id})


# -- watchlist --------------------------------------------------------------------------------


@router.get("/account/watchlist.ics", tags=["account"])
def watchlist_calendar(state: StateDep, user: CurrentUser, token: str = "") -> Response:
    """Your watchlist's dates as iCalendar: signed in, or with an API token as ``?token=`` (calendar apps)."""
    who = user or (users.api_token_user(state.store, token, state.now()) if token else None)
    if who is None:
        raise WebError(401, "Sign in, or add ?token=<one of your API tokens> to this address")
    now = state.now()
    items = []
    for watched in kept.list_watchlist(state.store, who.id):
        try:
            loaded = load(state, watched.ocid)
        except WebError:
            continue  # no longer in the store
        notice = build_notice(loaded.record.compiled, loaded.releases, state.reference, now)
        items.append((watched.ocid, notice_url(watched.ocid), notice_events(notice)))
    body = calendar("tenderlens: your watchlist", items, now)
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.get("/account/watchlist.json", tags=["account"])
@router.get("/account/watchlist", response_class=HTMLResponse, include_in_schema=False)
def watchlist(request: Request, state: StateDep, user: RequireUser) -> Response:
    """The notices you watch, each bid's stage (interested, bidding, submitted, won, lost), your notes."""
    return page(request, "account_watchlist.html", views.watchlist_context(state, user))


@router.post("/account/watchlist", tags=["account"], dependencies=[CheckCsrf])
def change_watchlist(
    request: Request,
    state: StateDep,
    user: RequireUser,
    *,
    ocid: FormText = "",
    action: FormText = "add",
    stage: FormText = "",
    notes: FormText = "",
    back: FormText = "",
) -> Response:
    """Watch a notice (``action=add``), set its ``stage`` and ``notes`` (``update``), or stop (``remove``)."""
    ocid = ocid.strip()
    check_ocid(ocid)
    now = state.now()
    target = safe_next(back, "/account/watchlist")
    if action == "add":
        if state.store.get_record(ocid) is None:
            raise WebError(404, f"Not found: no notice with ocid {ocid!r} in this store")
        kept.watch(state.store, user.id, ocid, now, stage if stage in STAGES else STAGES[0])
        return done(request, target, {"watching": kept.get_watched(state.store, user.id, ocid)})
    if action == "remove":
        if not kept.unwatch(state.store, user.id, ocid):
            raise WebError(404, f"Not found: {ocid} is not on your watchlist")
        return done(request, target, {"removed": ocid})
    if action == "update":
        if stage not in STAGES:
            raise WebError(
                422, "Choose a stage", [{"field": "stage", "message": f"one of {', '.join(STAGES)}"}]
            )
        if not kept.update_watched(state.store, user.id, ocid, stage=stage, notes=notes[:MAX_NOTES], now=now):
            raise WebError(404, f"Not found: {ocid} is not on your watchlist")
        return done(request, target, {"watching": kept.get_watched(state.store, user.id, ocid)})
    raise WebError(422, "Unknown action", [{"field": "action", "message": "add, update or remove"}])


# -- saved searches ---------------------------------------------------------------------------


@router.get("/account/searches.json", tags=["account"])
@router.get("/account/searches", response_class=HTMLResponse, include_in_schema=False)
def searches(request: Request, state: StateDep, user: RequireUser) -> Response:
    """Your saved searches: each one's query, alert frequency and private Atom feed."""
    return page(request, "account_searches.html", views.searches_context(state, user))


def _frequency(value: str) -> str:
    if value not in FREQUENCIES:
        raise WebError(
            422,
            "Choose how often to alert",
            [{"field": "frequency", "message": f"one of {', '.join(FREQUENCIES)}"}],
        )
    return value


@router.post("/account/searches", tags=["account"], dependencies=[CheckCsrf])
def save_search(
    request: Request,
    state: StateDep,
    user: RequireUser,
    *,
    query: FormText = "",
    name: FormText = "",
    frequency: FormText = "daily",
) -> Response:
    """Save a search by its URL query string (``q=victim&cpv=85``), with a name and an alert frequency."""
    saved_query = kept.search_query(query)
    label = name.strip()[:MAX_NAME] or _name_for(saved_query)
    saved = kept.create_search(
        state.store, user.id, name=label, query=saved_query, frequency=_frequency(frequency), now=state.now()
    )
    return done(request, "/account/searches?saved=1", {"search": _public(saved)}, status=201)


def _name_for(query: str) -> str:
    words = dict(parse_qsl(query)).get("q", "").strip()
    return f"“{words[:80]}”" if words else "All notices"


def _public(saved: kept.SavedSearch) -> dict[str, Any]:
    return {
        "id": saved.id,
        "name": saved.name,
        "query": saved.query,
        "frequency": saved.frequency,
        "search_url": saved.search_url,
        "feed_url": f"/feeds/searches/{saved.feed_token}.atom",
    }


@router.post("/account/searches/{search_id}", tags=["account"], dependencies=[CheckCsrf])
def change_search(
    request: Request,
    state: StateDep,
    user: RequireUser,
    search_id: int,
    *,
    name: FormText = "",
    frequency: FormText = "",
) -> Response:
    """Rename a saved search, or change how often it alerts: ``instant``, ``daily``, ``weekly``, ``never``."""
    changed = kept.update_search(
        state.store,
        user.id,
        search_id,
        name=name.strip()[:MAX_NAME] or None,
        frequency=_frequency(frequency) if frequency else None,
    )
    if not changed:
        raise WebError(404, f"Not found: you have no saved search {search_id}")
    saved = kept.get_search(state.store, user.id, search_id)
    assert saved is not None
    return done(request, "/account/searches", {"search": _public(saved)})


@router.post("/account/searches/{search_id}/delete", tags=["account"], dependencies=[CheckCsrf])
def delete_search(request: Request, state: StateDep, user: RequireUser, search_id: int) -> Response:
    """Delete a saved search: its alerts stop and its feed closes."""
    if not kept.delete_search(state.store, user.id, search_id):
        raise WebError(404, f"Not found: you have no saved search {search_id}")
    return done(request, "/account/searches", {"deleted": search_id})
