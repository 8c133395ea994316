"""A record's listed facts and search document, read straight off its compiled release.

Compiling used to build a whole :class:`~tenderlens.notice.model.Notice` (history with
relative dates, parties, documents, summary…) only to keep four facts and the index entry:
a quarter of ingest. This reads just what the listing and the index need, following the
notice builder's rules and calling its helpers where they are cheap. The test
``tests/test_records_listing.py`` checks that it equals ``search_document(build_notice(…))``
on real, fixture and generated histories, so a listing, a search and a notice page never
disagree. Change a rule in :mod:`tenderlens.notice` and that test says what to change here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tenderlens.notice.context import Context, money_text
from tenderlens.notice.history import (
    _release_document,  # the same lookup from_releases makes
    from_documents,
    kind_of_document,
    undetermined,
)
from tenderlens.notice.model import Money, NoticeKind
from tenderlens.notice.parties import delivery, regions
from tenderlens.notice.parts import classifications, cpv_codes
from tenderlens.notice.safe import EMPTY, boolean, ident, number, obj, objs, path, strings, text
from tenderlens.notice.stages import stage_codes
from tenderlens.notice.words import (
    STAGE_WORDS,
    amount_text,
    legal_basis_name,
    regime_name,
    status_words,
)
from tenderlens.ocds.dates import parse_instant, to_uk, utc_second_text
from tenderlens.search.document import (
    NOT_AWARDED,
    STAGE_CODES,
    SearchDocument,
    SearchText,
    _item_descriptions,
    excerpt,
    utc_text,
)
from tenderlens.search.text import index_text

if TYPE_CHECKING:
    from tenderlens.reference import Reference

# The listing never shows relative dates, so the clock the helpers are given does not matter.
_NO_CLOCK = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Listing:
    """What ``records`` keeps beside the compiled release, and the record's search-index entry.

    ``stage`` is in the notice's words (``Tender``), as ``Notice.current_stage``.
    """

    notice_type: str | None
    stage: str | None
    title: str | None
    buyer_name: str | None
    document: SearchDocument | None


class _Instant:
    """A date as the notice builder reads it: ``at`` sorts as ``When.at`` does; ``utc`` is ``utc_text``."""

    __slots__ = ("_utc", "at", "raw")

    def __init__(self, at: datetime, raw: str, utc: str | None = None) -> None:
        self.at = at
        self.raw = raw
        self._utc = utc

    @property
    def utc(self) -> str:
        if self._utc is None:
            self._utc = utc_second_text(self.at, self.raw)
        return self._utc


def _instant(value: object) -> _Instant | None:
    """A date the notice builder accepts (:func:`tenderlens.notice.when.make_when`), without its wording."""
    instant = parse_instant(value)
    if instant is None or not isinstance(value, str):
        return None
    if not 1 < instant.year < 9999:  # only near the ends of datetime can UK time overflow
        try:
            to_uk(instant)
        except (OverflowError, ValueError):
            return None
    return _Instant(at=instant, raw=value)


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """What the listing needs of one release, so a record's history need not be parsed again.

    ``own`` is the kind-stating part (``noticeType``, ``description``) of the release's own
    notice document, or None when the release has none (then the compiled release's document
    for ``id`` is read, as :func:`_notice_kind` does with whole releases). Kept on the record
    (``records.history``) as :meth:`to_json` gives it; one release's facts are a few dozen bytes.
    """

    id: str | None
    tags: tuple[str, ...]
    date: str | None
    own: dict[str, Any] | None

    def to_json(self) -> list[Any]:
        return [self.id, list(self.tags), self.date, self.own]

    @classmethod
    def from_json(cls, value: Any) -> ReleaseFacts | None:
        """The facts :meth:`to_json` gave (``None`` for a history entry that was not an object)."""
        if value is None:
            return None
        if not (isinstance(value, list) and len(value) == 4):
            raise ValueError(f"not a release's listing facts: {value!r}")
        release_id, tags, date, own = value
        return cls(id=release_id, tags=tuple(tags), date=date, own=own)


_KIND_KEYS = ("noticeType", "description")


def release_facts(release: object) -> ReleaseFacts | None:
    """A release's :class:`ReleaseFacts`; None for a history entry that is not an object."""
    if not isinstance(release, Mapping):
        return None
    release_id = ident(release.get("id"))
    own: dict[str, Any] | None = None
    if release_id is not None:
        doc = _release_document(release, release_id)
        if doc:  # an empty document falls back to the compiled release's, as ``or`` does
            own = {key: doc[key] for key in _KIND_KEYS if key in doc}
    date = release.get("date")
    return ReleaseFacts(
        id=release_id, tags=strings(release.get("tag")), date=date if isinstance(date, str) else None, own=own
    )


