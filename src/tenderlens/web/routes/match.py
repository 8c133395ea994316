"""Routes of explained relevance and alerts: feedback, search by fit, private feeds, unsubscribe.

- ``POST /notices/{ocid}/feedback`` (CSRF): "relevant" / "not relevant". Signed in, it is
  that user's verdict and teaches their ranking; otherwise it is counted for the notice.
- ``GET /search/fit`` and ``/search/fit.json``: a search ranked by fit to the user's profile.
- ``GET /feeds/searches/{feed_token}.atom``: a saved search's private feed (the token is the key).
- ``GET``/``POST /alerts/unsubscribe/{token}``: stop a saved search's e-mails, without
  signing in; the POST is also the one-click ``List-Unsubscribe-Post`` target (RFC 8058), so it
  takes the token in place of a CSRF token.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tenderlens.accounts import store as accounts_store
from tenderlens.alerts.searches import request_from_query, unsubscribe_target
from tenderlens.match.storage import record_anonymous, record_feedback
from tenderlens.search.run import iter_hits
from tenderlens.web.auth import CheckCsrf, CurrentUser
from tenderlens.web.deps import StateDep  # noqa: TC001 - FastAPI reads annotations at runtime
from tenderlens.web.errors import WebError
from tenderlens.web.feeds import atom_feed
from tenderlens.web.params import SearchParams  # noqa: TC001 - FastAPI reads annotations at runtime
from tenderlens.web.rendering import json_response, notice_url, render, wants_json
from tenderlens.web.views.match import FIT_PATH, fit_search_context
from tenderlens.web.views.notice import check_ocid

router = APIRouter()

FEED_ENTRIES: Final = 100
VERDICTS: Final = {"relevant": True, "not-relevant": False}
TEMPLATE_ONLY: Final = frozenset({"hidden"})


def _local(target: str | None, default: str) -> str:
    """A path on this site to return to; never another site (``//evil``, ``https:``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target:
        return default
    return target


@router.post("/notices/{ocid}/feedback", tags=["relevance"], dependencies=[CheckCsrf])
def feedback(
    request: Request,
    state: StateDep,
    *,
    user: CurrentUser,
    ocid: str,
    verdict: Annotated[str, Form()] = "",
    back: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """Say whether a notice is relevant: ``verdict`` = ``relevant`` or ``not-relevant``."""
    check_ocid(ocid)
    if verdict not in VERDICTS:
        raise WebError(
            422,
            "Say whether the notice is relevant",
            [{"field": "verdict", "message": "use relevant or not-relevant"}],
        )
    if state.store.get_record(ocid) is None:
        raise WebError(404, f"Not found: no notice with ocid {ocid!r} in this store")
    relevant = VERDICTS[verdict]
    if user is not None:
        learned = record_feedback(state.store, user.id, ocid, relevant=relevant, now=state.now())
    else:
        record_anonymous(state.store, ocid, relevant=relevant)
        learned = False
    if wants_json(request) or "application/json" in request.headers.get("accept", ""):
        return json_response(
            {"ok": True, "ocid": ocid, "verdict": verdict, "signed_in": user is not None, "learned": learned}
        )
    target = _local(back, notice_url(ocid))
    return RedirectResponse(target + ("#relevance" if target == notice_url(ocid) else ""), status_code=303)


def _fit(state: StateDep, params: SearchParams, user: CurrentUser) -> dict[str, Any]:
    return fit_search_context(state, dataclasses.replace(params, sort="relevance"), user)


@router.get(f"{FIT_PATH}.json", tags=["relevance"], response_model=None)
def fit_json(state: StateDep, params: SearchParams, user: CurrentUser) -> Response:
    """The search ranked by fit to the signed-in user's profile, each result with its reasons."""
    context = _fit(state, params, user)
    return json_response({"ok": True, **{k: v for k, v in context.items() if k not in TEMPLATE_ONLY}})


@router.get(FIT_PATH, response_class=HTMLResponse, include_in_schema=False)
def fit(state: StateDep, params: SearchParams, user: CurrentUser) -> Response:
    return render("match_search.html", _fit(state, params, user))


@router.get("/feeds/searches/{feed_token}.atom", tags=["feeds"])
def saved_search_feed(request: Request, state: StateDep, feed_token: str) -> Response:
    """A saved search's private Atom feed: its newest matches (the unguessable token is the only key)."""
    saved = accounts_store.search_by_feed_token(state.store, feed_token)
    search = request_from_query(saved.query) if saved else None
    if saved is None or search is None:
        raise WebError(404, "Not found: no saved search has this feed")
    now = state.now()
    hits = iter_hits(state.store.engine, dataclasses.replace(search, sort="newest"), now, FEED_ENTRIES)
    base = str(request.base_url).rstrip("/")
    body = atom_feed(
        f"tenderlens: {saved.name}", str(request.url), base + saved.search_url, hits, base_url=base, now=now
    )
    headers = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers=headers)


def _unsubscribe_context(name: str | None, token: str, *, done: bool) -> dict[str, Any]:
    return {
        "page_title": "Stop alerts" if not done else "Alerts stopped",
        "search_name": name,
        "action": f"/alerts/unsubscribe/{token}",
        "done": done,
    }


@router.get("/alerts/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_page(state: StateDep, token: str) -> Response:
    """Asks before stopping (mail scanners follow links; only the POST stops the alerts)."""
    target = unsubscribe_target(state.store, token)
    if target is None:
        raise WebError(
            404, "Not found: this unsubscribe link is not valid (the search may have been deleted)"
        )
    name, frequency = target
    return render("unsubscribe.html", _unsubscribe_context(name, token, done=frequency == "never"))


@router.post("/alerts/unsubscribe/{token}", tags=["alerts"])
def unsubscribe(request: Request, state: StateDep, token: str) -> Response:
    """Stop a saved search's e-mails (its frequency becomes ``never``); the search itself stays."""
    saved = accounts_store.unsubscribe(state.store, token)
    if saved is None:
        raise WebError(
            404, "Not found: this unsubscribe link is not valid (the search may have been deleted)"
        )
    if wants_json(request) or "application/json" in request.headers.get("accept", ""):
        return json_response({"ok": True, "search": saved.name, "frequency": saved.frequency})
    return render("unsubscribe.html", _unsubscribe_context(saved.name, token, done=True))
