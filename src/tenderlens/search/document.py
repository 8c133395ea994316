"""What the search index keeps for one record, computed from its :class:`Notice` at compile time.

A pure function of the notice (and the compiled release, for item descriptions the notice
does not carry), so the index, the notice page and the listing agree. Nothing here depends
on "now": relative dates are worked out when a page is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from tenderlens.notice.safe import obj, objs, text
from tenderlens.notice.words import STAGES
from tenderlens.ocds.dates import utc_second_text
from tenderlens.search.text import index_text

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from tenderlens.notice.model import Money, Notice, When

EXCERPT_CHARS = 280
# Awards that did not happen do not count towards a buyer's awarded value.
NOT_AWARDED = frozenset({"cancelled", "unsuccessful"})
STAGE_CODES = {stage.capitalize(): stage for stage in STAGES}


@dataclass(frozen=True, slots=True)
class SearchText:
    """The six full-text fields, each already tokenized (:func:`tenderlens.search.text.index_text`)."""

    title: str
    description: str
    lots: str
    items: str
    buyer: str
    other: str

    def __reduce__(self) -> tuple[type[SearchText], tuple[Any, ...]]:
        return _reduced(self)


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One row of ``search_index`` plus its ``search_terms`` (facet, value, label) and full text.

    Instants are UTC ISO 8601 strings (``2026-06-08T22:59:59Z``), which sort as text on both
    backends. ``terms`` holds the many-valued facets: ``cpv`` (8-digit codes), and
    ``buyer_region`` / ``delivery_region`` (the deepest ITL code known; its prefixes are
    the wider regions).
    """

    ocid: str
    source: str
    notice_type: str | None
    notice_type_name: str | None
    stage: str | None
    status: str | None
    status_words: str | None
    title: str | None
    excerpt: str | None
    buyer_key: str | None
    buyer_name: str | None
    sme: bool | None
    vcse: bool | None
    value_amount: float | None
    value_currency: str | None
    value_text: str | None
    published: str | None
    updated: str | None
    deadline: str | None
    future_notice: str | None
    contract_end: str | None
    award_date: str | None
    award_value: float | None
    published_raw: str | None
    deadline_raw: str | None
    future_notice_raw: str | None
    contract_end_raw: str | None
    text: SearchText
    terms: tuple[tuple[str, str, str | None], ...]

    def __reduce__(self) -> tuple[type[SearchDocument], tuple[Any, ...]]:
        return _reduced(self)

    def row(self) -> dict[str, Any]:
        """The ``search_index`` columns."""
        return {
            "ocid": self.ocid,
            "source": self.source,
            "notice_type": self.notice_type,
            "notice_type_name": self.notice_type_name,
            "stage": self.stage,
            "status": self.status,
            "status_words": self.status_words,
            "title": self.title,
            "excerpt": self.excerpt,
            "buyer_key": self.buyer_key,
            "buyer_name": self.buyer_name,
            "sme": None if self.sme is None else int(self.sme),
            "vcse": None if self.vcse is None else int(self.vcse),
            "value_amount": self.value_amount,
            "value_currency": self.value_currency,
            "value_text": self.value_text,
            "published": self.published,
            "updated": self.updated,
            "deadline": self.deadline,
            "future_notice": self.future_notice,
            "contract_end": self.contract_end,
            "award_date": self.award_date,
            "award_value": self.award_value,
            "published_raw": self.published_raw,
            "deadline_raw": self.deadline_raw,
            "future_notice_raw": self.future_notice_raw,
            "contract_end_raw": self.contract_end_raw,
        }


