"""Relevance on the web: the notice page's fit, feedback and similar notices; search by fit.

No SQL here beyond the match package's reads. The signed-in user comes from the request
(:func:`tenderlens.web.auth.template_user`, set by the auth middleware), so the notice page
can add this block without its route knowing about accounts.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Final

from tenderlens.match.index import load_facts, similar_candidates
from tenderlens.match.ranking import CANDIDATES, ranked_by_fit
from tenderlens.match.score import Match, score
from tenderlens.match.similar import similar
from tenderlens.match.storage import anonymous_counts, load_profile, load_weights, verdict
from tenderlens.search.request import SORTS
from tenderlens.web.auth import template_user
from tenderlens.web.rendering import notice_url, with_query
from tenderlens.web.views.search import result_row, search_context

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from tenderlens.accounts.model import User
    from tenderlens.match.facts import NoticeFacts
    from tenderlens.search.request import SearchRequest
    from tenderlens.web.deps import AppState

FIT_PATH: Final = "/search/fit"
FIT_LABEL: Final = "Fit to your profile"
PROFILE_PATH: Final = "/account/profile"
SIGN_IN_PATH: Final = "/account/sign-in"


def match_view(match: Match) -> dict[str, Any]:
    return {
        "score": round(match.score, 2),
        "level": match.level,
        "summary": match.summary,
        "reasons": [
            {"kind": reason.kind, "text": reason.text, "weight": round(reason.weight, 2)}
            for reason in match.reasons
        ],
    }


def feedback_url(ocid: str) -> str:
    return notice_url(ocid) + "/feedback"


def _relevance(
    conn: Connection, user: User | None, ocid: str, facts: NoticeFacts | None
) -> tuple[dict[str, Any] | None, str | None, int | None]:
    """(the fit, or None; what to say instead; the user's verdict)."""
    if user is None:
        return None, "Sign in and describe what you do to see how well this notice fits.", None
    given = verdict(conn, user.id, ocid)
    profile = load_profile(conn, user.id)
    if profile is None:
        return None, "Set up your supplier profile to see how well this notice fits.", given
    if facts is None:
        return None, "This notice is not in the search index yet.", given
    return match_view(score(profile, facts, load_weights(conn, user.id))), None, given


def notice_match_context(
    state: AppState, ocid: str, now_path: str | None = None, conn: Connection | None = None
) -> dict[str, Any]:
    """The ``match`` block of a notice page: fit and reasons, feedback, similar notices.

    Its reads go on ``conn`` when given (the page's one connection), else on one of its own.
    """
    if conn is None:
        with state.store.reading() as own:
            return notice_match_context(state, ocid, now_path, own)
    user = template_user()
    facts = load_facts(conn, [ocid]).get(ocid)
    relevance, note, given = _relevance(conn, user, ocid, facts)
    relevant, not_relevant = anonymous_counts(conn, ocid)
    alike = []
    if facts is not None:
        titles = load_facts(conn, similar_candidates(conn, facts))
        found = similar(facts, titles.values())
        alike = [
            {
                "ocid": match.ocid,
                "url": notice_url(match.ocid),
                "title": titles[match.ocid].title or match.ocid,
                "buyer": titles[match.ocid].buyer_name,
                "why": "; ".join(reason.text for reason in match.reasons),
            }
            for match in found
        ]
    return {
        "match": {
            "signed_in": user is not None,
            "relevance": relevance,
            "note": note,
            "profile_url": PROFILE_PATH,
            "sign_in_url": with_query(SIGN_IN_PATH, [("next", now_path or notice_url(ocid))]),
            "feedback": {
                "action": feedback_url(ocid),
                "verdict": {1: "relevant", -1: "not-relevant"}.get(given) if given else None,
                "anonymous": {"relevant": relevant, "not_relevant": not_relevant},
            },
            "similar": alike,
        }
    }


def fit_search_context(state: AppState, request: SearchRequest, user: User | None) -> dict[str, Any]:
    """The search page, ranked by fit to the user's profile (bounded candidates, see match.ranking)."""
    base = dataclasses.replace(request, sort="relevance")
    context = search_context(state, base, path=FIT_PATH)
    params = [(name, value) for name, value in request.params(page=1) if name != "sort"]
    context["sorts"] = [
        {
            "value": key,
            "label": label,
            "selected": False,
            "href": with_query("/search", [*params, ("sort", key)]),
        }
        for key, label in SORTS.items()
    ] + [{"value": "fit", "label": FIT_LABEL, "selected": True, "href": with_query(FIT_PATH, params)}]
    here = with_query(FIT_PATH, request.params())
    context.update(sort="fit", page_title="Search by fit to your profile", fit=None, fit_note=None, here=here)
    if user is None:
        context.update(results=[], fit_note="Sign in and set up your supplier profile to sort by fit.")
        return context
    with state.store.engine.connect() as conn:
        profile = load_profile(conn, user.id)
        weights = load_weights(conn, user.id) if profile else {}
    if profile is None:
        context.update(results=[], fit_note="Set up your supplier profile to sort by fit.")
        return context
    now = state.now()
    ranked = ranked_by_fit(state.store.engine, request, profile, weights, now)
    start = (request.page - 1) * request.per_page
    page = ranked[start : start + request.per_page]
    pages = max(1, -(-len(ranked) // request.per_page))
    context["results"] = [
        {
            **dataclasses.asdict(result_row(item.hit, now)),
            "fit": match_view(item.match),
            "feedback_action": feedback_url(item.hit.ocid),
        }
        for item in page
    ]
    context["fit"] = {"ranked": len(ranked), "candidates_per_search": CANDIDATES}
    context["pagination"] = {
        "page": request.page,
        "pages": pages,
        "prev": with_query(FIT_PATH, request.params(page=request.page - 1)) if request.page > 1 else None,
        "next": with_query(FIT_PATH, request.params(page=request.page + 1)) if request.page < pages else None,
        "numbers": [
            {"number": n, "href": with_query(FIT_PATH, request.params(page=n)), "current": n == request.page}
            for n in sorted({1, pages, *range(max(1, request.page - 2), min(pages, request.page + 2) + 1)})
        ],
    }
    return context
