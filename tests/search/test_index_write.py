"""``write_documents`` on SQLite: many rows to a statement, as many statements as the parameter limit needs."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, text

# isort: off
from tenderlens.store import Store  # first: the store imports the search index
from tenderlens.search import index
from tenderlens.search.tables import search_index
from tests.search.test_search_oracle import check_fresh, make_document, rewritten, write
# isort: on

if TYPE_CHECKING:
    from pathlib import Path


def stored_rows(url: str) -> dict[str, dict[str, object]]:
    with Store.open(url) as store, store.engine.connect() as conn:
        return {row["ocid"]: dict(row) for row in conn.execute(select(search_index)).mappings()}


def logged(url: str) -> int:
    with Store.open(url) as store, store.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM search_changes")).scalar_one())


@pytest.mark.parametrize("rows_per_statement", [1, 3, 1000])
def test_rows_split_over_statements_are_written_and_replaced_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows_per_statement: int
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    columns = len(make_document(random.Random(0), 0).row())
    # A limit of 3 rows and a bit: the last statement of each batch is short.
    monkeypatch.setattr(index, "_variable_limit", lambda _conn: columns * rows_per_statement + 1)
    rng = random.Random(11)
    docs = [make_document(rng, number) for number in range(10)]
    write(url, docs)
    assert stored_rows(url) == {doc.ocid: doc.row() for doc in docs}
    changed = rewritten(docs[2:6], rng) + [make_document(rng, number) for number in range(10, 13)]
    write(url, changed)
    now = {doc.ocid: doc for doc in docs} | {doc.ocid: doc for doc in changed}
    assert stored_rows(url) == {ocid: doc.row() for ocid, doc in now.items()}
    assert logged(url) == len(docs) + len(changed)  # the triggers still log each row once
    check_fresh(url, list(now.values()))  # the text index follows the rewritten rows too


def test_the_statement_names_only_the_tables_columns() -> None:
    with pytest.raises(ValueError, match="not search_index columns"):
        index._sqlite_upsert(("ocid", "title; DROP TABLE records"), 1)
    assert index._sqlite_upsert(("ocid", "title"), 2) == (
        "INSERT INTO search_index (ocid, title) VALUES (?, ?), (?, ?) "
        "ON CONFLICT (ocid) DO UPDATE SET title = excluded.title"
    )