def _notice_kind(
    ctx: Context,
    compiled: Mapping[str, Any],
    history: Sequence[ReleaseFacts | None],
    tender: Mapping[str, Any],
) -> NoticeKind:
    """The type of the latest notice that states one (``build._notice_type``), newest first."""
    if history:
        for facts in reversed(history):
            if facts is None or facts.id is None:
                continue
            doc = facts.own if facts.own is not None else _release_document(compiled, facts.id)
            kind = kind_of_document(ctx, doc) if doc is not None else None
            if kind is not None:
                return kind
    else:
        for entry in reversed(from_documents(ctx, compiled, text(compiled.get("ocid")))):
            if entry.notice_type is not None:
                return entry.notice_type
    latest = history[-1] if history else None
    latest_tags = latest.tags if latest is not None else strings(compiled.get("tag"))
    tags = tuple(tag for tag in latest_tags if tag != "compiled")
    legal = obj(tender.get("legalBasis"))
    scheme, code = text(legal.get("scheme")), ident(legal.get("id"))
    name = legal_basis_name(scheme, code, text(legal.get("uri")))
    regime = regime_name(scheme, code) if name is not None else None
    return undetermined(tags, name, regime)


def _current_stage(
    compiled: Mapping[str, Any],
    tag_lists: Sequence[tuple[str, ...]],
    awards: list[Mapping[str, Any]],
    contracts: list[Mapping[str, Any]],
) -> str | None:
    """The current stage in words, by the notice's own rule (:func:`tenderlens.notice.stages.stage_codes`)."""
    _, current = stage_codes(compiled, tag_lists, awards, contracts)
    return STAGE_WORDS[current] if current else None


@dataclass(frozen=True, slots=True)
class _Buyer:
    """What the listing and index need of the buyer :func:`tenderlens.notice.parties.buyer` picks."""

    id: str | None
    name: str | None
    region: str | None


def _light_party(data: Mapping[str, Any]) -> _Buyer:
    # parties.party: a region makes the address non-empty, so address.region is just this.
    return _Buyer(
        id=ident(data.get("id")), name=_party_name(data), region=text(path(data, "address", "region"))
    )


