"""The tantivy text engine: the same matches as the database's full-text index, kept in step.

Match sets are compared with FTS5 / the tsvector (``_text_ids``) on the oracle's words, which
both stemmers leave alone; then the index must follow inserts, rewrites and deletes through
the change log, rebuild when the log was pruned past it or was made from another store
(one deleted and created again in its place), and step aside (SQL ranking, same answers) when
another writer holds its lock.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

# isort: off
from tenderlens.store import Store  # first: the store imports the search index
from tenderlens.search.columns import head
from tenderlens.search.engine import sync_engine, text_engine_for
from tenderlens.search.query import parse_query
from tenderlens.search.request import SearchRequest
from tenderlens.search.run import _text_ids, run_search
from tenderlens.store.schema import metadata, store_identity
from tests.search.test_search_oracle import (
    NOW,
    make_document,
    passes,
    rewritten,
    write,
    writes_then_deletes,
)
# isort: on

if TYPE_CHECKING:
    from tenderlens.search.document import SearchDocument

QUERIES = (
    "gutter",
    "window roof",
    "window OR roof",
    "school -kitchen",
    "-bridge",
    '"gutter window"',
    '"library fleet" OR kitchen',
    "fleet OR bridge school",
    "nothingmatches",
)
HOSTILE = (
    'title:gutter AND "',
    "*",
    "NEAR(gutter window)",
    "gutter) OR (1=1",
    "\x00\x01 gutter \u202e",
    "-",
    '""',
    "OR OR OR",
    "a" * 5000,
    "gutter " * 200,
    "'; DROP TABLE search_index; --",
    "doc:9223372036854775808",
)


def engine_docs(engine_: object, q: str) -> set[int]:
    """Every row id the text engine matches for ``q``."""
    from sqlalchemy import Engine

    assert isinstance(engine_, Engine)
    found = text_engine_for(engine_)
    assert found is not None
    with engine_.connect() as conn:
        searcher = found.ready(conn, wait=True)
        assert searcher is not None
        query = found.query(conn, parse_query(q))
        top = found.top(searcher, query, 100_000)
    assert top.count == len(top.docs)
    return set(top.docs.tolist())


def database_docs(engine_: object, q: str) -> set[int]:
    """The row ids the database's full-text index matches (all rows minus them, for exclusions only)."""
    from sqlalchemy import Engine

    assert isinstance(engine_, Engine)
    parsed = parse_query(q)
    with engine_.connect() as conn:
        ids = set(_text_ids(conn, parsed).tolist())
        doc = "rowid" if conn.dialect.name == "sqlite" else "doc"
        every = {int(row[0]) for row in conn.execute(text(f"SELECT {doc} FROM search_index"))}
        # FTS5 keeps the text of a row deleted from search_index directly (search uses the rows there).
        # For exclusions only, FTS5 gives the excluded rows; PostgreSQL's tsquery the others.
        return ids & every if parsed.groups or doc == "doc" else every - ids


def check_matches(url: str, docs: list[SearchDocument]) -> None:
    with Store.open(url) as store:
        for q in QUERIES:
            expected = database_docs(store.engine, q)
            found = engine_docs(store.engine, q)
            if '"' in q and store.engine.dialect.name == "postgresql":
                # PostgreSQL's concatenated tsvector lets a phrase run from one field into the
                # next; FTS5 and the engine keep a phrase inside one field.
                assert found <= expected, q
            else:
                assert found == expected, q
            assert (
                len(expected) == sum(passes(doc, SearchRequest(q=q.replace('"', ""))) for doc in docs)
                or '"' in q
            )


def test_the_engine_matches_what_the_database_matches(store_url: str, corpus: list[SearchDocument]) -> None:
    check_matches(store_url, corpus)


def test_the_engine_follows_inserts_rewrites_and_deletes(
    store_url: str, corpus: list[SearchDocument]
) -> None:
    check_matches(store_url, corpus)
    steps = writes_then_deletes(store_url, corpus)
    check_matches(store_url, next(steps))
    docs = next(steps)
    with Store.open(store_url) as store:
        assert sync_engine(store.engine)
        found = text_engine_for(store.engine)
        assert found is not None
        with store.engine.connect() as conn:
            assert found.searcher_at(conn) is not None
    check_matches(store_url, docs)


def test_a_pruned_log_rebuilds_the_index(store_url: str, corpus: list[SearchDocument]) -> None:
    check_matches(store_url, corpus)
    changed = rewritten(corpus[100:130], random.Random(12))
    write(store_url, changed)
    write(store_url, changed[:1])
    with Store.open(store_url) as store, store.engine.begin() as conn:
        conn.execute(text("DELETE FROM search_changes WHERE seq < (SELECT max(seq) FROM search_changes)"))
    docs = {doc.ocid: doc for doc in corpus} | {doc.ocid: doc for doc in changed}
    check_matches(store_url, list(docs.values()))


