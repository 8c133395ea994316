"""Fixtures the search tests share."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest

from tenderlens.store import Store
from tests.search.test_search_oracle import make_document, write

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Engine

    from tenderlens.search.document import SearchDocument


@pytest.fixture
def corpus(store_url: str) -> list[SearchDocument]:
    """300 seeded documents written to an empty store on each backend."""
    rng = random.Random(7)
    docs = [make_document(rng, number) for number in range(300)]
    write(store_url, docs)
    return docs


@pytest.fixture
def reader(store_url: str) -> Iterator[Engine]:
    """A long-lived searching process: its columns are kept up to date, not reloaded."""
    with Store.open(store_url) as store:
        yield store.engine
