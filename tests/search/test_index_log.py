"""The ``search_changes`` log as ``write_documents`` leaves it: one entry per written row, pruned in steps."""

from __future__ import annotations

import random

from sqlalchemy import text

from tenderlens.store import Store  # first: the store imports the search index
from tests.search.test_search_oracle import make_document, rewritten, write


def logged(url: str) -> list[int]:
    with Store.open(url) as store, store.engine.connect() as conn:
        return list(conn.execute(text("SELECT seq FROM search_changes ORDER BY seq")).scalars())


def log_from(url: str, seqs: list[int]) -> None:
    """Replace the log with entries at these positions; the next entry follows the last one."""
    with Store.open(url) as store, store.engine.begin() as conn:
        conn.execute(text("DELETE FROM search_changes"))
        conn.execute(
            text("INSERT INTO search_changes (seq, doc) VALUES (:seq, 0)"), [{"seq": seq} for seq in seqs]
        )
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('search_changes', 'seq'), :last)"),
                {"last": seqs[-1]},
            )


def test_each_written_row_is_logged_once(store_url: str) -> None:
    rng = random.Random(3)
    docs = [make_document(rng, number) for number in range(5)]
    write(store_url, docs)
    assert len(logged(store_url)) == 5
    write(store_url, rewritten(docs[:3], rng) + [make_document(rng, number) for number in range(5, 7)])
    assert len(logged(store_url)) == 10


def test_the_log_keeps_its_last_200000_entries_pruned_every_10000(store_url: str) -> None:
    rng = random.Random(4)
    log_from(store_url, [1, 5_000, 208_000])
    write(store_url, [make_document(rng, 0)])  # entry 208,001: not a multiple of 10,000
    assert logged(store_url) == [1, 5_000, 208_000, 208_001]
    log_from(store_url, [1, 5_000, 208_000, 209_998])
    write(store_url, [make_document(rng, 1), make_document(rng, 2)])  # entries 209,999 and 210,000
    assert logged(store_url) == [208_000, 209_998, 209_999, 210_000]