def test_a_broken_index_is_rebuilt(store_url: str, corpus: list[SearchDocument]) -> None:
    check_matches(store_url, corpus)
    with Store.open(store_url) as store:
        found = text_engine_for(store.engine)
        assert found is not None
        for path in found.directory.iterdir():
            if path.name == "meta.json":
                path.write_text("not json")
    check_matches(store_url, corpus)


def _created_again(url: str) -> None:
    """The store at ``url`` deleted and an empty one created in its place; the text index stays."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
            path.with_name(name).unlink(missing_ok=True)
    else:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    Store.open(url).close()


def _head(url: str) -> int:
    with Store.open(url) as store, store.engine.connect() as conn:
        return head(conn)


def _identity(url: str) -> str:
    with Store.open(url) as store, store.engine.connect() as conn:
        return str(conn.execute(select(store_identity.c.identity)).scalar_one())


@pytest.mark.parametrize(
    ("count", "relation"), [(300, 0), (120, -1), (340, 1)], ids=["same", "behind", "ahead"]
)
def test_a_store_created_again_in_its_place_rebuilds_the_index(
    store_url: str, corpus: list[SearchDocument], count: int, relation: int
) -> None:
    """The new store's log at the old index's position, behind it or ahead: its own notices, from the index.

    By position alone, the index would answer from the old store's notices (same), be given up
    for good (behind: "another process's newer state"), or be patched with the new rows only (ahead).
    """
    check_matches(store_url, corpus)  # the index is at the old store's head
    old_head = _head(store_url)
    old_identity = _identity(store_url)
    _created_again(store_url)
    assert _identity(store_url) != old_identity
    rng = random.Random(21)
    docs = [make_document(rng, number) for number in range(1000, 1000 + count)]
    write(store_url, docs)
    new_head = _head(store_url)
    assert (new_head > old_head) - (new_head < old_head) == relation
    with Store.open(store_url) as store:
        request = SearchRequest(q="gutter", per_page=100)
        expected = {doc.ocid for doc in docs if passes(doc, request)}
        assert 0 < len(expected) < 100
        assert {hit.ocid for hit in run_search(store.engine, request, NOW).hits} == expected
        found = text_engine_for(store.engine)
        assert found is not None
        with store.engine.connect() as conn:
            assert found.searcher_at(conn) is not None  # the index answered, rebuilt for this store
    check_matches(store_url, docs)


def test_every_store_has_its_own_identity(store_url: str, tmp_path: Path) -> None:
    """Migration 0009 makes one row with a random id: kept by the store, new for each store."""
    with Store.open(store_url) as store, store.engine.connect() as conn:
        rows = conn.execute(select(store_identity)).all()
        assert len(rows) == 1
        assert rows[0].id == 1
        assert len(rows[0].identity) == 32
        assert int(rows[0].identity, 16) >= 0
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [diff for diff in compare_metadata(context, metadata) if "store_identity" in repr(diff)]
        assert diffs == []  # the migration creates what store.schema declares
    with Store.open(store_url) as store, pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(store_identity.insert().values(id=2, identity="another"))
    assert _identity(store_url) == rows[0].identity  # opened again: the same store
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert _identity(other) not in {rows[0].identity, ""}
    _created_again(store_url)
    assert _identity(store_url) not in {rows[0].identity, _identity(other)}


def test_a_held_writer_lock_falls_back_to_sql(store_url: str, corpus: list[SearchDocument]) -> None:
    """Another writer holds tantivy's lock while the index is behind: the SQL ranking answers."""
    check_matches(store_url, corpus)
    changed = rewritten(corpus[:20], random.Random(13))
    write(store_url, changed)
    docs = {doc.ocid: doc for doc in corpus} | {doc.ocid: doc for doc in changed}
    with Store.open(store_url) as other:
        holder = text_engine_for(other.engine)
        assert holder is not None
        writer = holder._open().writer(15_000_000, 1)
        with Store.open(store_url) as store:
            request = SearchRequest(q="gutter", per_page=100)
            result = run_search(store.engine, request, NOW)
            assert {hit.ocid for hit in result.hits} == {
                doc.ocid for doc in docs.values() if passes(doc, request)
            }
            searcher_engine = text_engine_for(store.engine)
            assert searcher_engine is not None
            with store.engine.connect() as conn:
                assert searcher_engine.searcher_at(conn) is None  # still behind: not used
        writer.rollback()
        del writer
    check_matches(store_url, list(docs.values()))


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_are_just_words(store_url: str, corpus: list[SearchDocument], q: str) -> None:
    with Store.open(store_url) as store:
        result = run_search(store.engine, SearchRequest(q=q), NOW)
        in_sql = run_search(store.engine, SearchRequest(q=q), NOW, in_memory=False)
        assert result.total == in_sql.total
        assert {hit.ocid for hit in result.hits} <= {doc.ocid for doc in corpus}


