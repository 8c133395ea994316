"""Builders for the repeated parts of a notice: periods, CPV, documents, amendments, lots,
awards, contracts, milestones and bid statistics. Each reads one OCDS object defensively."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tenderlens.notice.model import (
    Amendment,
    AwardCriterion,
    BidStatistic,
    Contract,
    Cpv,
    Division,
    Document,
    Lot,
    Milestone,
    Party,
    Period,
    When,
)
from tenderlens.notice.model import Award as AwardPart
from tenderlens.notice.parties import supplier
from tenderlens.notice.safe import boolean, ident, number, obj, objs, path, text
from tenderlens.notice.when import length_text, months_text
from tenderlens.notice.words import (
    BID_WORDS,
    DASH,
    MILESTONE_WORDS,
    amount_text,
    camel_words,
    code_words,
    status_words,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from tenderlens.notice.context import Context


def period(ctx: Context, value: object, label: str) -> Period | None:
    """A contract period with its length and extensions, or None if it gives no dates."""
    data = obj(value)
    start = ctx.when(data.get("startDate"), f"{label} contract start")
    end = ctx.when(data.get("endDate"), f"{label} contract end")
    extent = ctx.when(data.get("maxExtentDate"), f"{label} contract maximum extent")
    months = number(data.get("durationInMonths"))
    duration = int(months) if months is not None and months >= 0 and months.is_integer() else None
    if start is None and end is None and extent is None and duration is None:
        return None
    length = None
    with_extensions = None
    if start is not None and end is not None:
        length = length_text(start, end)
        if length is None:
            ctx.note(f"{label}: the contract end ({end.text}) is before its start ({start.text})")
    elif duration is not None:
        length = months_text(duration)
    if extent is not None and end is not None and extent.at < end.at:
        ctx.note(f"{label}: the maximum extent ({extent.text}) is before the end ({end.text})")
    if start is not None and extent is not None:
        with_extensions = length_text(start, extent)
    return Period(
        label=label,
        start=start,
        end=end,
        max_extent=extent,
        duration_months=duration,
        length=length,
        length_with_extensions=with_extensions,
        text=period_text(start, end, extent, length),
    )


def period_text(start: When | None, end: When | None, extent: When | None, length: str | None) -> str:
    """``1 Apr 2027 to 31 Mar 2029 (2 years), extendable to 31 Mar 2031``."""
    if start is not None and end is not None:
        main = f"{start.text} to {end.text}"
    elif start is not None:
        main = f"from {start.text}"
    elif end is not None:
        main = f"until {end.text}"
    else:
        main = ""
    if length:
        main = f"{main} ({length})" if main else length
    if extent is not None and (end is None or extent.day != end.day):
        main = f"{main}, extendable to {extent.text}" if main else f"extendable to {extent.text}"
    return main


def classifications(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """An item's (or tender's) ``classification`` and ``additionalClassifications``."""
    found = [obj(item.get("classification"))]
    found.extend(objs(item.get("additionalClassifications")))
    return [entry for entry in found if entry]


def cpv_codes(ctx: Context, entries: Iterable[Mapping[str, Any]]) -> tuple[Cpv, ...]:
    """Distinct CPV codes ordered by code; labels from the data, else from the CPV list."""
    found: dict[str, Cpv] = {}
    for entry in entries:
        scheme = text(entry.get("scheme"))
        code = ident(entry.get("id"))
        if code is None or (scheme or "").upper() != "CPV":
            continue
        code = code.split("-", 1)[0].strip()
        if len(code) != 8 or not code.isdigit():
            ctx.note(f"CPV code {code[:20]!r} is not 8 digits")
            continue
        label = text(entry.get("description")) or ctx.reference.cpv_label(code)
        if code in found and (found[code].label or not label):
            continue
        division = ctx.reference.cpv_division(code)
        found[code] = Cpv(
            code=code,
            label=label,
            division=division[0] if division else code[:2],
            division_name=division[1] if division else None,
        )
    return tuple(found[code] for code in sorted(found))


def divisions(codes: tuple[Cpv, ...]) -> tuple[Division, ...]:
    seen: dict[str, Division] = {}
    for cpv in codes:
        if cpv.division not in seen:
            name = cpv.division_name
            seen[cpv.division] = Division(
                code=cpv.division, name=name, text=f"{cpv.division} {DASH} {name}" if name else cpv.division
            )
    return tuple(seen[code] for code in sorted(seen))


def documents(ctx: Context, sections: list[tuple[str, object]]) -> tuple[Document, ...]:
    """Documents of every section, one entry per (id, url) listing all sections it appears in."""
    found: dict[tuple[str | None, str | None], Document] = {}
    for section, value in sections:
        for doc in objs(value):
            key = (ident(doc.get("id")), text(doc.get("url")))
            if key in found:
                known = found[key]
                if section not in known.sections:
                    found[key] = _with_section(known, section)
                continue
            kind = text(doc.get("documentType"))
            found[key] = Document(
                sections=(section,),
                id=key[0],
                type=kind,
                type_words=camel_words(kind) if kind else None,
                notice_type=text(doc.get("noticeType")),
                title=text(doc.get("title")),
                description=text(doc.get("description")),
                url=key[1],
                published=ctx.when(doc.get("datePublished"), f"{section} document date"),
                modified=ctx.when(doc.get("dateModified"), f"{section} document modified date"),
                format=text(doc.get("format")),
            )
    return tuple(found.values())


def _with_section(doc: Document, section: str) -> Document:
    return Document(
        sections=(*doc.sections, section),
        id=doc.id,
        type=doc.type,
        type_words=doc.type_words,
        notice_type=doc.notice_type,
        title=doc.title,
        description=doc.description,
        url=doc.url,
        published=doc.published,
        modified=doc.modified,
        format=doc.format,
    )


def amendments(ctx: Context, value: object, section: str, urls: Mapping[str, str]) -> tuple[Amendment, ...]:
    """Amendments of one section; ``urls`` maps notice ids to their notice pages."""
    found = []
    for entry in objs(value):
        amendment_id = ident(entry.get("id"))
        found.append(
            Amendment(
                section=section,
                id=amendment_id,
                date=ctx.when(entry.get("date"), f"{section} amendment date"),
                description=text(entry.get("description")),
                rationale=text(entry.get("rationale")),
                url=urls.get(amendment_id) if amendment_id else None,
            )
        )
    return tuple(found)


def milestones(ctx: Context, value: object, section: str) -> tuple[Milestone, ...]:
    found = []
    for entry in objs(value):
        kind = text(entry.get("type"))
        found.append(
            Milestone(
                section=section,
                id=ident(entry.get("id")),
                type=kind,
                type_words=code_words(MILESTONE_WORDS, kind) or "Milestone",
                title=text(entry.get("title")),
                description=text(entry.get("description")),
                due=ctx.when(entry.get("dueDate"), f"{section} milestone date"),
                status=status_words(text(entry.get("status"))),
            )
        )
    return tuple(found)


def _criteria(value: object) -> tuple[AwardCriterion, ...]:
    found = []
    for entry in objs(path(value, "criteria")):
        weight = None
        for numbers in objs(entry.get("numbers")):
            figure = number(numbers.get("number"))
            if figure is not None:
                is_percent = "percentage" in (text(numbers.get("weight")) or "")
                weight = f"{figure:g}%" if is_percent else f"{figure:g}"
                break
        kind = text(entry.get("type"))
        found.append(
            AwardCriterion(
                name=text(entry.get("name")) or text(entry.get("description")),
                type_words=camel_words(kind) if kind else None,
                weight=weight,
            )
        )
    return tuple(found)


def lots(ctx: Context, value: object) -> tuple[Lot, ...]:
    found = []
    for index, entry in enumerate(objs(value), start=1):
        lot_id = ident(entry.get("id"))
        label = f"Lot {lot_id or index}"
        suitability = obj(entry.get("suitability"))
        status = text(entry.get("status"))
        found.append(
            Lot(
                id=lot_id,
                title=text(entry.get("title")),
                description=text(entry.get("description")),
                status=status,
                status_words=status_words(status),
                value=ctx.money(entry.get("value"), f"{label} value"),
                sme=boolean(suitability.get("sme")),
                vcse=boolean(suitability.get("vcse")),
                period=period(ctx, entry.get("contractPeriod"), label),
                has_renewal=boolean(entry.get("hasRenewal")),
                renewal=text(path(entry, "renewal", "description")),
                has_options=boolean(entry.get("hasOptions")),
                options=text(path(entry, "options", "description")),
                criteria=_criteria(entry.get("awardCriteria")),
            )
        )
    return tuple(found)


def awards(
    ctx: Context, value: object, suppliers: Mapping[str, Party], urls: Mapping[str, str]
) -> tuple[AwardPart, ...]:
    found = []
    for index, entry in enumerate(objs(value), start=1):
        award_id = ident(entry.get("id"))
        label = f"Award {award_id or index}"
        status = text(entry.get("status"))
        signature = None
        for milestone in objs(entry.get("milestones")):
            if text(milestone.get("type")) == "futureSignatureDate":
                signature = ctx.when(milestone.get("dueDate"), f"{label} expected signature date")
        found.append(
            AwardPart(
                id=award_id,
                title=text(entry.get("title")),
                status=status,
                status_words=status_words(status),
                date=ctx.when(entry.get("date"), f"{label} date"),
                suppliers=tuple(supplier(ctx, member, suppliers) for member in objs(entry.get("suppliers"))),
                value=ctx.money(entry.get("value"), f"{label} value"),
                period=period(ctx, entry.get("contractPeriod"), label),
                lots=tuple(
                    lot
                    for lot in (ident(member) for member in _list(entry.get("relatedLots")))
                    if lot is not None
                ),
                standstill_end=ctx.when(
                    path(entry, "standstillPeriod", "endDate"), f"{label} standstill end"
                ),
                signature_due=signature,
                amendments=amendments(ctx, entry.get("amendments"), label, urls),
            )
        )
    return tuple(found)


def contracts(ctx: Context, value: object, urls: Mapping[str, str]) -> tuple[Contract, ...]:
    found = []
    for index, entry in enumerate(objs(value), start=1):
        contract_id = ident(entry.get("id"))
        label = f"Contract {contract_id or index}"
        status = text(entry.get("status"))
        found.append(
            Contract(
                id=contract_id,
                award_id=ident(entry.get("awardID")),
                title=text(entry.get("title")),
                status=status,
                status_words=status_words(status),
                period=period(ctx, entry.get("period"), label),
                value=ctx.money(entry.get("value"), f"{label} value"),
                date_signed=ctx.when(entry.get("dateSigned"), f"{label} signature date"),
                amendments=amendments(ctx, entry.get("amendments"), label, urls),
            )
        )
    return tuple(found)


def bid_statistics(value: object) -> tuple[BidStatistic, ...]:
    found = []
    for entry in objs(path(value, "statistics")):
        measure = text(entry.get("measure"))
        figure = number(entry.get("value"))
        if measure is None or figure is None:
            continue
        currency = text(entry.get("currency"))
        shown = amount_text(figure, currency) if currency else f"{figure:,.0f}"
        lot = ident(entry.get("relatedLot"))
        words = code_words(BID_WORDS, measure) or measure
        found.append(
            BidStatistic(
                measure=measure,
                measure_words=words,
                value=figure,
                lot=lot,
                text=f"{words}: {shown}" + (f" (lot {lot})" if lot else ""),
            )
        )
    return tuple(found)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []
