"""``build_notice``: one compiled release (plus its history) → a readable :class:`Notice`.

A pure function: no I/O, no clock (``now`` is passed in), and no exception for bad data —
what cannot be read is left out and, where it matters, described in ``data_notes``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tenderlens.notice import history, parts
from tenderlens.notice import parties as party_parts
from tenderlens.notice.context import Context, money_text
from tenderlens.notice.model import (
    Award,
    Contract,
    Dates,
    HistoryEntry,
    LabelledMoney,
    LegalBasis,
    Lot,
    Milestone,
    Money,
    Notice,
    NoticeKind,
    Party,
    Period,
    Procurement,
    Values,
    When,
)
from tenderlens.notice.safe import EMPTY, boolean, ident, number, obj, objs, path, strings, text, unique
from tenderlens.notice.stages import stage_codes
from tenderlens.notice.summary import summarise, who_could_bid
from tenderlens.notice.words import (
    CATEGORY_WORDS,
    METHOD_WORDS,
    STAGE_WORDS,
    amount_text,
    camel_words,
    code_words,
    legal_basis_name,
    regime_name,
    source_name,
    status_words,
)

if TYPE_CHECKING:
    from datetime import datetime

    from tenderlens.reference import Reference

TECHNIQUES = {
    "hasFrameworkAgreement": "Framework agreement",
    "hasDynamicPurchasingSystem": "Dynamic purchasing system",
    "hasElectronicAuction": "Electronic auction",
}


def build_notice(
    compiled: Mapping[str, Any],
    releases: Sequence[Mapping[str, Any]],
    reference: Reference,
    now: datetime,
) -> Notice:
    """The notice for one contracting process.

    ``compiled`` is the compiled release; ``releases`` its releases oldest first, possibly
    empty when the publisher gave only the compiled release; ``now`` an aware datetime used
    for relative dates ("in 3 months").
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    ctx = Context(now=now, reference=reference)
    if not isinstance(compiled, Mapping):
        ctx.note("the compiled release is not an object")
        compiled = EMPTY
    release_list = list(releases) if isinstance(releases, Sequence) and not isinstance(releases, str) else []
    tender = obj(compiled.get("tender"))
    planning = obj(compiled.get("planning"))
    ocid = text(compiled.get("ocid"))

    raw_awards = objs(compiled.get("awards"))
    raw_contracts = objs(compiled.get("contracts"))
    raw_lots = objs(tender.get("lots"))

    by_id = party_parts.parties(ctx, compiled.get("parties"))
    buyer = party_parts.buyer(ctx, compiled, by_id)

    documented = history.from_documents(ctx, compiled, ocid)
    entries = history.from_releases(ctx, compiled, release_list, ocid) if release_list else documented
    urls = {entry.id: entry.url for entry in entries if entry.id and entry.url}
    legal = _legal_basis(tender.get("legalBasis"))
    notice_type = _notice_type(entries, compiled, release_list, legal)

    lots = parts.lots(ctx, tender.get("lots"))
    awards = parts.awards(ctx, compiled.get("awards"), by_id, urls)
    contracts = parts.contracts(ctx, compiled.get("contracts"), urls)

    items = [*objs(tender.get("items"))]
    for award in raw_awards:
        items.extend(objs(award.get("items")))
    for contract in raw_contracts:
        items.extend(objs(contract.get("items")))
    classified = [*parts.classifications(tender)]
    for item in items:
        classified.extend(parts.classifications(item))
    cpv = parts.cpv_codes(ctx, classified)

    amendments = parts.amendments(ctx, tender.get("amendments"), "Tender", urls)
    for award_part in awards:
        amendments += award_part.amendments
    for contract_part in contracts:
        amendments += contract_part.amendments

    stages, current = _stages(compiled, entries, raw_awards, raw_contracts)
    tender_status = text(tender.get("status"))
    category = _category(tender, raw_awards)
    method = text(tender.get("procurementMethod"))
    notice = Notice(
        ocid=ocid,
        title=_title(compiled, tender, lots, awards, contracts),
        description=text(tender.get("description")) or text(compiled.get("description")),
        source=source_name(ocid),
        latest_notice_url=_latest_url(entries, documented),
        current_stage=current,
        stages=stages,
        history=entries,
        history_derived=not release_list,
        procurement=Procurement(
            notice_type=notice_type,
            category=category,
            category_words=code_words(CATEGORY_WORDS, category),
            method=method,
            method_words=code_words(METHOD_WORDS, method),
            method_details=text(tender.get("procurementMethodDetails")),
            legal_basis=legal,
            above_threshold=_above_threshold(tender, raw_awards, raw_contracts),
            special_regimes=tuple(camel_words(code) for code in strings(tender.get("specialRegime"))),
            techniques=_techniques(tender, raw_lots),
            sme_suitable=_suitable(tender, raw_lots, "sme"),
            vcse_suitable=_suitable(tender, raw_lots, "vcse"),
            awardee_scales=_awardee_scales(by_id, awards),
        ),
        cpv=cpv,
        cpv_divisions=parts.divisions(cpv),
        values=_values(ctx, tender, lots, awards, contracts),
        dates=_dates(ctx, compiled, entries=entries, awards=awards, lots=lots, contracts=contracts),
        tender_status=tender_status,
        tender_status_words=status_words(tender_status),
        buyer=buyer,
        other_parties=tuple(found for found in by_id.values() if found is not buyer),
        locations=party_parts.locations(ctx, buyer, items),
        planning_rationale=text(planning.get("rationale")),
        documents=parts.documents(ctx, history.document_sections(compiled)),
        amendments=amendments,
        lots=lots,
        awards=awards,
        contracts=contracts,
        bid_statistics=parts.bid_statistics(compiled.get("bids")),
        summary="",
        who_could_bid=(),
        data_notes=(),
        generated_at=now,
    )
    return dataclasses.replace(
        notice,
        summary=summarise(notice, now),
        who_could_bid=who_could_bid(notice, now),
        data_notes=tuple(ctx.notes),
    )


