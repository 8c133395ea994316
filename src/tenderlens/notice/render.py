"""The notice in a terminal, section by section, like a notice page.

Every row is shown even when the data has no value ("Not specified"), so a reader can tell
absent data from a missing section. Contact details are always shown in full.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from tenderlens.notice.words import DASH

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import Console

    from tenderlens.notice.model import Money, Notice, Party, Period, When

NOT_SPECIFIED = "Not specified"
LABEL_WIDTH = 30


def _when(when: When | None) -> str | None:
    return f"{when.text} · {when.relative}" if when else None


def _money(money: Money | None) -> str | None:
    return money.text if money else None


def _flag(value: bool | None, yes: str = "Yes", no: str = "No") -> str | None:
    if value is None:
        return None
    return yes if value else no


def _lines(values: Iterable[str | None]) -> str | None:
    shown = [value for value in values if value]
    return "\n".join(shown) if shown else None


class _Page:
    def __init__(self, console: Console) -> None:
        self.console = console

    def heading(self, title: str) -> None:
        self.console.print()
        self.console.rule(Text(title, style="bold"), align="left")

    def text(self, value: str | None, style: str = "") -> None:
        if value:
            self.console.print(Text(value, style=style))
        else:
            self.console.print(Text(NOT_SPECIFIED, style="dim"))

    def rows(self, rows: Iterable[tuple[str, str | None]]) -> None:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", width=LABEL_WIDTH, no_wrap=False)
        table.add_column(overflow="fold")
        for label, value in rows:
            shown = Text(value) if value else Text(NOT_SPECIFIED, style="dim")
            table.add_row(Text(label), shown)
        self.console.print(table)


def _period(period: Period) -> str:
    return f"{period.label}: {period.text}"


def _header(page: _Page, notice: Notice) -> None:
    stage = notice.current_stage or "Stage not known"
    page.console.print(Text(stage.upper(), style="bold magenta"))
    page.console.print(Text(notice.title or "Untitled notice", style="bold"))
    if notice.buyer and notice.buyer.name:
        page.console.print(Text(notice.buyer.name))
    count = len(notice.history)
    if notice.history_derived:
        line = (
            f"{count} published notice{'s' if count != 1 else ''} found in the documents "
            "(the publisher gave only a compiled release, so release tags are not known)."
        )
    else:
        line = f"This record has {count} release{'s' if count != 1 else ''} in its history."
    page.console.print(Text(line, style="dim"))


def _history(page: _Page, notice: Notice) -> None:
    page.heading("Release history")
    if not notice.history:
        page.text(None)
        return
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1))
    for column in ("Published (UK time)", "Notice", "Kind", "Notice type"):
        table.add_column(column, overflow="fold")
    for entry in reversed(notice.history):
        kind = ", ".join(entry.tag_words) if entry.tag_words else entry.kind.capitalize()
        table.add_row(
            Text(_when(entry.date) or NOT_SPECIFIED),
            Text(entry.id or NOT_SPECIFIED),
            Text(kind),
            Text(entry.notice_type.text if entry.notice_type else NOT_SPECIFIED),
        )
    page.console.print(table)
    for entry in reversed(notice.history):
        if entry.amendment:
            page.console.print(Text(f"{entry.id}: {entry.amendment}", style="italic"))


def _summary(page: _Page, notice: Notice) -> None:
    page.heading("Summary of the contracting process")
    page.text(notice.summary)
    page.heading("Who could bid")
    if notice.who_could_bid:
        for line in notice.who_could_bid:
            page.console.print(Text(f"• {line}"))
    else:
        page.text(None)


def _description(page: _Page, notice: Notice) -> None:
    page.heading("Notice title")
    page.text(notice.title)
    page.heading("Notice description")
    page.text(notice.description)
    planning = [event.description for event in notice.dates.engagement if event.description]
    if notice.planning_rationale:
        planning.insert(0, notice.planning_rationale)
    if planning:
        page.heading("Planning information")
        for paragraph in planning:
            page.text(paragraph)


def _lifecycle(page: _Page, notice: Notice) -> None:
    page.heading("Publication & lifecycle")
    page.rows(
        [
            ("Open Contracting ID", notice.ocid),
            ("Publication source", notice.source),
            ("Latest notice", notice.latest_notice_url),
            ("Current stage", notice.current_stage),
            ("All stages", ", ".join(notice.stages) or None),
        ]
    )


def _classification(page: _Page, notice: Notice) -> None:
    procurement = notice.procurement
    suitable = [
        label
        for label, flag in (("SME", procurement.sme_suitable), ("VCSE", procurement.vcse_suitable))
        if flag
    ]
    marked = procurement.sme_suitable is not None or procurement.vcse_suitable is not None
    page.heading("Procurement classification")
    page.rows(
        [
            ("Notice type", procurement.notice_type.text),
            ("Procurement category", procurement.category_words),
            ("Procurement method", procurement.method_words),
            ("Procurement method details", procurement.method_details),
            ("Legal basis", procurement.legal_basis.name if procurement.legal_basis else None),
            ("Above threshold", _flag(procurement.above_threshold)),
            ("Special regime", ", ".join(procurement.special_regimes) or None),
            ("Techniques", ", ".join(procurement.techniques) or None),
            ("Tender suitability", ", ".join(suitable) or ("Not marked suitable" if marked else None)),
            ("Awardee scale", ", ".join(procurement.awardee_scales) or None),
        ]
    )


def _cpv(page: _Page, notice: Notice) -> None:
    page.heading("Common Procurement Vocabulary (CPV)")
    page.rows(
        [
            ("CPV divisions", _lines(division.text for division in notice.cpv_divisions)),
            (
                "CPV codes",
                _lines(f"{cpv.code} {DASH} {cpv.label or 'label not known'}" for cpv in notice.cpv),
            ),
        ]
    )


def _values(page: _Page, notice: Notice) -> None:
    values = notice.values
    page.heading("Notice values")
    page.rows(
        [
            ("Tender value", _money(values.tender)),
            ("Lots value", _lines(f"{entry.label}: {entry.money.text}" for entry in values.lots)),
            ("Awards value", _lines(f"{entry.label}: {entry.money.text}" for entry in values.awards)),
            ("Contracts value", _lines(f"{entry.label}: {entry.money.text}" for entry in values.contracts)),
        ]
    )


def _dates(page: _Page, notice: Notice) -> None:
    dates = notice.dates
    engagement = _lines(
        f"{_when(event.due) or NOT_SPECIFIED}" + (f" {DASH} {event.title}" if event.title else "")
        for event in dates.engagement
    )
    others = _lines(
        f"{event.section}: {event.title or event.type_words} {DASH} {_when(event.due) or NOT_SPECIFIED}"
        for event in dates.milestones
    )
    rows = [
        ("First published", _when(dates.first_published)),
        ("Latest publication", _when(dates.last_published)),
        ("Engagement event", engagement),
        ("Enquiry deadline", _when(dates.enquiry_deadline)),
        ("Expression of interest deadline", _when(dates.expression_of_interest_deadline)),
        ("Submission deadline", _when(dates.submission_deadline)),
        ("Future notice date", _when(dates.future_notice_date)),
        ("Award decision date", _when(dates.award_decision)),
        ("Award date", _lines(_when(when) for when in dates.award_dates)),
        ("Contract period", _lines(_period(period) for period in dates.contract_periods)),
    ]
    if others:
        rows.append(("Other milestones", others))
    page.heading("Notice dates")
    page.rows(rows)


def _statuses(page: _Page, notice: Notice) -> None:
    page.heading("Notice status")
    page.rows(
        [
            ("Tender status", notice.tender_status_words),
            (
                "Lots status",
                _lines(f"Lot {lot.id}: {lot.status_words}" for lot in notice.lots if lot.status_words),
            ),
            (
                "Awards status",
                _lines(
                    f"Award {award.id}: {award.status_words}" for award in notice.awards if award.status_words
                ),
            ),
            (
                "Contracts status",
                _lines(f"Contract {c.id}: {c.status_words}" for c in notice.contracts if c.status_words),
            ),
        ]
    )


def _party_rows(party: Party) -> list[tuple[str, str | None]]:
    return [
        ("Name", party.name),
        ("Identifiers", ", ".join(party.identifiers) or None),
        ("Roles", ", ".join(party.role_words) or None),
        ("Contact name", party.contact.name),
        ("Contact email", party.contact.email),
        ("Contact phone", party.contact.telephone),
        ("Contact URL", party.contact.url),
        ("Website", party.website),
        ("Address", party.address.text if party.address else None),
    ]


def _buyer(page: _Page, notice: Notice) -> None:
    page.heading("Contracting authority (buyer)")
    buyer = notice.buyer
    if buyer is None:
        page.text(None)
        return
    address = buyer.address
    rows = [
        *_party_rows(buyer)[:2],
        ("Buyer type", buyer.buyer_type),
        *_party_rows(buyer)[3:8],
        ("Street", address.street if address else None),
        ("Locality", address.locality if address else None),
        ("Postcode", address.postal_code if address else None),
        ("Country", address.country if address else None),
        ("Other classifications", ", ".join(buyer.classifications) or None),
    ]
    if buyer.devolved_regulations:
        rows.append(("Devolved regulations", ", ".join(buyer.devolved_regulations)))
    page.rows(rows)


def _locations(page: _Page, notice: Notice) -> None:
    locations = notice.locations
    levels = {region.level: f"{region.code} {region.name}" for region in locations.buyer_regions}
    rows = [
        ("Buyer region (as published)", locations.buyer_region),
        ("Major region (ITL 1)", levels.get(1)),
        ("Basic region (ITL 2)", levels.get(2)),
        ("Small region (ITL 3)", levels.get(3)),
        ("Delivery location", _lines(place.text for place in locations.delivery)),
    ]
    areas = locations.postcode
    if areas is not None:
        rows += [
            ("Local authority", areas.local_authority or areas.local_authority_code),
            ("Electoral ward", areas.ward or areas.ward_code),
            ("Westminster constituency", areas.constituency or areas.constituency_code),
        ]
    page.heading("Locations")
    page.rows(rows)


def _lots(page: _Page, notice: Notice) -> None:
    for lot in notice.lots:
        page.heading(f"Lot {lot.id or ''}".strip())
        criteria = _lines(
            " ".join(part for part in (c.name or c.type_words, f"({c.weight})" if c.weight else None) if part)
            for c in lot.criteria
        )
        page.rows(
            [
                ("Title", lot.title),
                ("Description", lot.description),
                ("Status", lot.status_words),
                ("Value", _money(lot.value)),
                ("Suitable for SMEs", _flag(lot.sme)),
                ("Suitable for VCSEs", _flag(lot.vcse)),
                ("Contract period", lot.period.text if lot.period else None),
                (
                    "Renewal",
                    _flag(lot.has_renewal, "Can be renewed", "No renewal")
                    if lot.renewal is None
                    else lot.renewal,
                ),
                ("Options", lot.options or _flag(lot.has_options)),
                ("Award criteria", criteria),
            ]
        )


def _awards(page: _Page, notice: Notice) -> None:
    for award in notice.awards:
        page.heading(f"Award {award.id or ''}".strip())
        suppliers = _lines(
            " · ".join(
                part
                for part in (
                    supplier.name,
                    ", ".join(supplier.identifiers),
                    supplier.scale and f"scale {supplier.scale}",
                )
                if part
            )
            for supplier in award.suppliers
        )
        page.rows(
            [
                ("Title", award.title),
                ("Status", award.status_words),
                ("Award date", _when(award.date)),
                ("Suppliers", suppliers),
                ("Value", _money(award.value)),
                ("Contract period", award.period.text if award.period else None),
                ("Lots", ", ".join(award.lots) or None),
                ("Standstill ends", _when(award.standstill_end)),
                ("Expected signature", _when(award.signature_due)),
            ]
        )


def _contracts(page: _Page, notice: Notice) -> None:
    for contract in notice.contracts:
        page.heading(f"Contract {contract.id or ''}".strip())
        page.rows(
            [
                ("Title", contract.title),
                ("Award", contract.award_id),
                ("Status", contract.status_words),
                ("Period", contract.period.text if contract.period else None),
                ("Value", _money(contract.value)),
                ("Date signed", _when(contract.date_signed)),
            ]
        )


def _amendments(page: _Page, notice: Notice) -> None:
    page.heading("Amendments")
    if not notice.amendments:
        page.text("None published")
        return
    page.rows(
        (
            f"{amendment.section} · {amendment.id or ''}".strip(" ·"),
            " · ".join(
                part
                for part in (
                    amendment.date.text if amendment.date else None,
                    amendment.description or "No description given",
                    amendment.rationale,
                    amendment.url,
                )
                if part
            ),
        )
        for amendment in notice.amendments
    )


def _others(page: _Page, notice: Notice) -> None:
    others = [party for party in notice.other_parties if "supplier" not in party.roles]
    if others:
        page.heading("Other parties")
        for party in others:
            page.rows(row for row in _party_rows(party) if row[1])
    if notice.bid_statistics:
        page.heading("Bid statistics")
        for statistic in notice.bid_statistics:
            page.console.print(Text(f"• {statistic.text}"))


def _documents(page: _Page, notice: Notice) -> None:
    page.heading("Notice documents")
    if not notice.documents:
        page.text(None)
        return
    for doc in notice.documents:
        head = " · ".join(
            part for part in (", ".join(doc.sections), doc.notice_type, doc.type_words, doc.id) if part
        )
        page.console.print(Text(head, style="bold"))
        for line in (
            doc.title,
            doc.description,
            doc.url,
            doc.published and f"Published {_when(doc.published)}",
        ):
            if line:
                page.console.print(Text(f"  {line}"))


def _notes(page: _Page, notice: Notice) -> None:
    if notice.data_notes:
        page.heading("Data notes")
        for note in notice.data_notes:
            page.console.print(Text(f"• {note}", style="yellow"))


def render_notice(notice: Notice, console: Console) -> None:
    """Print the notice, section by section."""
    page = _Page(console)
    _header(page, notice)
    for section in (
        _history,
        _summary,
        _description,
        _lifecycle,
        _classification,
        _cpv,
        _values,
        _dates,
        _statuses,
        _buyer,
        _locations,
        _lots,
        _awards,
        _contracts,
        _amendments,
        _others,
        _documents,
        _notes,
    ):
        section(page, notice)
