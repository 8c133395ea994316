"""Profiles, feedback and learned weights in the store: every query scoped by ``user_id``.

Feedback changes the weights only when the verdict is new or different, so sending the same
form twice (a reload) does not learn twice. Anonymous verdicts are only counted per notice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import bindparam, delete, insert, select, update

from tenderlens.accounts.model import instant
from tenderlens.accounts.tables import anonymous_feedback, feedback, profiles, relevance_weights
from tenderlens.match import learn
from tenderlens.match.index import load_facts
from tenderlens.match.profile import Profile

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection

    from tenderlens.store import Store

RELEVANT = 1
NOT_RELEVANT = -1


def load_profile(conn: Connection, user_id: int) -> Profile | None:
    """The user's profile, or None when they have not set one (or it says nothing)."""
    row = conn.execute(select(profiles).where(profiles.c.user_id == user_id)).first()
    if row is None:
        return None
    profile = Profile.from_mapping(dict(row._mapping))  # noqa: SLF001 - SQLAlchemy's API
    return None if profile.is_empty else profile


def load_weights(conn: Connection, user_id: int) -> dict[str, float]:
    rows = conn.execute(
        select(relevance_weights.c.feature, relevance_weights.c.weight).where(
            relevance_weights.c.user_id == user_id
        )
    )
    return {feature: float(weight) for feature, weight in rows}


def verdict(conn: Connection, user_id: int, ocid: str) -> int | None:
    """+1, -1, or None: what this user said about this notice."""
    row = conn.execute(
        select(feedback.c.verdict).where(feedback.c.user_id == user_id, feedback.c.ocid == ocid)
    ).first()
    return None if row is None else int(row.verdict)


def _save_weights(conn: Connection, user_id: int, old: dict[str, float], new: dict[str, float]) -> None:
    for feature, weight in new.items():
        if feature in old:
            conn.execute(
                update(relevance_weights)
                .where(relevance_weights.c.user_id == user_id, relevance_weights.c.feature == feature)
                .values(weight=weight)
            )
        else:
            conn.execute(insert(relevance_weights).values(user_id=user_id, feature=feature, weight=weight))


def record_feedback(store: Store, user_id: int, ocid: str, *, relevant: bool, now: datetime) -> bool:
    """Store the user's verdict and learn from it; False when the notice is not in the index."""
    value = RELEVANT if relevant else NOT_RELEVANT
    with store.writing() as conn:
        facts = load_facts(conn, [ocid]).get(ocid)
        if facts is None:
            return False
        before = verdict(conn, user_id, ocid)
        if before == value:
            return True
        if before is None:
            conn.execute(
                insert(feedback).values(user_id=user_id, ocid=ocid, verdict=value, created_at=instant(now))
            )
        else:
            conn.execute(
                update(feedback)
                .where(feedback.c.user_id == user_id, feedback.c.ocid == ocid)
                .values(verdict=value, created_at=instant(now))
            )
        weights = load_weights(conn, user_id)
        _save_weights(conn, user_id, weights, learn.update(weights, learn.features(facts), relevant=relevant))
    return True


def forget_feedback(store: Store, user_id: int) -> None:
    """Drop the user's verdicts and what was learned from them (start ranking afresh)."""
    with store.writing() as conn:
        conn.execute(delete(feedback).where(feedback.c.user_id == user_id))
        conn.execute(delete(relevance_weights).where(relevance_weights.c.user_id == user_id))


def record_anonymous(store: Store, ocid: str, *, relevant: bool) -> None:
    """Count one anonymous verdict for the notice."""
    column = "relevant" if relevant else "not_relevant"
    with store.writing() as conn:
        done = conn.execute(
            update(anonymous_feedback)
            .where(anonymous_feedback.c.ocid == ocid)
            .values({column: anonymous_feedback.c[column] + 1})
        ).rowcount
        if not done:
            values: dict[str, Any] = {"ocid": ocid, "relevant": 0, "not_relevant": 0, column: 1}
            conn.execute(insert(anonymous_feedback).values(values))


# Built once: every notice page reads it, and building it cost more than running it.
_ANONYMOUS_COUNTS: Final = select(anonymous_feedback.c.relevant, anonymous_feedback.c.not_relevant).where(
    anonymous_feedback.c.ocid == bindparam("ocid")
)


def anonymous_counts(conn: Connection, ocid: str) -> tuple[int, int]:
    """(relevant, not relevant) verdicts from visitors who were not signed in."""
    row = conn.execute(_ANONYMOUS_COUNTS, {"ocid": ocid}).first()
    return (0, 0) if row is None else (int(row.relevant), int(row.not_relevant))
