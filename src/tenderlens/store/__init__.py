"""Lossless storage of releases and compiled records (SQLAlchemy Core + Alembic)."""

from tenderlens.store.documents import json_text
from tenderlens.store.store import (
    IncomingCompiled,
    IncomingRelease,
    Outcome,
    RecordFacts,
    Store,
    StoredBase,
    StoredRecord,
    StoredRelease,
)

__all__ = [
    "IncomingCompiled",
    "IncomingRelease",
    "Outcome",
    "RecordFacts",
    "Store",
    "StoredBase",
    "StoredRecord",
    "StoredRelease",
    "json_text",
]
