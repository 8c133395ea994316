"""Feedback changes a user's own ranking, measurably: notices like the relevant ones rise, others fall."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import mean
from typing import TYPE_CHECKING

from tenderlens.accounts.users import create_user
from tenderlens.ingest import ingest
from tenderlens.match import learn
from tenderlens.match.facts import Labelled, NoticeFacts
from tenderlens.match.profile import Profile
from tenderlens.match.ranking import ranked_by_fit
from tenderlens.match.storage import (
    anonymous_counts,
    load_weights,
    record_anonymous,
    record_feedback,
    verdict,
)
from tenderlens.search.request import SearchRequest
from tests.match.generated import family_releases
from tests.web.webdata import write_package

if TYPE_CHECKING:
    from pathlib import Path

    from tenderlens.store import Store

NOW = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
# A profile that likes all three families equally: only feedback can tell them apart.
BROAD = Profile(cpv=("90", "55", "85"))


def test_update_moves_weights_towards_the_verdict() -> None:
    present = {"cpv:90911200", "buyer:GB-1"}
    up = learn.update({}, present, relevant=True)
    assert all(weight > 0 for weight in up.values())
    assert learn.predict(up, present) > learn.predict({}, present) == 0.5
    down = learn.update(up, present, relevant=False)
    assert all(down[f] < up[f] for f in present)
    many = {}
    for _ in range(200):
        many.update(learn.update(many, present, relevant=True))
    assert max(many.values()) <= learn.WEIGHT_CAP


def test_features_cover_codes_divisions_buyer_regions_and_title_words() -> None:
    facts = NoticeFacts(
        ocid="x",
        title="Victims' counselling in 2026",
        buyer_key="GB-1",
        cpv=(Labelled("85312320"),),
        delivery_regions=(Labelled("TLC11"),),
    )
    assert learn.features(facts) == {
        "cpv:85312320",
        "division:85",
        "buyer:GB-1",
        "region:TLC",
        "region:TLC1",
        "region:TLC11",
        "term:victim",
        "term:counselling",
    }


def _positions(store: Store, user_id: int | None) -> dict[str, int]:
    with store.engine.connect() as conn:
        weights = load_weights(conn, user_id) if user_id is not None else {}
    ranked = ranked_by_fit(store.engine, SearchRequest(), BROAD, weights, NOW)
    return {item.hit.ocid: position for position, item in enumerate(ranked, start=1)}


def test_feedback_raises_notices_like_the_relevant_ones(store: Store, tmp_path: Path) -> None:
    families = family_releases()
    ingest(store, [write_package(tmp_path, [r for found in families.values() for r in found])])
    user = create_user(store, "learner@example.org", "not-a-real-hash", NOW)
    other = create_user(store, "bystander@example.org", "not-a-real-hash", NOW)
    liked = [r["ocid"] for r in families["cleaning"][:3]]
    disliked = [r["ocid"] for r in families["catering"][:3]]
    before = _positions(store, user.id)
    for ocid in liked:
        assert record_feedback(store, user.id, ocid, relevant=True, now=NOW)
    for ocid in disliked:
        assert record_feedback(store, user.id, ocid, relevant=False, now=NOW)
    after = _positions(store, user.id)

    def average(positions: dict[str, int], family: str, marked: list[str]) -> float:
        return mean(positions[r["ocid"]] for r in families[family] if r["ocid"] not in marked)

    cleaning = (average(before, "cleaning", liked), average(after, "cleaning", liked))
    catering = (average(before, "catering", disliked), average(after, "catering", disliked))
    figures = f"mean rank: cleaning {cleaning[0]:.1f} -> {cleaning[1]:.1f}, catering {catering[0]:.1f} -> {catering[1]:.1f}"
    # Measured: cleaning 31.4 -> 10.8, catering 25.5 -> 49.2 (60 notices).
    assert cleaning[1] < cleaning[0] - 5, figures
    assert catering[1] > catering[0] + 5, figures
    # Every unmarked cleaning notice now outranks every unmarked catering notice.
    assert max(after[r["ocid"]] for r in families["cleaning"]) < min(
        after[r["ocid"]] for r in families["catering"]
    )
    # Someone else's ranking is untouched.
    assert _positions(store, other.id) == before


def test_the_same_verdict_twice_learns_once(store: Store, tmp_path: Path) -> None:
    families = family_releases(per_family=2)
    ingest(store, [write_package(tmp_path, families["cleaning"])])
    user = create_user(store, "twice@example.org", "not-a-real-hash", NOW)
    ocid = families["cleaning"][0]["ocid"]
    record_feedback(store, user.id, ocid, relevant=True, now=NOW)
    with store.engine.connect() as conn:
        once = load_weights(conn, user.id)
    record_feedback(store, user.id, ocid, relevant=True, now=NOW)
    with store.engine.connect() as conn:
        assert load_weights(conn, user.id) == once
        assert verdict(conn, user.id, ocid) == 1
    record_feedback(store, user.id, ocid, relevant=False, now=NOW)
    with store.engine.connect() as conn:
        changed = load_weights(conn, user.id)
        assert verdict(conn, user.id, ocid) == -1
    assert all(changed[f] < once[f] for f in once)
    assert not record_feedback(store, user.id, "ocds-not-stored", relevant=True, now=NOW)


def test_anonymous_feedback_is_counted_per_notice(store: Store) -> None:
    with store.engine.connect() as conn:
        assert anonymous_counts(conn, "ocds-a") == (0, 0)
    record_anonymous(store, "ocds-a", relevant=True)
    record_anonymous(store, "ocds-a", relevant=True)
    record_anonymous(store, "ocds-a", relevant=False)
    record_anonymous(store, "ocds-b", relevant=False)
    with store.engine.connect() as conn:
        assert anonymous_counts(conn, "ocds-a") == (2, 1)
        assert anonymous_counts(conn, "ocds-b") == (0, 1)
