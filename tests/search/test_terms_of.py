"""The facet terms of some notices: every term of theirs, none of others, found from their row ids.

On SQLite a plain ``facet IN (…)`` let the planner walk every notice's terms through the
(facet, value) index and probe each notice (36 s of a 1M ingest's text-index sync); the plan
must start from the row ids asked for, whatever the size of the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

# isort: off
from tenderlens.store import Store  # first: the store imports the search index
from tenderlens.search.columns import TERM_LEVELS, doc_column, terms_of
from tenderlens.search.tables import search_index, search_terms
# isort: on

if TYPE_CHECKING:
    from tenderlens.search.document import SearchDocument


def test_the_terms_of_some_notices_are_all_theirs_and_only_theirs(
    store_url: str, corpus: list[SearchDocument]
) -> None:
    with Store.open(store_url) as store, store.engine.connect() as conn:
        dialect = conn.dialect.name
        doc_of = dict(conn.execute(select(search_index.c.ocid, doc_column(dialect))).all())
        every = conn.execute(select(search_terms.c.ocid, search_terms.c.facet, search_terms.c.value)).all()
        asked = sorted(doc_of.values())[::7]
        found = conn.execute(terms_of(dialect, asked)).all()
    expected = sorted(
        (doc_of[ocid], facet, value)
        for ocid, facet, value in every
        if facet in TERM_LEVELS and doc_of[ocid] in asked
    )
    assert expected  # the corpus has CPV codes and regions
    assert len(corpus) == len(doc_of)
    assert sorted((int(doc), facet, value) for doc, facet, value in found) == expected


def test_sqlite_finds_the_terms_from_the_row_ids(store_url: str, corpus: list[SearchDocument]) -> None:
    del corpus
    if not store_url.startswith("sqlite"):
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    with Store.open(store_url) as store, store.engine.connect() as conn:
        query = terms_of("sqlite", [1, 2, 3]).compile(
            dialect=conn.dialect, compile_kwargs={"literal_binds": True}
        )
        plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}")]
    assert plan[0].startswith("SEARCH search_index USING INTEGER PRIMARY KEY (rowid=?)"), plan
    assert any("search_terms" in step and "(ocid=?)" in step for step in plan), plan
    assert not any("ix_search_terms_facet_value" in step for step in plan), plan
