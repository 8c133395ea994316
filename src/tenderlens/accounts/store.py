"""What each user keeps: their profile, watchlist (bid pipeline) and saved searches.

Every function takes the user's id and every query is scoped by it, so one user's id can
never reach another's rows (``tests/accounts/test_security.py`` checks every route). The
only lookups without a user id are by the unguessable feed and unsubscribe tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, insert, select, update

from tenderlens.accounts.model import instant
from tenderlens.accounts.secrets import new_secret
from tenderlens.accounts.tables import FREQUENCIES, STAGES, profiles, saved_searches, watchlist
from tenderlens.alerts.watch import watch_state
from tenderlens.match.profile import Profile

if TYPE_CHECKING:
    from datetime import datetime

    from tenderlens.store import Store


# -- profile ----------------------------------------------------------------------------------


def get_profile(store: Store, user_id: int) -> Profile | None:
    """The user's profile as saved (even if it says little), or None before the first save."""
    with store.engine.connect() as conn:
        row = conn.execute(select(profiles).where(profiles.c.user_id == user_id)).first()
    return Profile.from_mapping(dict(row._mapping)) if row else None  # noqa: SLF001 - SQLAlchemy's API


def save_profile(store: Store, user_id: int, profile: Profile, now: datetime) -> None:
    values: dict[str, Any] = {
        "description": profile.description,
        "cpv_codes": list(profile.cpv),
        "keywords": list(profile.keywords),
        "exclusions": list(profile.exclusions),
        "regions": list(profile.regions),
        "value_min": profile.value_min,
        "value_max": profile.value_max,
        "sme": profile.sme,
        "vcse": profile.vcse,
        "updated_at": instant(now),
    }
    with store.writing() as conn:
        changed = conn.execute(update(profiles).where(profiles.c.user_id == user_id).values(**values))
        if not changed.rowcount:
            conn.execute(insert(profiles).values(user_id=user_id, **values))


# -- watchlist --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Watched:
    """A notice on a user's watchlist: where the bid stands, and their notes."""

    ocid: str
    stage: str
    notes: str
    created_at: str
    updated_at: str


def _watched(row: Any) -> Watched:
    return Watched(row.ocid, row.stage, row.notes, row.created_at, row.updated_at)


def list_watchlist(store: Store, user_id: int) -> list[Watched]:
    query = (
        select(watchlist)
        .where(watchlist.c.user_id == user_id)
        .order_by(watchlist.c.created_at, watchlist.c.ocid)
    )
    with store.engine.connect() as conn:
        return [_watched(row) for row in conn.execute(query)]


def get_watched(store: Store, user_id: int, ocid: str) -> Watched | None:
    query = select(watchlist).where(watchlist.c.user_id == user_id, watchlist.c.ocid == ocid)
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    return _watched(row) if row else None


def watch(store: Store, user_id: int, ocid: str, now: datetime, stage: str = STAGES[0]) -> bool:
    """Add a notice to the watchlist; False if it was already there (nothing changes).

    The notice's alert facts as they are now become the watch's ``seen_state``, so a change
    published between watching and the next alert cycle is still alerted on.
    """
    if get_watched(store, user_id, ocid) is not None:
        return False
    record = store.get_record(ocid)
    seen_state = watch_state(record.compiled) if record is not None else None
    with store.writing() as conn:
        conn.execute(
            insert(watchlist).values(
                user_id=user_id,
                ocid=ocid,
                stage=stage,
                notes="",
                created_at=instant(now),
                updated_at=instant(now),
                seen_state=seen_state,
            )
        )
    return True


def update_watched(store: Store, user_id: int, ocid: str, *, stage: str, notes: str, now: datetime) -> bool:
    """Set the stage and notes of a watched notice; False if this user does not watch it."""
    assert stage in STAGES, stage
    with store.writing() as conn:
        result = conn.execute(
            update(watchlist)
            .where(watchlist.c.user_id == user_id, watchlist.c.ocid == ocid)
            .values(stage=stage, notes=notes, updated_at=instant(now))
        )
    return bool(result.rowcount)


