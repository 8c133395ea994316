"""Context builders of the account pages: plain dicts the templates render and the twins return.

Every builder takes the signed-in user and reads only that user's rows
(:mod:`tenderlens.accounts.store` scopes every query by user id).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tenderlens.accounts import store as kept
from tenderlens.accounts import users
from tenderlens.accounts.tables import FREQUENCIES, STAGES
from tenderlens.match.profile import Profile, cpv_code
from tenderlens.reference.geography import itl_tables
from tenderlens.search.tables import search_index
from tenderlens.web.rendering import notice_url

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from tenderlens.accounts.model import User
    from tenderlens.web.deps import AppState

FREQUENCY_WORDS = {
    "instant": "As soon as a notice matches",
    "daily": "Daily digest",
    "weekly": "Weekly digest",
    "never": "No emails (feed only)",
}
STAGE_WORDS = {
    "interested": "Interested",
    "bidding": "Bidding",
    "submitted": "Submitted",
    "won": "Won",
    "lost": "Lost",
}
assert set(FREQUENCY_WORDS) == set(FREQUENCIES)
assert set(STAGE_WORDS) == set(STAGES)


def overview_context(state: AppState, user: User) -> dict[str, Any]:
    profile = kept.get_profile(state.store, user.id)
    return {
        "page_title": "Your account",
        "user": user,
        "profile_set": profile is not None and not profile.is_empty,
        "saved_searches": len(kept.list_searches(state.store, user.id)),
        "watchlist": len(kept.list_watchlist(state.store, user.id)),
        "api_tokens": sum(1 for token in users.list_api_tokens(state.store, user.id) if token.active),
    }


# -- profile ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionChoice:
    code: str
    name: str
    level: int


def region_choices() -> list[dict[str, Any]]:
    """ITL1 regions, each with its ITL2 regions: the profile form's checkboxes."""
    regions = itl_tables().regions.values()
    return [
        {
            "code": top.code,
            "name": top.name,
            "parts": [
                RegionChoice(part.code, part.name, part.level)
                for part in regions
                if part.level == 2 and part.code.startswith(top.code)  # ITL2
            ],
        }
        for top in regions
        if top.level == 1
    ]


def region_names(codes: Iterable[str]) -> list[RegionChoice]:
    table = itl_tables().regions
    return [RegionChoice(code, table[code].name, table[code].level) for code in codes if code in table]


def profile_context(state: AppState, user: User, profile: Profile | None = None) -> dict[str, Any]:
    shown = profile or kept.get_profile(state.store, user.id) or Profile()
    return {
        "page_title": "Your supplier profile",
        "profile": shown,
        "region_names": region_names(shown.regions),
        "region_choices": region_choices(),
    }


class ProfileFormError(ValueError):
    """A profile form field that cannot be read: ``field`` and a message in words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _items(text: str) -> list[str]:
    return [item.strip() for item in re.split(r"[,;\n]", text) if item.strip()]


def _amount(field: str, text: str) -> float | None:
    cleaned = text.strip().replace(",", "").removeprefix("£")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        raise ProfileFormError(
            field, f"{text.strip()!r} is not an amount: write it in pounds, e.g. 50000"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise ProfileFormError(field, "Use an amount of 0 or more")
    return value


def read_profile_form(form: Mapping[str, Any], regions: Iterable[str]) -> Profile:
    """A profile from the form's fields; raises :class:`ProfileFormError` naming the first bad field."""
    codes = _items(str(form.get("cpv_codes", "")))
    bad = [code for code in codes if cpv_code(code) is None]
    if bad:
        raise ProfileFormError(
            "cpv_codes", f"Not a CPV code: {', '.join(bad)}. Use 2 to 8 digits, e.g. 85 or 85312320"
        )
    table = itl_tables().regions
    chosen = [code.strip().upper() for code in regions if code.strip()]
    chosen += [code.upper() for code in _items(str(form.get("more_regions", "")))]
    unknown = [code for code in chosen if code not in table]
    if unknown:
        raise ProfileFormError(
            "more_regions", f"Not an ITL region code: {', '.join(unknown)} (e.g. TLC or TLC11)"
        )
    low = _amount("value_min", str(form.get("value_min", "")))
    high = _amount("value_max", str(form.get("value_max", "")))
    if low is not None and high is not None and low > high:
        raise ProfileFormError("value_max", "The largest value is below the smallest")
    return Profile.from_mapping(
        {
            "description": str(form.get("description", "")).strip()[:5000],
            "cpv_codes": codes,
            "keywords": _items(str(form.get("keywords", ""))),
            "exclusions": _items(str(form.get("exclusions", ""))),
            "regions": list(dict.fromkeys(chosen)),
            "value_min": low,
            "value_max": high,
            "sme": form.get("sme") in {"yes", "on", "true", "1"},
            "vcse": form.get("vcse") in {"yes", "on", "true", "1"},
        }
    )


# -- tokens -----------------------------------------------------------------------------------


def tokens_context(state: AppState, user: User, new_token: str | None = None) -> dict[str, Any]:
    return {
        "page_title": "API tokens",
        "tokens": users.list_api_tokens(state.store, user.id),
        "new_token": new_token,
    }


# -- watchlist --------------------------------------------------------------------------------


def _index_rows(state: AppState, ocids: list[str]) -> dict[str, Any]:
    if not ocids:
        return {}
    query = select(
        search_index.c.ocid,
        search_index.c.title,
        search_index.c.buyer_name,
        search_index.c.deadline_raw,
        search_index.c.stage,
    ).where(search_index.c.ocid.in_(ocids))
    with state.store.engine.connect() as conn:
        return {row.ocid: row for row in conn.execute(query)}


def watchlist_context(state: AppState, user: User) -> dict[str, Any]:
    watched = kept.list_watchlist(state.store, user.id)
    rows = _index_rows(state, [item.ocid for item in watched])
    items = []
    for item in watched:
        row = rows.get(item.ocid)
        items.append(
            {
                "ocid": item.ocid,
                "url": notice_url(item.ocid),
                "title": (row.title if row else None) or item.ocid,
                "buyer_name": row.buyer_name if row else None,
                "deadline": row.deadline_raw if row else None,
                "notice_stage": row.stage if row else None,
                "stage": item.stage,
                "notes": item.notes,
                "added": item.created_at,
                "updated": item.updated_at,
            }
        )
    return {
        "page_title": "Your watchlist",
        "items": items,
        "stages": [{"value": value, "label": STAGE_WORDS[value]} for value in STAGES],
        "calendar_url": "/account/watchlist.ics",
    }


# -- saved searches ---------------------------------------------------------------------------


def searches_context(state: AppState, user: User) -> dict[str, Any]:
    return {
        "page_title": "Your saved searches",
        "searches": [
            {
                "id": search.id,
                "name": search.name,
                "query": search.query,
                "search_url": search.search_url,
                "frequency": search.frequency,
                "frequency_words": FREQUENCY_WORDS[search.frequency],
                "feed_url": f"/feeds/searches/{search.feed_token}.atom",
                "created_at": search.created_at,
                "last_alert_at": search.last_alert_at,
            }
            for search in kept.list_searches(state.store, user.id)
        ],
        "frequencies": [{"value": value, "label": FREQUENCY_WORDS[value]} for value in FREQUENCIES],
    }