def _reduced(value: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickled as the class and its fields, unpickled by ``__init__``: the compile worker sends these.

    mypyc compiles this module (tenderlens.compiled), and the default pickling of a compiled
    frozen dataclass sets its fields one by one after making it, which a frozen one refuses.
    """
    return type(value), tuple(getattr(value, field.name) for field in fields(value))


def utc_text(when: When | None) -> str | None:
    """The instant as sortable UTC text, or None."""
    return None if when is None else utc_second_text(when.at, when.raw)


def excerpt(description: str | None, limit: int = EXCERPT_CHARS) -> str | None:
    """The start of a description, cut at a word boundary."""
    if not description:
        return None
    flat = " ".join(description.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def _headline(notice: Notice) -> Money | None:
    """The tender's estimated value, else the largest lot, award or contract value."""
    values = notice.values
    if values.tender is not None and (values.tender.amount is not None or values.tender.minimum is not None):
        return values.tender
    candidates = [
        labelled.money
        for labelled in (*values.lots, *values.awards, *values.contracts)
        if labelled.money.amount is not None
    ]
    return max(candidates, key=lambda money: money.amount or 0.0) if candidates else None


def _item_descriptions(compiled: Mapping[str, Any]) -> Iterator[str]:
    tender = obj(compiled.get("tender"))
    sections = [tender, *objs(compiled.get("awards")), *objs(compiled.get("contracts"))]
    for section in sections:
        for item in objs(section.get("items")):
            found = text(item.get("description"))
            if found:
                yield found
            classification = obj(item.get("classification"))
            label = text(classification.get("description"))
            if label:
                yield label


def _terms(notice: Notice) -> tuple[tuple[str, str, str | None], ...]:
    found: dict[tuple[str, str], str | None] = {}
    for cpv in notice.cpv:
        found.setdefault(("cpv", cpv.code), cpv.label)
    if notice.locations.buyer_regions:
        deepest = notice.locations.buyer_regions[-1]
        found.setdefault(("buyer_region", deepest.code), deepest.name)
    for place in notice.locations.delivery:
        if place.regions:
            deepest = place.regions[-1]
            found.setdefault(("delivery_region", deepest.code), deepest.name)
    return tuple((facet, value, label) for (facet, value), label in sorted(found.items()))


def _awarded(notice: Notice) -> tuple[str | None, float | None]:
    dates = [utc_text(award.date) for award in notice.awards if award.status not in NOT_AWARDED]
    known = sorted(date for date in dates if date)
    amounts = [
        award.value.amount
        for award in notice.awards
        if award.status not in NOT_AWARDED
        and award.value is not None
        and award.value.amount is not None
        and award.value.currency in {None, "GBP"}
    ]
    return (known[0] if known else None), (sum(amounts) if amounts else None)


def search_document(notice: Notice, compiled: Mapping[str, Any], source: str) -> SearchDocument | None:
    """The index entry for a notice (``source``: fts, contracts-finder, other); None without an ocid."""
    if not notice.ocid:
        return None
    buyer = notice.buyer
    headline = _headline(notice)
    amount = None
    if headline is not None:
        amount = headline.amount if headline.amount is not None else headline.minimum
    ends = sorted(
        (utc, period.end.raw)
        for period in notice.dates.contract_periods
        if period.end is not None and (utc := utc_text(period.end)) is not None
    )
    dates = notice.dates
    award_date, award_value = _awarded(notice)
    history_ids = [entry.id for entry in notice.history if entry.id]
    suppliers = [party.name for award in notice.awards for party in award.suppliers if party.name]
    tender = obj(compiled.get("tender"))
    return SearchDocument(
        ocid=notice.ocid,
        source=source,
        notice_type=notice.procurement.notice_type.code,
        notice_type_name=notice.procurement.notice_type.name,
        stage=STAGE_CODES.get(notice.current_stage or ""),
        status=notice.tender_status,
        status_words=notice.tender_status_words,
        title=notice.title,
        excerpt=excerpt(notice.description),
        buyer_key=(buyer.id or buyer.name) if buyer else None,
        buyer_name=buyer.name if buyer else None,
        sme=notice.procurement.sme_suitable,
        vcse=notice.procurement.vcse_suitable,
        value_amount=amount,
        value_currency=headline.currency if headline else None,
        value_text=headline.text if headline else None,
        published=utc_text(notice.dates.first_published),
        updated=utc_text(notice.dates.last_published),
        deadline=utc_text(notice.dates.submission_deadline),
        future_notice=utc_text(notice.dates.future_notice_date),
        contract_end=ends[-1][0] if ends else None,
        award_date=award_date,
        award_value=award_value,
        published_raw=dates.first_published.raw if dates.first_published else None,
        deadline_raw=dates.submission_deadline.raw if dates.submission_deadline else None,
        future_notice_raw=dates.future_notice_date.raw if dates.future_notice_date else None,
        contract_end_raw=ends[-1][1] if ends else None,
        text=SearchText(
            title=index_text(notice.title),
            description=index_text(notice.description),
            lots=index_text(*(part for lot in notice.lots for part in (lot.title, lot.description))),
            items=index_text(*_item_descriptions(compiled)),
            buyer=index_text(buyer.name if buyer else None),
            other=index_text(
                notice.ocid, text(tender.get("id")), *history_ids, *suppliers, notice.planning_rationale
            ),
        ),
        terms=_terms(notice),
    )
