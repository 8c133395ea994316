"""A saved search's query string as a :class:`SearchRequest`, read the way the search page reads it."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from sqlalchemy import select

from tenderlens.accounts.tables import saved_searches
from tenderlens.search.request import SearchRequest, validation_errors

if TYPE_CHECKING:
    from tenderlens.store import Store

_HINTS = typing.get_type_hints(SearchRequest)


def request_from_query(query: str) -> SearchRequest | None:
    """The search a saved query string (``q=victim&cpv=85``) denotes, page 1; None if it is not valid."""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(query.lstrip("?"), keep_blank_values=False):
        values.setdefault(name, []).append(value.strip())
    changes: dict[str, object] = {}
    try:
        for field in dataclasses.fields(SearchRequest):
            given = [value for value in values.get(field.name, []) if value]
            if not given or field.name in {"page", "per_page"}:
                continue
            hint = str(_HINTS[field.name])
            if hint.startswith("tuple"):
                upper = field.name.endswith("region")
                changes[field.name] = tuple(dict.fromkeys(v.upper() if upper else v for v in given))
            elif "date" in hint:
                changes[field.name] = date.fromisoformat(given[0])
            elif "int" in hint:
                changes[field.name] = int(given[0])
            else:
                changes[field.name] = given[0]
    except ValueError:
        return None
    request = SearchRequest(**changes)  # type: ignore[arg-type]
    return None if validation_errors(request) else request


def unsubscribe_target(store: Store, token: str) -> tuple[str, str] | None:
    """(name, frequency) of the saved search an unsubscribe link names, or None; the token is the key."""
    if not token:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(
            select(saved_searches.c.name, saved_searches.c.frequency).where(
                saved_searches.c.unsubscribe_token == token
            )
        ).first()
    return None if row is None else (row.name, row.frequency)