def _title(
    compiled: Mapping[str, Any],
    tender: Mapping[str, Any],
    lots: tuple[Lot, ...],
    awards: tuple[Award, ...],
    contracts: tuple[Contract, ...],
) -> str | None:
    candidates = [text(tender.get("title")), text(compiled.get("title"))]
    candidates += [lot.title for lot in lots] + [award.title for award in awards]
    candidates += [contract.title for contract in contracts]
    return next((found for found in candidates if found), None)


def _legal_basis(value: object) -> LegalBasis | None:
    data = obj(value)
    scheme, code, uri = text(data.get("scheme")), ident(data.get("id")), text(data.get("uri"))
    name = legal_basis_name(scheme, code, uri)
    if name is None:
        return None
    return LegalBasis(scheme=scheme, id=code, uri=uri, name=name)


def _notice_type(
    entries: tuple[HistoryEntry, ...],
    compiled: Mapping[str, Any],
    releases: list[Mapping[str, Any]],
    legal: LegalBasis | None,
) -> NoticeKind:
    """The type of the latest notice; if the data does not state it, say so (no guessing)."""
    for entry in reversed(entries):
        if entry.notice_type is not None:
            return entry.notice_type
    latest = releases[-1] if releases and isinstance(releases[-1], Mapping) else compiled
    tags = tuple(tag for tag in strings(latest.get("tag")) if tag != "compiled")
    regime = regime_name(legal.scheme, legal.id) if legal else None
    return history.undetermined(tags, legal.name if legal else None, regime)


def _latest_url(*histories: tuple[HistoryEntry, ...]) -> str | None:
    """The URL of the newest notice that has one."""
    for entries in histories:
        for entry in reversed(entries):
            if entry.url:
                return entry.url
    return None


def _stages(
    compiled: Mapping[str, Any],
    entries: tuple[HistoryEntry, ...],
    awards: list[Mapping[str, Any]],
    contracts: list[Mapping[str, Any]],
) -> tuple[tuple[str, ...], str | None]:
    """All stages the process has reached, and the current one, in words."""
    reached, current = stage_codes(compiled, [entry.tags for entry in entries], awards, contracts)
    return tuple(STAGE_WORDS[stage] for stage in reached), STAGE_WORDS[current] if current else None


def _category(tender: Mapping[str, Any], awards: list[Mapping[str, Any]]) -> str | None:
    found = text(tender.get("mainProcurementCategory"))
    if found is None:
        found = next((c for award in awards if (c := text(award.get("mainProcurementCategory")))), None)
    return found


def _above_threshold(
    tender: Mapping[str, Any], awards: list[Mapping[str, Any]], contracts: list[Mapping[str, Any]]
) -> bool | None:
    """``aboveThreshold`` of the tender, else of awards and contracts, else the method details' words."""
    direct = boolean(tender.get("aboveThreshold"))
    if direct is not None:
        return direct
    flags = [boolean(entry.get("aboveThreshold")) for entry in (*awards, *contracts)]
    known = [flag for flag in flags if flag is not None]
    if known:
        return any(known)
    details = (text(tender.get("procurementMethodDetails")) or "").lower()
    if "above threshold" in details:
        return True
    if "below threshold" in details:
        return False
    return None