def test_filtered_ranking_keeps_only_filtered_rows(store_url: str, corpus: list[SearchDocument]) -> None:
    """A filter keeping few of the text matches (the row-id set path) and one keeping many (oversampling)."""
    with Store.open(store_url) as store:
        for request in (
            SearchRequest(q="window OR roof", cpv=("90",), per_page=7),
            SearchRequest(q="window OR roof OR school OR gutter", source=("fts", "other"), per_page=7),
        ):
            expected = {doc.ocid for doc in corpus if passes(doc, request)}
            pages = []
            for page in range(1, 40):
                hits = run_search(store.engine, SearchRequest(**{**_fields(request), "page": page}), NOW).hits
                if not hits:
                    break
                pages.extend(hit.ocid for hit in hits)
            assert len(pages) == len(set(pages))
            assert set(pages) == expected
            assert np.all(np.array([ocid in expected for ocid in pages]))


def _fields(request: SearchRequest) -> dict[str, object]:
    return {name: getattr(request, name) for name in request.__dataclass_fields__}


NARROWED = (
    SearchRequest(q="window OR roof", cpv=("90",), per_page=7),
    SearchRequest(q="school", cpv=("45", "9031"), buyer_region=("TLC", "TLI4"), per_page=5, page=2),
    SearchRequest(q="gutter OR kitchen", stage=("tender", "award"), delivery_region=("TLC",), per_page=4),
    SearchRequest(q="bridge", status=("active",), source=("fts",), per_page=3),
)


@pytest.mark.parametrize("request_", NARROWED)
def test_facet_terms_narrow_the_ranking_without_changing_it(
    store_url: str, corpus: list[SearchDocument], request_: SearchRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filters put into the tantivy query (a superset of what they keep) give the same pages."""
    from tenderlens.search.engine import TextEngine

    expected = {doc.ocid for doc in corpus if passes(doc, request_)}
    assert expected
    with Store.open(store_url) as store:
        found = text_engine_for(store.engine)
        assert found is not None
        with store.engine.connect() as conn:
            searcher = found.ready(conn, wait=True)
            assert searcher is not None
            narrowed = found.narrowed(request_, found.query(conn, parse_query(request_.q)))
            assert narrowed is not None
            top = found.top(searcher, narrowed, 100_000)
            doc = "rowid" if conn.dialect.name == "sqlite" else "doc"
            rows = conn.execute(text(f"SELECT {doc}, ocid FROM search_index"))
            by_doc = {int(row[0]): str(row[1]) for row in rows}
        assert expected <= {by_doc[int(doc)] for doc in top.docs}  # a superset of the filtered set
        assert len(top.docs) < len(engine_docs(store.engine, request_.q))  # but narrower than the text
        pages = [run_search(store.engine, replace(request_, page=page), NOW).hits for page in (1, 2, 3)]
        monkeypatch.setattr(TextEngine, "narrowed", lambda *_: None)
        plain = [run_search(store.engine, replace(request_, page=page), NOW).hits for page in (1, 2, 3)]
    assert pages == plain
    assert pages[0]


def test_a_build_reads_rows_and_facet_terms_a_chunk_at_a_time(
    store_url: str, corpus: list[SearchDocument], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole chunks, not a query per notice (a text() statement's yield_per alone gave rows of one)."""
    from tenderlens.search import engine as engine_module

    monkeypatch.setattr(engine_module, "CHUNK", 7)
    calls: list[int] = []
    facet_terms = engine_module._facet_terms

    def counted(conn: object, docs: list[int]) -> dict[int, list[str]]:
        calls.append(len(docs))
        return facet_terms(conn, docs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module, "_facet_terms", counted)
    with Store.open(store_url) as store:
        with store.engine.connect() as conn:
            total = int(conn.execute(text("SELECT count(*) FROM search_index")).scalar_one())
            sizes = [len(chunk) for chunk in engine_module._rows(conn, None)]
        assert sizes == [7] * (total // 7) + ([total % 7] if total % 7 else [])
    check_matches(store_url, corpus)  # builds the index
    assert calls == sizes
