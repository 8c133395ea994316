"""Search results ranked by fit to a profile: a bounded set of candidates, scored and sorted.

Scoring needs each notice's facts, so it cannot run over a whole index per request. The
candidates are the search's own best :data:`CANDIDATES` results, plus — when the search
does not already filter on them — its best results within the profile's CPV divisions,
within its regions, and matching its keywords. At most four times :data:`CANDIDATES` notices are
scored; a notice outside all four sets is not ranked (``docs/alerts.md`` says so too).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from tenderlens.match.index import load_facts
from tenderlens.match.score import Match, rank
from tenderlens.search.run import iter_hits

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from sqlalchemy import Engine

    from tenderlens.match.profile import Profile
    from tenderlens.search.request import SearchRequest
    from tenderlens.search.run import Hit

CANDIDATES: Final = 300


@dataclass(frozen=True, slots=True)
class Ranked:
    hit: Hit
    match: Match


def candidate_requests(request: SearchRequest, profile: Profile) -> list[SearchRequest]:
    """The searches whose results are scored: the user's own, then narrowed to the profile."""
    base = dataclasses.replace(request, sort="relevance" if request.q.strip() else "newest", page=1)
    found = [base]
    if not request.cpv and profile.cpv:
        found.append(dataclasses.replace(base, cpv=tuple(sorted({code[:2] for code in profile.cpv}))))
    if not request.delivery_region and profile.regions:
        found.append(dataclasses.replace(base, delivery_region=profile.regions))
    if not request.q.strip() and profile.keywords:
        phrases = " OR ".join(f'"{keyword}"' for keyword in profile.keywords[:10])
        found.append(dataclasses.replace(base, q=phrases, sort="relevance"))
    return found


def ranked_by_fit(
    engine: Engine,
    request: SearchRequest,
    profile: Profile,
    weights: Mapping[str, float],
    now: datetime,
    *,
    limit: int = CANDIDATES,
) -> list[Ranked]:
    """Every candidate, best fit first (ties keep the search's order)."""
    hits: dict[str, Hit] = {}
    for candidate in candidate_requests(request, profile):
        for hit in iter_hits(engine, candidate, now, limit):
            hits.setdefault(hit.ocid, hit)
    with engine.connect() as conn:
        facts = load_facts(conn, list(hits))
    matches = rank(profile, list(facts.values()), weights)
    return [Ranked(hits[match.ocid], match) for match in matches]
