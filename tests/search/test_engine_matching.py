"""PostgreSQL: the text index's match sets equal ``document @@ tsquery``, phrases included.

A phrase is the slow case for the GIN index (every candidate's tsvector is rechecked in the
heap), so the text index answers it from its ``all`` field, which mirrors each tsvector's
positions. These tests compare that with the database's own match on the oracle's corpus and
on documents made to hit each way a tsvector's positions differ from plain word order: a
phrase running from one field into the next, a lexeme past its 256 kept positions, lexemes
piled on the last position (16,383), and a word repeated inside a phrase.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

# isort: off
from tenderlens.store import Store  # first: the store imports the search index
from tenderlens.search import engine as engine_module
from tenderlens.search import run as search_run
from tenderlens.search.engine import sync_engine, text_engine_for
from tenderlens.search.query import parse_query
from tenderlens.search.request import SearchRequest
from tenderlens.search.run import _engine_text_ids, _text_ids, run_search
from tests.conftest import _drop_schema, _postgres_schema_url, postgres_url
from tests.search.test_search_oracle import NOW, make_document, write
# isort: on

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Engine

    from tenderlens.search.document import SearchDocument

pytestmark = pytest.mark.postgres

QUERIES = (
    '"gutter clearing"',
    '"clearing gutter"',
    '"alpha alpha"',
    '"alpha alpha alpha"',
    '"omega tail"',
    '"piled words"',
    '"window roof" OR "roof window"',
    '"gutter clearing" -omega',
    '"gutter clearing" school',
    "gutter clearing",
    "filler",
    '"school kitchen" OR fleet',
    '"nothing matches this"',
    "kitchen -school",
    '"cleaning services"',
    '"clean services"',
)


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured")
    url, schema = _postgres_schema_url(base)
    yield url
    _drop_schema(base, schema)


def _text(doc: SearchDocument, **fields: str) -> SearchDocument:
    return replace(doc, text=replace(doc.text, **fields))


def edge_documents() -> list[SearchDocument]:
    """The oracle's documents, then ones whose tsvector positions are not plain word order."""
    rng = random.Random(11)
    docs = [make_document(rng, number) for number in range(200)]
    extra = [
        # a phrase across the title/buyer boundary (one tsvector: their positions run on)
        {"title": "roof gutter", "buyer": "clearing council"},
        {"title": "gutter", "description": "clearing"},
        {"title": "clearing gutter"},
        {"description": "alpha alpha beta", "other": "alpha"},
        # "filler" past its 256 kept positions: the positions after that are gaps, so "gutter"
        # and "clearing" are next to each other in word order but not in the tsvector
        {"description": "filler " * 300 + "gutter filler clearing omega tail"},
        # past 16,383 positions every lexeme lands on the last one: the index cannot mirror it
        {"description": " ".join(f"w{n}" for n in range(16_400)) + " piled words gutter clearing"},
        {"description": " ".join(f"w{n}" for n in range(16_380)) + " piled words omega tail"},
        {"title": "cleaning services", "other": "stemmed to clean servic"},
        {"title": "", "description": "", "other": ""},
    ]
    for number, fields in enumerate(extra, start=len(docs)):
        docs.append(_text(make_document(rng, number), **fields))
    return docs


def engine_ids(engine: Engine, q: str) -> set[int] | None:
    found = text_engine_for(engine)
    assert found is not None
    with engine.connect() as conn:
        searcher = found.ready(conn, wait=True)
        assert searcher is not None
        ids = _engine_text_ids(conn, (found, searcher), parse_query(q))
    return None if ids is None else set(ids.tolist())


def database_ids(engine: Engine, q: str) -> set[int]:
    with engine.connect() as conn:
        return set(_text_ids(conn, parse_query(q)).tolist())


def test_the_index_matches_what_the_tsvector_matches(pg_url: str) -> None:
    write(pg_url, edge_documents())
    with Store.open(pg_url) as store:
        assert sync_engine(store.engine)
        for q in QUERIES:
            found = engine_ids(store.engine, q)
            assert found is not None, q
            assert found == database_ids(store.engine, q), q


