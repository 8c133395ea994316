"""A search document crosses the compile worker's pipe: it must pickle, compiled by mypyc or not."""

from __future__ import annotations

import pickle

from tenderlens.reference import default_reference
from tenderlens.search.document import SearchDocument, SearchText
from tenderlens.search.listing import listing

COMPILED_RELEASE = {
    "ocid": "ocds-h6vhtk-0pickle",
    "id": "r1",
    "date": "2026-06-01T10:00:00Z",
    "tag": ["compiled"],
    "buyer": {"id": "b1", "name": "Council"},
    "parties": [{"id": "b1", "name": "Council", "roles": ["buyer"], "address": {"region": "UKC11"}}],
    "tender": {
        "id": "t1",
        "title": "Grounds maintenance",
        "description": "Mowing and hedges",
        "status": "active",
        "value": {"amount": 1000.5, "currency": "GBP"},
        "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "77310000"}}],
        "tenderPeriod": {"endDate": "2026-07-01T12:00:00+01:00"},
        "suitability": {"sme": True},
    },
}


def test_a_listed_search_document_survives_pickling() -> None:
    document = listing(COMPILED_RELEASE, [], default_reference(), "fts").document
    assert isinstance(document, SearchDocument)
    assert document.terms  # a CPV code and the buyer's region: the nested tuples go too
    for protocol in (pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL):
        again = pickle.loads(pickle.dumps(document, protocol=protocol))
        assert again == document
        assert isinstance(again.text, SearchText)
        assert again.text == document.text
