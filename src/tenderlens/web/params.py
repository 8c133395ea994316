"""The search parameters every search-shaped route takes, as one FastAPI dependency.

Empty form fields (``published_from=``) mean "not set"; control characters are dropped from
every text value (PostgreSQL refuses NUL in a string, and no filter value needs them).
Values that cannot be read (``page=abc``) are a 422 with the one error shape.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BeforeValidator

from tenderlens.search.request import MAX_PER_PAGE, SearchRequest


def _blank(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _clean(value: str) -> str:
    return "".join(char for char in value if unicodedata.category(char) not in {"Cc", "Cf"}).strip()


def _values(values: list[str] | None) -> tuple[str, ...]:
    cleaned = (_clean(value) for value in values or ())
    return tuple(dict.fromkeys(value for value in cleaned if value))


OptionalDate = Annotated[date | None, BeforeValidator(_blank)]
OptionalInt = Annotated[int | None, BeforeValidator(_blank)]
OptionalText = Annotated[str | None, BeforeValidator(_blank)]


def search_params(  # noqa: PLR0917 - one parameter per URL parameter is what FastAPI documents
    q: Annotated[str, Query(description='Words, "phrases", -exclusions and OR; see docs/web.md.')] = "",
    notice_type: Annotated[
        list[str] | None, Query(description="Notice type code (UK4, ...) or `none`.")
    ] = None,
    stage: Annotated[
        list[str] | None, Query(description="planning, tender, award, contract, implementation, none.")
    ] = None,
    status: Annotated[
        list[str] | None, Query(description="Tender status code (active, complete, ...) or `none`.")
    ] = None,
    cpv: Annotated[
        list[str] | None, Query(description="CPV prefix: division (85), group (851) or code.")
    ] = None,
    buyer: Annotated[
        list[str] | None, Query(description="Buyer key: the buyer's party id, else its name.")
    ] = None,
    buyer_region: Annotated[
        list[str] | None, Query(description="ITL region of the buyer: TLC, TLC1, TLC11.")
    ] = None,
    delivery_region: Annotated[list[str] | None, Query(description="ITL region of delivery.")] = None,
    sme: Annotated[OptionalText, Query(description="yes or no: suitability for SMEs.")] = None,
    vcse: Annotated[OptionalText, Query(description="yes or no: suitability for VCSEs.")] = None,
    value: Annotated[
        list[str] | None,
        Query(description="Value band: under-10k, 10k-100k, 100k-1m, 1m-10m, 10m-plus, none."),
    ] = None,
    published_from: Annotated[
        OptionalDate, Query(description="First published on or after (YYYY-MM-DD, UK time).")
    ] = None,
    published_to: Annotated[
        OptionalDate, Query(description="First published on or before (YYYY-MM-DD, UK time).")
    ] = None,
    closing_within: Annotated[
        OptionalInt, Query(description="Submission deadline within this many days from now.")
    ] = None,
    source: Annotated[list[str] | None, Query(description="fts, contracts-finder or other.")] = None,
    sort: Annotated[str, Query(description="relevance, newest, closing or value.")] = "relevance",
    page: Annotated[int, Query(description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(description=f"Results per page, 1 to {MAX_PER_PAGE}.")] = 20,
) -> SearchRequest:
    return SearchRequest(
        q=_clean(q),
        notice_type=_values(notice_type),
        stage=_values(stage),
        status=_values(status),
        cpv=_values(cpv),
        buyer=_values(buyer),
        buyer_region=tuple(value.upper() for value in _values(buyer_region)),
        delivery_region=tuple(value.upper() for value in _values(delivery_region)),
        sme=_clean(sme) if sme else None,
        vcse=_clean(vcse) if vcse else None,
        value=_values(value),
        published_from=published_from,
        published_to=published_to,
        closing_within=closing_within,
        source=_values(source),
        sort=_clean(sort) or "relevance",
        page=page,
        per_page=per_page,
    )


SearchParams = Annotated[SearchRequest, Depends(search_params)]