def _buyer(compiled: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> _Buyer | None:
    """``parties.buyer``: the party ``buyer`` points to, else the first with the buyer role."""
    reference = obj(compiled.get("buyer"))
    buyer_id = ident(reference.get("id"))
    if buyer_id is not None and buyer_id in by_id:
        return _light_party(by_id[buyer_id])
    for data in by_id.values():
        if "buyer" in strings(data.get("roles")):
            return _light_party(data)
    if reference:
        built = _light_party(reference)
        return built if built.name or built.id else None
    return None


def _party_name(data: Mapping[str, Any]) -> str | None:
    return text(data.get("name")) or text(path(data, "identifier", "legalName"))


def _tender_value(ctx: Context, tender: Mapping[str, Any]) -> Money | None:
    """The tender's value with its minimum (``build._values``)."""
    value = ctx.money(tender.get("value"), "tender value")
    minimum = number(path(tender, "minValue", "amount"))
    if minimum is None:
        return value
    currency = text(path(tender, "minValue", "currency")) or (value.currency if value else None)
    maximum = money_text(value.amount, value.amount_gross, currency) if value else None
    return Money(
        amount=value.amount if value else None,
        amount_gross=value.amount_gross if value else None,
        currency=currency,
        minimum=minimum,
        text=f"{amount_text(minimum, currency)} to {maximum}"
        if maximum
        else f"from {amount_text(minimum, currency)}",
    )


def _headline(
    ctx: Context,
    tender: Mapping[str, Any],
    lots: list[Mapping[str, Any]],
    awards: list[Mapping[str, Any]],
    contracts: list[Mapping[str, Any]],
) -> Money | None:
    """``document._headline``: the tender's value, else the largest lot, award or contract value."""
    value = _tender_value(ctx, tender)
    if value is not None and (value.amount is not None or value.minimum is not None):
        return value
    candidates = [
        money
        for money in (
            *(ctx.money(lot.get("value"), "lot value") for lot in lots),
            *(ctx.money(award.get("value"), "award value") for award in awards),
            *(ctx.money(contract.get("value"), "contract value") for contract in contracts),
        )
        if money is not None and money.amount is not None
    ]
    return max(candidates, key=lambda money: money.amount or 0.0) if candidates else None


def _suitable(tender: Mapping[str, Any], lots: list[Mapping[str, Any]], key: str) -> bool | None:
    flags = [boolean(path(owner, "suitability", key)) for owner in (tender, *lots)]
    known = [flag for flag in flags if flag is not None]
    return any(known) if known else None


def _awarded(ctx: Context, awards: list[Mapping[str, Any]]) -> tuple[str | None, float | None]:
    """``document._awarded``: the first award date and the GBP total, of awards that happened."""
    dates: list[str] = []
    amounts: list[float] = []
    for award in awards:
        if text(award.get("status")) in NOT_AWARDED:
            continue
        when = _instant(award.get("date"))
        if when is not None:
            dates.append(when.utc)
        value = ctx.money(award.get("value"), "award value")
        if value is not None and value.amount is not None and value.currency in {None, "GBP"}:
            amounts.append(value.amount)
    return (min(dates) if dates else None), (sum(amounts) if amounts else None)


def listing(
    compiled: Mapping[str, Any],
    releases: Sequence[Mapping[str, Any]],
    reference: Reference,
    source: str,
) -> Listing:
    """The listing and index entry of a record: ``releases`` oldest first, possibly none."""
    return listing_from_facts(compiled, [release_facts(release) for release in releases], reference, source)


def listing_from_facts(
    compiled: Mapping[str, Any],
    history: Sequence[ReleaseFacts | None],
    reference: Reference,
    source: str,
) -> Listing:
    """:func:`listing` from the releases' :class:`ReleaseFacts` (oldest first), not the releases."""
    ctx = Context(now=_NO_CLOCK, reference=reference)
    if not isinstance(compiled, Mapping):
        compiled = EMPTY
    tender = obj(compiled.get("tender"))
    ocid = text(compiled.get("ocid"))
    raw_lots = objs(tender.get("lots"))
    raw_awards = objs(compiled.get("awards"))
    raw_contracts = objs(compiled.get("contracts"))

    by_id: dict[str, Mapping[str, Any]] = {}
    for data in objs(compiled.get("parties")):
        party_id = ident(data.get("id"))
        if party_id is not None:
            by_id.setdefault(party_id, data)
    buyer = _buyer(compiled, by_id)

    if history:
        ids = [facts.id for facts in history if facts is not None]
        tag_lists = [facts.tags for facts in history if facts is not None]
        published = [
            found for facts in history if facts is not None and (found := _instant(facts.date)) is not None
        ]
    else:
        entries = from_documents(ctx, compiled, ocid)
        ids = [entry.id for entry in entries]
        tag_lists = [entry.tags for entry in entries]
        published = [
            _Instant(at=entry.date.at, raw=entry.date.raw, utc=utc_text(entry.date))
            for entry in entries
            if entry.date is not None
        ]
    published.sort(key=lambda found: found.at)

    kind = _notice_kind(ctx, compiled, history, tender)
    stage = _current_stage(compiled, tag_lists, raw_awards, raw_contracts)
    candidates = [text(tender.get("title")), text(compiled.get("title"))]
    candidates += [text(entry.get("title")) for entry in (*raw_lots, *raw_awards, *raw_contracts)]
    title = next((found for found in candidates if found), None)
    listed = Listing(
        notice_type=kind.code,
        stage=stage,
        title=title,
        buyer_name=buyer.name if buyer else None,
        document=None,
    )
    if not ocid:
        return listed

    description = text(tender.get("description")) or text(compiled.get("description"))
    headline = _headline(ctx, tender, raw_lots, raw_awards, raw_contracts)
    amount = None
    if headline is not None:
        amount = headline.amount if headline.amount is not None else headline.minimum
    periods = [
        obj(tender.get("contractPeriod")),
        *(obj(lot.get("contractPeriod")) for lot in raw_lots),
        *(obj(award.get("contractPeriod")) for award in raw_awards),
        *(obj(contract.get("period")) for contract in raw_contracts),
    ]
    ends = [(end.utc, end.raw) for period in periods if (end := _instant(period.get("endDate")))]
    contract_end = max(ends) if ends else None
    deadline = _instant(path(tender, "tenderPeriod", "endDate"))
    future_notice = _instant(path(tender, "communication", "futureNoticeDate"))
    award_date, award_value = _awarded(ctx, raw_awards)
    suppliers: list[str] = []
    for award in raw_awards:
        for member in objs(award.get("suppliers")):
            supplier_id = ident(member.get("id"))
            known = by_id.get(supplier_id) if supplier_id is not None else None
            name = _party_name(known if known is not None else member)
            if name:
                suppliers.append(name)
    tender_status = text(tender.get("status"))
    first = published[0] if published else None
    last = published[-1] if published else None
    document = SearchDocument(
        ocid=ocid,
        source=source,
        notice_type=kind.code,
        notice_type_name=kind.name,
        stage=STAGE_CODES.get(stage or ""),
        status=tender_status,
        status_words=status_words(tender_status),
        title=title,
        excerpt=excerpt(description),
        buyer_key=(buyer.id or buyer.name) if buyer else None,
        buyer_name=buyer.name if buyer else None,
        sme=_suitable(tender, raw_lots, "sme"),
        vcse=_suitable(tender, raw_lots, "vcse"),
        value_amount=amount,
        value_currency=headline.currency if headline else None,
        value_text=headline.text if headline else None,
        published=first.utc if first else None,
        updated=last.utc if last else None,
        deadline=deadline.utc if deadline else None,
        future_notice=future_notice.utc if future_notice else None,
        contract_end=contract_end[0] if contract_end else None,
        award_date=award_date,
        award_value=award_value,
        published_raw=first.raw if first else None,
        deadline_raw=deadline.raw if deadline else None,
        future_notice_raw=future_notice.raw if future_notice else None,
        contract_end_raw=contract_end[1] if contract_end else None,
        text=SearchText(
            title=index_text(title),
            description=index_text(description),
            lots=index_text(
                *(part for lot in raw_lots for part in (text(lot.get("title")), text(lot.get("description"))))
            ),
            items=index_text(*_item_descriptions(compiled)),
            buyer=index_text(buyer.name if buyer else None),
            other=index_text(
                ocid,
                text(tender.get("id")),
                *(found for found in ids if found),
                *suppliers,
                text(obj(compiled.get("planning")).get("rationale")),
            ),
        ),
        terms=_terms(ctx, tender, raw_awards, raw_contracts, buyer),
    )
    return Listing(
        notice_type=listed.notice_type,
        stage=stage,
        title=title,
        buyer_name=listed.buyer_name,
        document=document,
    )


def _terms(
    ctx: Context,
    tender: Mapping[str, Any],
    awards: list[Mapping[str, Any]],
    contracts: list[Mapping[str, Any]],
    buyer: _Buyer | None,
) -> tuple[tuple[str, str, str | None], ...]:
    """``document._terms``: CPV codes, the buyer's region and the delivery regions, as facet terms."""
    items = [*objs(tender.get("items"))]
    for owner in (*awards, *contracts):
        items.extend(objs(owner.get("items")))
    classified = [*classifications(tender)]
    for item in items:
        classified.extend(classifications(item))
    found: dict[tuple[str, str], str | None] = {}
    for cpv in cpv_codes(ctx, classified):
        found.setdefault(("cpv", cpv.code), cpv.label)
    region = buyer.region if buyer is not None else None
    chain = regions(ctx, region) if region else ()
    if chain:
        found.setdefault(("buyer_region", chain[-1].code), chain[-1].name)
    for place in delivery(ctx, items):
        if place.regions:
            deepest = place.regions[-1]
            found.setdefault(("delivery_region", deepest.code), deepest.name)
    return tuple((facet, value, label) for (facet, value), label in sorted(found.items()))
