"""What the score looks at in a notice: its search facts, as plain data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Labelled:
    """A code with the label the data gave it (CPV), or the region's name (ITL)."""

    code: str
    label: str | None = None

    def text(self) -> str:
        return f"{self.code} {self.label}" if self.label else self.code


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """One notice as the search index knows it (see :mod:`tenderlens.search.tables`).

    Regions are the deepest ITL code known; their prefixes are the wider regions.
    ``description`` is the start of the notice's description (the index keeps an excerpt).
    """

    ocid: str
    title: str = ""
    description: str = ""
    buyer_key: str | None = None
    buyer_name: str | None = None
    cpv: tuple[Labelled, ...] = ()
    buyer_regions: tuple[Labelled, ...] = ()
    delivery_regions: tuple[Labelled, ...] = ()
    value_amount: float | None = None
    value_currency: str | None = None
    sme: bool | None = None
    vcse: bool | None = None