def test_the_edge_documents_are_what_they_claim(pg_url: str) -> None:
    """Not vacuous: phrases do run across fields, gaps and piled positions are really there."""
    write(pg_url, edge_documents())
    with Store.open(pg_url) as store:
        db = store.engine
        assert sync_engine(db)
        across = database_ids(db, '"gutter clearing"')
        with db.connect() as conn:
            ocids = "('ocds-test-00200', 'ocds-test-00201')"  # title into buyer, title into description
            crossing = set(
                conn.execute(text(f"SELECT doc FROM search_index WHERE ocid IN {ocids}")).scalars()
            )
        assert len(crossing) == 2
        assert crossing <= across, "no phrase runs from one field into the next"
        with db.connect() as conn:
            gap = conn.execute(
                text("SELECT doc FROM search_index WHERE ocid = 'ocds-test-00204'")
            ).scalar_one()
        assert gap in database_ids(db, "gutter clearing")
        assert gap in database_ids(db, '"omega tail"')
        assert gap not in across, "the gap is not there: a phrase over it matched"
        found = text_engine_for(db)
        assert found is not None
        with db.connect() as conn:
            searcher = found.ready(conn, wait=True)
            assert searcher is not None
            parsed = parse_query('"piled words"')
            matched = found.matching(conn, searcher, parsed)
        assert matched is not None
        certain, marked = matched
        with db.connect() as conn:
            long_ones = conn.execute(
                text("SELECT doc FROM search_index WHERE ocid IN ('ocds-test-00205', 'ocds-test-00206')")
            ).scalars()
            assert set(marked.tolist()) == set(long_ones), (
                "the documents past 16,383 positions are not marked"
            )
        assert not set(marked.tolist()) & set(certain.tolist())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_phrases_match_as_the_tsvector_does(pg_url: str, seed: int) -> None:
    """Phrases of 2-4 words drawn from one small vocabulary, so that many of them match."""
    rng = random.Random(seed)
    vocabulary = ["gutter", "clearing", "roof", "window", "school", "alpha", "omega", "tail"]
    docs = [make_document(rng, number) for number in range(60)]
    docs = [
        _text(
            doc,
            title=" ".join(rng.choices(vocabulary, k=rng.randint(0, 4))),
            description=" ".join(rng.choices(vocabulary, k=rng.randint(0, 12))),
            buyer=" ".join(rng.choices(vocabulary, k=rng.randint(0, 2))),
        )
        for doc in docs
    ]
    write(pg_url, docs)
    with Store.open(pg_url) as store:
        assert sync_engine(store.engine)
        matched_any = 0
        for _ in range(40):
            phrase = " ".join(rng.choices(vocabulary, k=rng.randint(2, 4)))
            q = f'"{phrase}"' if rng.random() < 0.7 else f'"{phrase}" -{rng.choice(vocabulary)}'
            expected = database_ids(store.engine, q)
            matched_any += bool(expected)
            assert engine_ids(store.engine, q) == expected, q
        assert matched_any >= 10


def test_a_phrase_search_does_not_ask_the_tsvector(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The searches give the SQL answers, and the match set came from the index."""
    write(pg_url, edge_documents())
    with Store.open(pg_url) as store:
        assert sync_engine(store.engine)
        for sort in ("relevance", "newest"):
            request = SearchRequest(q='"gutter clearing" OR "alpha alpha"', sort=sort)
            expected = run_search(store.engine, request, NOW, in_memory=False)
            with monkeypatch.context() as patched:

                def refuse(*_: object) -> object:
                    raise AssertionError("asked the tsvector for the match set")

                patched.setattr(search_run, "_text_ids", refuse)
                found = run_search(store.engine, request, NOW)
            assert found.total == expected.total > 0
            assert [hit.ocid for hit in found.hits] == [hit.ocid for hit in expected.hits]


def test_too_many_marked_documents_leave_the_match_to_sql(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(pg_url, edge_documents())
    with Store.open(pg_url) as store:
        assert sync_engine(store.engine)
        assert engine_ids(store.engine, '"gutter clearing"') is not None
        monkeypatch.setattr(engine_module, "MAX_UNCERTAIN", 1)  # the edge documents mark two
        assert engine_ids(store.engine, '"gutter clearing"') is None
        assert engine_ids(store.engine, "-gutter") is None  # exclusions only: always SQL
        request = SearchRequest(q='"gutter clearing"')
        found = run_search(store.engine, request, NOW)
        assert found.total == run_search(store.engine, request, NOW, in_memory=False).total > 0
