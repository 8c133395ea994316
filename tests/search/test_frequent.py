"""Common words' bitmaps: the same match sets as FTS5 / the tsvector, kept in step with every write.

The threshold is lowered so that the oracle corpus's words get bitmaps; each check also
shows that the bitmaps answered (a test that silently fell back to FTS5 would prove nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

# isort: off
from tenderlens.store import Store  # first: the store imports the search index
from tenderlens.search import frequent
from tenderlens.search.columns import columns_for
from tenderlens.search.query import parse_query
from tenderlens.search.run import _text_ids
from tests.search.test_search_oracle import check, writes_then_deletes
# isort: on

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tenderlens.search.document import SearchDocument

ANSWERED = (  # every term a single word the corpus uses often
    "gutter",
    "window roof",
    "window OR roof",
    "school -kitchen",
    "-bridge",
    "fleet OR bridge school",
    "Gutters",  # stemmed and folded as FTS5 does
)
LEFT_TO_FTS5 = ('"gutter window"', "nothingmatches", "gutter nothingmatches", '"library fleet" OR kitchen')


@pytest.fixture(autouse=True)
def _every_word_is_frequent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frequent, "MIN_DOCS", 1)
    monkeypatch.setattr(frequent, "MAX_TERMS", 100_000)


def check_masks(engine: Engine) -> None:
    with engine.connect() as conn:
        snapshot = columns_for(engine).at(conn)
        assert snapshot is not None
        assert snapshot.frequent is not None
        assert len(snapshot.frequent.bits) > 50
        for q in (*ANSWERED, *LEFT_TO_FTS5):
            parsed = parse_query(q)
            from_fts5 = snapshot.mask_of(_text_ids(conn, parsed))
            if not parsed.groups and conn.dialect.name == "sqlite":  # FTS5 gives the excluded rows
                from_fts5 = snapshot.alive & ~from_fts5
            found = frequent.text_mask(snapshot.frequent, parsed, snapshot.alive, conn)
            if q in LEFT_TO_FTS5:
                assert found is None, q
                continue
            assert found is not None, q
            assert np.array_equal(found, from_fts5), q
            assert 0 < found.sum() < snapshot.size, q


def test_the_bitmaps_are_what_fts5_matches(reader: Engine, corpus: list[SearchDocument]) -> None:
    check_masks(reader)


def test_the_bitmaps_follow_writes_and_deletes(
    store_url: str, reader: Engine, corpus: list[SearchDocument]
) -> None:
    check_masks(reader)  # loaded; every step after this patches them
    for _docs in writes_then_deletes(store_url, corpus):
        check_masks(reader)
        with Store.open(store_url) as fresh:
            check_masks(fresh.engine)


def test_searches_answered_from_the_bitmaps_agree_with_the_oracle(
    store_url: str, reader: Engine, corpus: list[SearchDocument]
) -> None:
    check(reader, corpus)
    for docs in writes_then_deletes(store_url, corpus):
        check(reader, docs)


def test_a_word_is_stemmed_as_fts5_stems_it() -> None:
    words = frequent.tokenizer()
    assert words.terms("cleaning") == ("clean",)
    assert words.terms("Café") == ("cafe",)
    assert words.terms("window roof") == ("window", "roof")
