"""A search as plain data: the text query, the filters, the sort and the page.

Everything a search page shows follows from a :class:`SearchRequest`, and a request maps
one-to-one onto URL query parameters (:meth:`SearchRequest.params`), so the whole state of
a search is in its URL.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from typing import Final

SORTS: Final = {
    "relevance": "Best match",
    "newest": "Newest first",
    "closing": "Closing soonest",
    "value": "Highest value",
}
SOURCES: Final = {"fts": "Find a Tender", "contracts-finder": "Contracts Finder", "other": "Other publishers"}
STAGES: Final = ("planning", "tender", "award", "contract", "implementation")
# Value bands (GBP, excluding VAT): key → (label, lower bound inclusive, upper bound exclusive).
VALUE_BANDS: Final = {
    "under-10k": ("Under £10,000", None, 10_000.0),
    "10k-100k": ("£10,000 to £100,000", 10_000.0, 100_000.0),
    "100k-1m": ("£100,000 to £1 million", 100_000.0, 1_000_000.0),
    "1m-10m": ("£1 million to £10 million", 1_000_000.0, 10_000_000.0),
    "10m-plus": ("£10 million or more", 10_000_000.0, None),
    "none": ("No value given", None, None),
}
CLOSING_PRESETS: Final = (7, 14, 30, 90)
YES_NO: Final = ("yes", "no")
NONE: Final = "none"  # the facet value for "not stated" in single-valued facets

CPV_PREFIX: Final = re.compile(r"^\d{2,8}$")
ITL_PREFIX: Final = re.compile(r"^TL[A-Z0-9]{1,3}$")
MAX_PER_PAGE: Final = 100
MAX_PAGE: Final = 500
MAX_VALUE_CHARS: Final = 300


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One search. Multi-valued filters match any of their values; different filters must all match."""

    q: str = ""
    notice_type: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    cpv: tuple[str, ...] = ()  # CPV prefixes: division "85", group "851", code "85120000"
    buyer: tuple[str, ...] = ()  # buyer keys (party id, else name)
    buyer_region: tuple[str, ...] = ()  # ITL prefixes: "TLC", "TLC1", "TLC11"
    delivery_region: tuple[str, ...] = ()
    sme: str | None = None  # "yes" | "no"
    vcse: str | None = None
    value: tuple[str, ...] = ()  # VALUE_BANDS keys
    published_from: date | None = None
    published_to: date | None = None
    closing_within: int | None = None  # submission deadline within this many days from now
    source: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """The URL query parameters of this request (with ``changes``), defaults left out."""
        request = dataclasses.replace(self, **changes) if changes else self  # type: ignore[arg-type]
        out: list[tuple[str, str]] = []
        for field in dataclasses.fields(request):
            value = getattr(request, field.name)
            if value == field.default:
                continue
            if isinstance(value, tuple):
                out.extend((field.name, str(member)) for member in value)
            elif isinstance(value, date):
                out.append((field.name, value.isoformat()))
            else:
                out.append((field.name, str(value)))
        return out

    def toggled(self, name: str, value: str) -> list[tuple[str, str]]:
        """The parameters with ``value`` added to, or removed from, the filter ``name`` (page reset)."""
        current = getattr(self, name)
        if isinstance(current, tuple):
            new: object = tuple(v for v in current if v != value) if value in current else (*current, value)
        else:
            new = None if current == value else value
        return self.params(**{name: new, "page": 1})

    @property
    def filters(self) -> list[tuple[str, str]]:
        """Every active filter as (parameter, value): what the "remove filter" links list."""
        state = {"q", "sort", "page", "per_page"}
        return [(name, value) for name, value in self.params() if name not in state]

    @property
    def has_filters(self) -> bool:
        return bool(self.filters)


def validation_errors(request: SearchRequest) -> list[dict[str, str]]:
    """What is wrong with a request built from user input, one entry per problem (empty if fine)."""
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    for value in request.cpv:
        if not CPV_PREFIX.match(value):
            bad("cpv", f"{value[:40]!r} is not a CPV code or prefix (2 to 8 digits)")
    for name in ("buyer_region", "delivery_region"):
        for value in getattr(request, name):
            if not ITL_PREFIX.match(value):
                bad(name, f"{value[:40]!r} is not an ITL region code (like TLC or TLC11)")
    for value in request.stage:
        if value not in (*STAGES, NONE):
            bad("stage", f"{value[:40]!r} is not one of {', '.join(STAGES)}, none")
    for value in request.value:
        if value not in VALUE_BANDS:
            bad("value", f"{value[:40]!r} is not one of {', '.join(VALUE_BANDS)}")
    for value in request.source:
        if value not in SOURCES:
            bad("source", f"{value[:40]!r} is not one of {', '.join(SOURCES)}")
    for name in ("sme", "vcse"):
        value = getattr(request, name)
        if value is not None and value not in YES_NO:
            bad(name, f"{value[:40]!r} is not yes or no")
    if request.sort not in SORTS:
        bad("sort", f"{request.sort[:40]!r} is not one of {', '.join(SORTS)}")
    if not 1 <= request.page <= MAX_PAGE:
        bad("page", f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= request.per_page <= MAX_PER_PAGE:
        bad("per_page", f"per_page must be between 1 and {MAX_PER_PAGE}")
    if request.closing_within is not None and not 0 <= request.closing_within <= 3660:
        bad("closing_within", "closing_within must be a number of days between 0 and 3660")
    if request.published_from and request.published_to and request.published_from > request.published_to:
        bad("published_to", "published_to is before published_from")
    for name in ("notice_type", "status", "buyer"):
        for value in getattr(request, name):
            if len(value) > MAX_VALUE_CHARS:
                bad(name, f"a {name} value is longer than {MAX_VALUE_CHARS} characters")
    return errors
