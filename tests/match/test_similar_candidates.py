"""Similar notices' candidates: a bounded, deterministic set, whatever the store's size."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pytest

from tenderlens.ingest import ingest
from tenderlens.match.index import load_facts, shared_keys, shared_keys_statement, similar_candidates
from tests.match.generated import family_releases
from tests.web.webdata import write_package

if TYPE_CHECKING:
    from pathlib import Path

    from tenderlens.store import Store

NOTICE = "ocds-gen-cleaning-014"


def _filled(store: Store, tmp_path: Path) -> dict[str, list[dict]]:
    families = family_releases(per_family=30)
    ingest(store, [write_package(tmp_path, [r for found in families.values() for r in found])])
    return families


def test_each_shared_key_reads_at_most_its_share_nearest_in_ocid_order(store: Store, tmp_path: Path) -> None:
    _filled(store, tmp_path)
    with store.engine.connect() as conn:
        facts = load_facts(conn, [NOTICE])[NOTICE]
        rows = shared_keys(conn, facts, per_key=4)
    per_key = Counter((kind, value) for _, kind, value in rows)
    assert per_key, "the notice shares its buyer, code and region with others"
    assert max(per_key.values()) <= 4
    # All 30 cleaning notices have the same buyer: the four read are the nearest ocids.
    buyer = sorted(ocid for ocid, kind, _ in rows if kind == "buyer")
    assert buyer == [f"ocds-gen-cleaning-{n:03d}" for n in (12, 13, 15, 16)]


def test_candidates_are_few_best_first_and_the_same_every_time(store: Store, tmp_path: Path) -> None:
    families = _filled(store, tmp_path)
    cleaning = {r["ocid"] for r in families["cleaning"]}
    with store.engine.connect() as conn:
        facts = load_facts(conn, [NOTICE])[NOTICE]
        found = similar_candidates(conn, facts, limit=6)
        again = similar_candidates(conn, facts, limit=6)
        everything = similar_candidates(conn, facts, limit=1000)
    assert found == again
    assert len(found) == 6
    assert NOTICE not in everything
    # Sharing the buyer (+2) ranks before sharing only a region (+1) with another family.
    assert set(found) <= cleaning
    assert len(everything) > len(found)
    assert found == everything[:6]


def test_every_branch_is_an_index_range_not_a_sort_of_a_buyers_notices(store: Store, tmp_path: Path) -> None:
    """A buyer with thousands of notices must cost no more than one with a few (SQLite's plan)."""
    if store.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    _filled(store, tmp_path)
    with store.engine.connect() as conn:
        facts = load_facts(conn, [NOTICE])[NOTICE]
        statement = shared_keys_statement(facts)
        assert statement is not None
        assert facts.buyer_key
        query, params = statement
        compiled = query.compile(dialect=conn.dialect)
        bound = compiled.construct_params(params)
        positional = tuple(bound[name] for name in compiled.positiontup or ())
        plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string, positional)]
    assert not [step for step in plan if "TEMP B-TREE" in step], plan
    buyer = [step for step in plan if "search_index" in step and "search_terms" not in step]
    assert len(buyer) == 2, plan  # the buyer's notices after this one, and before
    assert all("ix_search_index_buyer_ocid (buyer_key=? AND ocid" in step for step in buyer), buyer