def unwatch(store: Store, user_id: int, ocid: str) -> bool:
    with store.writing() as conn:
        result = conn.execute(
            delete(watchlist).where(watchlist.c.user_id == user_id, watchlist.c.ocid == ocid)
        )
    return bool(result.rowcount)


# -- saved searches ---------------------------------------------------------------------------

# Parameters that say where in the results one is, not what is searched for.
_NOT_SAVED = frozenset({"page", "per_page", "csrf_token"})


def search_query(query: str) -> str:
    """A search's URL query string as saved: without paging, parameters in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k not in _NOT_SAVED]
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A saved search: its name, the query string it runs, how often it alerts, its feed."""

    id: int
    user_id: int
    name: str
    query: str
    frequency: str
    feed_token: str
    unsubscribe_token: str
    created_at: str
    last_alert_at: str | None
    last_alert_watermark: str | None

    @property
    def search_url(self) -> str:
        return f"/search?{self.query}" if self.query else "/search"


def _saved(row: Any) -> SavedSearch:
    return SavedSearch(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        query=row.query,
        frequency=row.frequency,
        feed_token=row.feed_token,
        unsubscribe_token=row.unsubscribe_token,
        created_at=row.created_at,
        last_alert_at=row.last_alert_at,
        last_alert_watermark=row.last_alert_watermark,
    )


def list_searches(store: Store, user_id: int) -> list[SavedSearch]:
    query = select(saved_searches).where(saved_searches.c.user_id == user_id).order_by(saved_searches.c.id)
    with store.engine.connect() as conn:
        return [_saved(row) for row in conn.execute(query)]


def get_search(store: Store, user_id: int, search_id: int) -> SavedSearch | None:
    query = select(saved_searches).where(
        saved_searches.c.user_id == user_id, saved_searches.c.id == search_id
    )
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    return _saved(row) if row else None


def create_search(
    store: Store, user_id: int, *, name: str, query: str, frequency: str, now: datetime
) -> SavedSearch:
    """Save a search; it alerts from now on (its watermark starts at ``now``)."""
    assert frequency in FREQUENCIES, frequency
    with store.writing() as conn:
        search_id = conn.execute(
            insert(saved_searches)
            .values(
                user_id=user_id,
                name=name,
                query=search_query(query),
                frequency=frequency,
                feed_token=new_secret(),
                unsubscribe_token=new_secret(),
                created_at=instant(now),
            )
            .returning(saved_searches.c.id)
        ).scalar_one()
    found = get_search(store, user_id, search_id)
    assert found is not None
    return found


def update_search(
    store: Store, user_id: int, search_id: int, *, name: str | None = None, frequency: str | None = None
) -> bool:
    """Rename a saved search or change how often it alerts; False if the user has no such search."""
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = name
    if frequency is not None:
        assert frequency in FREQUENCIES, frequency
        values["frequency"] = frequency
    if not values:
        return get_search(store, user_id, search_id) is not None
    with store.writing() as conn:
        result = conn.execute(
            update(saved_searches)
            .where(saved_searches.c.user_id == user_id, saved_searches.c.id == search_id)
            .values(**values)
        )
    return bool(result.rowcount)


def delete_search(store: Store, user_id: int, search_id: int) -> bool:
    with store.writing() as conn:
        result = conn.execute(
            delete(saved_searches).where(
                saved_searches.c.user_id == user_id, saved_searches.c.id == search_id
            )
        )
    return bool(result.rowcount)


def search_by_feed_token(store: Store, feed_token: str) -> SavedSearch | None:
    """The saved search whose private Atom feed this token opens (the token is its only key)."""
    if not feed_token:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(select(saved_searches).where(saved_searches.c.feed_token == feed_token)).first()
    return _saved(row) if row else None


def unsubscribe(store: Store, unsubscribe_token: str) -> SavedSearch | None:
    """Stop a saved search's emails (frequency ``never``) from the link in an alert; None if unknown."""
    if not unsubscribe_token:
        return None
    condition = saved_searches.c.unsubscribe_token == unsubscribe_token
    with store.writing() as conn:
        row = conn.execute(select(saved_searches).where(condition)).first()
        if row is None:
            return None
        conn.execute(update(saved_searches).where(condition).values(frequency="never"))
    return get_search(store, row.user_id, row.id)
