"""Search on both backends: the same records for the same query, facets, filters, sorts, and an index
kept in step with ``records`` inside the compile transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, text

from tenderlens.ingest import ingest
from tenderlens.search.request import SearchRequest
from tenderlens.search.run import run_search
from tenderlens.search.tables import search_index, search_terms
from tenderlens.store import Store
from tests.web.conftest import NOW
from tests.web.webdata import ALL, CATERING, CLEANING, NURSING, SOFTWARE, cleaning_releases, write_package

if TYPE_CHECKING:
    from pathlib import Path

# query → the ocids it must find, on SQLite (FTS5) and PostgreSQL (tsvector) alike.
QUERIES = {
    "cleaning": {CLEANING},
    "clean": {CLEANING},  # stemmed
    "CLEANING schools": {CLEANING},  # case, plural
    "cafe": {SOFTWARE},  # "Café" in an item description
    '"care homes"': {CATERING},
    '"homes care"': set(),  # a phrase keeps its order
    "care": {CATERING, NURSING},
    "care -nursing": {CATERING},
    "-care": {CLEANING, SOFTWARE},
    "catering OR nursing": {CATERING, NURSING},
    "schools catering OR software": {SOFTWARE},
    "leeds": {CLEANING, NURSING},  # buyer name
    "gutter": {CLEANING},  # a lot added by the second release
    "classrooms": {CLEANING},  # an item description
    "e-mail": {SOFTWARE},
    "email": set(),
    "careful nursing": {NURSING},  # supplier name
    "ocds-h6vhtk-0web03": {NURSING},  # the ocid
    "it support": {SOFTWARE},  # "IT" is not dropped as a stop word
    "zebra": set(),
    "": ALL,
}


def ocids(url: str, **changes) -> set[str]:
    with Store.open(url) as store:
        result = run_search(store.engine, SearchRequest(per_page=100, **changes), NOW)
    assert result.total == len(result.hits)
    return {hit.ocid for hit in result.hits}


def test_every_backend_finds_the_same_records(loaded_url: str) -> None:
    found = {query: ocids(loaded_url, q=query) for query in QUERIES}
    assert found == QUERIES


def test_hostile_queries_run_and_return_results_or_nothing(loaded_url: str) -> None:
    for query in ["NEAR(", '"', "*", "title:x", "'; DROP TABLE records; --", "\x00", "x" * 10_000, "(a OR"]:
        ocids(loaded_url, q=query)
    with Store.open(loaded_url) as store, store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(text("records"))).scalar_one() == 4


def test_filters(loaded_url: str) -> None:
    assert ocids(loaded_url, cpv=("90",)) == {CLEANING}
    assert ocids(loaded_url, cpv=("5552",)) == {CATERING}
    assert ocids(loaded_url, cpv=("72", "48000000")) == {SOFTWARE}
    assert ocids(loaded_url, buyer=("GB-TEST-1",)) == {CLEANING, NURSING}
    assert ocids(loaded_url, buyer_region=("TLE",)) == {CLEANING, NURSING}
    assert ocids(loaded_url, buyer_region=("TLE42",)) == {CLEANING, NURSING}
    assert ocids(loaded_url, delivery_region=("TLD",)) == {CATERING}
    assert ocids(loaded_url, delivery_region=("TLI",)) == {SOFTWARE}
    assert ocids(loaded_url, sme=("yes")) == {CLEANING}
    assert ocids(loaded_url, sme="no") == {CATERING}
    assert ocids(loaded_url, vcse="yes") == {CATERING}
    assert ocids(loaded_url, stage=("tender",)) == {CLEANING, CATERING}
    assert ocids(loaded_url, stage=("planning", "contract")) == {SOFTWARE, NURSING}
    assert ocids(loaded_url, notice_type=("UK4",)) == {CLEANING}
    assert ocids(loaded_url, notice_type=("none",)) == {CATERING, NURSING, SOFTWARE}
    assert ocids(loaded_url, status=("active",)) == {CLEANING, CATERING}
    assert ocids(loaded_url, source=("contracts-finder",)) == {CATERING}
    assert ocids(loaded_url, value=("100k-1m",)) == {CLEANING}
    assert ocids(loaded_url, value=("1m-10m",)) == {CATERING, NURSING}
    assert ocids(loaded_url, value=("under-10k",)) == {SOFTWARE}
    assert ocids(loaded_url, closing_within=7) == {CATERING}
    assert ocids(loaded_url, closing_within=30) == {CATERING, CLEANING}
    assert ocids(loaded_url, published_from=date(2026, 5, 20)) == {CATERING, SOFTWARE}
    assert ocids(loaded_url, published_to=date(2026, 3, 31)) == {NURSING}
    assert ocids(loaded_url, q="care", buyer=("GB-TEST-1",)) == {NURSING}


def test_sorts_and_pages(loaded_url: str) -> None:
    with Store.open(loaded_url) as store:

        def order(**changes) -> list[str]:
            result = run_search(store.engine, SearchRequest(**changes), NOW, with_facets=False)
            return [hit.ocid for hit in result.hits]

        assert order(sort="newest") == [SOFTWARE, CATERING, CLEANING, NURSING]
        assert order(sort="closing")[:2] == [CATERING, CLEANING]  # open deadlines first, soonest first
        assert order(sort="value") == [NURSING, CATERING, CLEANING, SOFTWARE]
        assert order(q="cleaning windows", sort="relevance") == [CLEANING]
        first = run_search(store.engine, SearchRequest(sort="newest", per_page=3), NOW, with_facets=False)
        second = run_search(
            store.engine, SearchRequest(sort="newest", per_page=3, page=2), NOW, with_facets=False
        )
        assert first.total == second.total == 4
        assert first.pages == 2
        assert [h.ocid for h in second.hits] == [NURSING]


def test_facet_counts_leave_out_their_own_filter(loaded_url: str) -> None:
    with Store.open(loaded_url) as store:
        result = run_search(store.engine, SearchRequest(stage=("tender",)), NOW)
    facets = {facet.name: {v.value: (v.count, v.selected) for v in facet.values} for facet in result.facets}
    # Stage counts ignore the stage filter, so the other stages can be added.
    assert facets["stage"] == {
        "planning": (1, False),
        "tender": (2, True),
        "contract": (1, False),
    }
    # Other facets count within the filter.
    assert facets["source"] == {"fts": (1, False), "contracts-finder": (1, False)}
    assert facets["cpv"]["90"] == (1, False)
    assert facets["buyer_region"]["TLE"] == (1, False)
    assert facets["closing_within"]["7"] == (1, False)
    assert facets["value"] == {"100k-1m": (1, False), "1m-10m": (1, False)}
    assert facets["sme"] == {"yes": (1, False), "no": (1, False)}


def test_hierarchical_facets_open_under_a_chosen_prefix(loaded_url: str) -> None:
    with Store.open(loaded_url) as store:
        top = run_search(store.engine, SearchRequest(), NOW)
        deeper = run_search(store.engine, SearchRequest(cpv=("90",), buyer_region=("TLE",)), NOW)
    levels = {f.name: [(v.value, v.level) for v in f.values] for f in top.facets}
    assert all(level == 1 for _, level in levels["cpv"])
    assert ("90", 1) in levels["cpv"]
    chosen = {f.name: [(v.value, v.level, v.count) for v in f.values] for f in deeper.facets}
    assert ("909", 2, 1) in chosen["cpv"]
    # Regions count within the CPV filter (only the cleaning tender), the level under TLE right after it.
    assert chosen["buyer_region"] == [("TLE", 1, 1), ("TLE4", 2, 1)]


def test_the_index_is_replaced_not_duplicated_on_recompile(loaded_url: str, tmp_path: Path) -> None:
    with Store.open(loaded_url) as store:
        store.mark_all_pending()
        from tenderlens.ingest import compile_pending

        compile_pending(store)
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(search_index)).scalar_one() == 4
            terms = conn.execute(
                select(func.count()).select_from(search_terms).where(search_terms.c.ocid == CLEANING)
            ).scalar_one()
            assert terms == 3  # one CPV code, a buyer region, a delivery region
            if store.engine.dialect.name == "sqlite":
                assert conn.execute(text("SELECT count(*) FROM search_fts")).scalar_one() == 4
    assert ocids(loaded_url, q="cleaning") == {CLEANING}


def test_a_new_release_updates_the_index_in_the_compile_transaction(loaded_url: str, tmp_path: Path) -> None:
    newer = cleaning_releases()[1]
    newer = replace_title(newer, "School caretaking services")
    newer["id"] = "100009-2026"
    newer["date"] = "2026-05-30T09:00:00+01:00"
    with Store.open(loaded_url) as store:
        ingest(store, [write_package(tmp_path / "more", [newer])])
    assert ocids(loaded_url, q="caretaking") == {CLEANING}
    assert ocids(loaded_url, q='"school cleaning"') == set()


def replace_title(release: dict, title: str) -> dict:
    return {**release, "tender": {**release["tender"], "title": title}}


def test_a_failing_compile_leaves_records_and_index_unchanged(loaded_url: str) -> None:
    """The index is written on the compile's connection: when the transaction fails, neither changes."""
    with Store.open(loaded_url) as store:
        store.mark_all_pending()

        def broken(ocid, releases, published):
            from tenderlens.records import compile_record

            facts = compile_record(ocid, releases, published)
            if ocid == SOFTWARE:
                raise RuntimeError("boom")
            return replace(facts, title="changed", search=replace(facts.search, title="changed"))

        with pytest.raises(RuntimeError):
            store.compile_pending(broken, chunk=10)
        with store.engine.connect() as conn:
            titles = set(conn.execute(select(search_index.c.title)).scalars())
        assert "changed" not in titles
        assert store.get_record(CLEANING).title == "School cleaning services"