def _techniques(tender: Mapping[str, Any], lots: list[Mapping[str, Any]]) -> tuple[str, ...]:
    found: list[str] = []
    for owner in (tender, *lots):
        techniques = obj(owner.get("techniques"))
        found.extend(words for key, words in TECHNIQUES.items() if techniques.get(key) is True)
    return unique(found)


def _suitable(tender: Mapping[str, Any], lots: list[Mapping[str, Any]], key: str) -> bool | None:
    """True if the tender or any lot is marked suitable; False if all marks say no; None if unmarked."""
    flags = [boolean(path(owner, "suitability", key)) for owner in (tender, *lots)]
    known = [flag for flag in flags if flag is not None]
    return any(known) if known else None


def _awardee_scales(by_id: Mapping[str, Party], awards: tuple[Award, ...]) -> tuple[str, ...]:
    scales = [found.scale for found in by_id.values() if "supplier" in found.roles and found.scale]
    scales += [supplier.scale for award in awards for supplier in award.suppliers if supplier.scale]
    return unique(scales)


def _values(
    ctx: Context,
    tender: Mapping[str, Any],
    lots: tuple[Lot, ...],
    awards: tuple[Award, ...],
    contracts: tuple[Contract, ...],
) -> Values:
    value = ctx.money(tender.get("value"), "tender value")
    minimum = number(path(tender, "minValue", "amount"))
    if minimum is not None:
        currency = text(path(tender, "minValue", "currency")) or (value.currency if value else None)
        maximum = money_text(value.amount, value.amount_gross, currency) if value else None
        value = Money(
            amount=value.amount if value else None,
            amount_gross=value.amount_gross if value else None,
            currency=currency,
            minimum=minimum,
            text=f"{amount_text(minimum, currency)} to {maximum}"
            if maximum
            else f"from {amount_text(minimum, currency)}",
        )
    return Values(
        tender=value,
        lots=tuple(LabelledMoney(f"Lot {lot.id}", lot.value) for lot in lots if lot.value),
        awards=tuple(LabelledMoney(f"Award {award.id}", award.value) for award in awards if award.value),
        contracts=tuple(
            LabelledMoney(f"Contract {contract.id}", contract.value)
            for contract in contracts
            if contract.value
        ),
    )


def _dates(
    ctx: Context,
    compiled: Mapping[str, Any],
    *,
    entries: tuple[HistoryEntry, ...],
    awards: tuple[Award, ...],
    lots: tuple[Lot, ...],
    contracts: tuple[Contract, ...],
) -> Dates:
    tender = obj(compiled.get("tender"))
    planning = obj(compiled.get("planning"))
    published = sorted((entry.date for entry in entries if entry.date), key=lambda when: when.at)
    milestones: list[Milestone] = [
        *parts.milestones(ctx, planning.get("milestones"), "Planning"),
        *parts.milestones(ctx, tender.get("milestones"), "Tender"),
    ]
    for index, award in enumerate(objs(compiled.get("awards")), start=1):
        milestones += parts.milestones(
            ctx, award.get("milestones"), f"Award {ident(award.get('id')) or index}"
        )
    for index, contract in enumerate(objs(compiled.get("contracts")), start=1):
        label = f"Contract {ident(contract.get('id')) or index}"
        milestones += parts.milestones(ctx, contract.get("milestones"), label)
    periods: list[Period] = []
    tender_period = parts.period(ctx, tender.get("contractPeriod"), "Tender")
    candidates = [tender_period, *(lot.period for lot in lots), *(award.period for award in awards)]
    candidates += [contract.period for contract in contracts]
    seen: set[tuple[str | None, ...]] = set()
    for candidate in candidates:
        if candidate is None:
            continue
        key = tuple(
            when.raw if when else None for when in (candidate.start, candidate.end, candidate.max_extent)
        )
        if key not in seen:
            seen.add(key)
            periods.append(candidate)
    award_dates: list[When] = [award.date for award in awards if award.date]
    return Dates(
        first_published=published[0] if published else None,
        last_published=published[-1] if published else None,
        enquiry_deadline=ctx.when(path(tender, "enquiryPeriod", "endDate"), "enquiry deadline"),
        submission_deadline=ctx.when(path(tender, "tenderPeriod", "endDate"), "submission deadline"),
        expression_of_interest_deadline=ctx.when(
            tender.get("expressionOfInterestDeadline"), "expression of interest deadline"
        ),
        future_notice_date=ctx.when(path(tender, "communication", "futureNoticeDate"), "future notice date"),
        award_decision=ctx.when(path(tender, "awardPeriod", "endDate"), "award decision date"),
        engagement=tuple(milestone for milestone in milestones if milestone.type == "engagement"),
        milestones=tuple(milestone for milestone in milestones if milestone.type != "engagement"),
        award_dates=unique(award_dates),
        contract_periods=tuple(periods),
    )
