"""Sorts answered in memory (the rows that can be on the page, then SQL orders only those) agree with SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tenderlens.search import counts, run
from tenderlens.search.request import SearchRequest
from tests.search.test_search_oracle import NOW

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tenderlens.search.document import SearchDocument

CLOSING = (
    SearchRequest(sort="closing", per_page=5),
    SearchRequest(sort="closing", per_page=7, page=3),
    SearchRequest(q="bridge OR school", sort="closing", per_page=4, page=2),
    SearchRequest(stage=("tender",), sort="closing", per_page=3, page=4),
    SearchRequest(sort="closing", per_page=20, page=9),  # past deadlines (141 are upcoming)
)


@pytest.mark.parametrize("request_", CLOSING)
def test_closing_order_from_the_columns_is_the_sql_order(
    reader: Engine, corpus: list[SearchDocument], request_: SearchRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[int] = []

    def counted(*args: object, **kwargs: object) -> object:
        found = counts.closing_candidates(*args, **kwargs)  # type: ignore[arg-type]
        if found is not None:
            used.append(len(found))
        return found

    monkeypatch.setattr(run, "closing_candidates", counted)
    in_memory = run.run_search(reader, request_, NOW)
    in_sql = run.run_search(reader, request_, NOW, in_memory=False)
    assert in_memory.hits == in_sql.hits
    assert in_memory.total == in_sql.total
    assert used  # answered from the columns
    assert used[0] < in_memory.total  # by a part of the matches
    assert len(in_memory.hits) == request_.per_page
