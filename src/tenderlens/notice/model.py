"""The readable notice: frozen dataclasses, one per section of the notice page.

Every display string (``text``, ``*_words``) is computed once by :func:`build_notice`, so
the terminal, the web page and the JSON twin (:meth:`Notice.to_dict`) say the same thing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tenderlens.reference import PostcodeAreas, Region


@dataclass(frozen=True, slots=True)
class When:
    """One date-time from the data, as shown to people.

    ``at`` is the instant in UK local time. A value at 00:00:00 or 23:59:59 in its own offset
    is a calendar date (``has_time`` False): ``day`` is the date as the publisher wrote it,
    so ``2029-03-31T23:59:59Z`` is 31 Mar even though it is 1 Apr 00:59 in BST.
    """

    raw: str
    at: datetime
    day: date
    has_time: bool
    end_of_day: bool
    text: str
    relative: str


@dataclass(frozen=True, slots=True)
class Money:
    """``amount`` excludes VAT; ``amount_gross`` (UK extension) includes it."""

    amount: float | None
    amount_gross: float | None
    currency: str | None
    minimum: float | None
    text: str


@dataclass(frozen=True, slots=True)
class LabelledMoney:
    label: str
    money: Money


@dataclass(frozen=True, slots=True)
class Period:
    """A contract period: ``label`` says where it comes from ("Lot 1", "Contract 2", "Tender")."""

    label: str
    start: When | None
    end: When | None
    max_extent: When | None
    duration_months: int | None
    length: str | None
    length_with_extensions: str | None
    text: str


@dataclass(frozen=True, slots=True)
class NoticeKind:
    """A notice type: ``code`` like ``UK2``; ``determined`` False when the data does not say."""

    code: str | None
    name: str | None
    regime: str | None
    determined: bool
    text: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One published release (``kind`` "release") or, when only a compiled release was given,
    one notice document (``kind`` "notice", or "amendment" when its id is an amendment id)."""

    id: str | None
    date: When | None
    tags: tuple[str, ...]
    tag_words: tuple[str, ...]
    notice_type: NoticeKind | None
    url: str | None
    kind: str
    amendment: str | None


@dataclass(frozen=True, slots=True)
class LegalBasis:
    scheme: str | None
    id: str | None
    uri: str | None
    name: str


@dataclass(frozen=True, slots=True)
class Cpv:
    code: str
    label: str | None
    division: str
    division_name: str | None


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Address:
    street: str | None
    locality: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None
    email: str | None
    telephone: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class Party:
    id: str | None
    name: str | None
    roles: tuple[str, ...]
    role_words: tuple[str, ...]
    identifiers: tuple[str, ...]
    address: Address | None
    contact: Contact
    website: str | None
    buyer_type: str | None
    classifications: tuple[str, ...]
    devolved_regulations: tuple[str, ...]
    scale: str | None
    vcse: bool | None


@dataclass(frozen=True, slots=True)
class DeliveryLocation:
    """Where the work is delivered: ``raw`` as published, ``regions`` the ITL chain if known."""

    raw: str
    regions: tuple[Region, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Locations:
    buyer_region: str | None
    buyer_regions: tuple[Region, ...]
    delivery: tuple[DeliveryLocation, ...]
    postcode: PostcodeAreas | None


@dataclass(frozen=True, slots=True)
class Milestone:
    section: str
    id: str | None
    type: str | None
    type_words: str
    title: str | None
    description: str | None
    due: When | None
    status: str | None


@dataclass(frozen=True, slots=True)
class Document:
    sections: tuple[str, ...]
    id: str | None
    type: str | None
    type_words: str | None
    notice_type: str | None
    title: str | None
    description: str | None
    url: str | None
    published: When | None
    modified: When | None
    format: str | None


@dataclass(frozen=True, slots=True)
class Amendment:
    section: str
    id: str | None
    date: When | None
    description: str | None
    rationale: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class AwardCriterion:
    name: str | None
    type_words: str | None
    weight: str | None


@dataclass(frozen=True, slots=True)
class Lot:
    id: str | None
    title: str | None
    description: str | None
    status: str | None
    status_words: str | None
    value: Money | None
    sme: bool | None
    vcse: bool | None
    period: Period | None
    has_renewal: bool | None
    renewal: str | None
    has_options: bool | None
    options: str | None
    criteria: tuple[AwardCriterion, ...]


@dataclass(frozen=True, slots=True)
class Award:
    id: str | None
    title: str | None
    status: str | None
    status_words: str | None
    date: When | None
    suppliers: tuple[Party, ...]
    value: Money | None
    period: Period | None
    lots: tuple[str, ...]
    standstill_end: When | None
    signature_due: When | None
    amendments: tuple[Amendment, ...]


@dataclass(frozen=True, slots=True)
class Contract:
    id: str | None
    award_id: str | None
    title: str | None
    status: str | None
    status_words: str | None
    period: Period | None
    value: Money | None
    date_signed: When | None
    amendments: tuple[Amendment, ...]


@dataclass(frozen=True, slots=True)
class BidStatistic:
    measure: str
    measure_words: str
    value: float
    lot: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Procurement:
    notice_type: NoticeKind
    category: str | None
    category_words: str | None
    method: str | None
    method_words: str | None
    method_details: str | None
    legal_basis: LegalBasis | None
    above_threshold: bool | None
    special_regimes: tuple[str, ...]
    techniques: tuple[str, ...]
    sme_suitable: bool | None
    vcse_suitable: bool | None
    awardee_scales: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Values:
    tender: Money | None
    lots: tuple[LabelledMoney, ...]
    awards: tuple[LabelledMoney, ...]
    contracts: tuple[LabelledMoney, ...]


@dataclass(frozen=True, slots=True)
class Dates:
    first_published: When | None
    last_published: When | None
    enquiry_deadline: When | None
    submission_deadline: When | None
    expression_of_interest_deadline: When | None
    future_notice_date: When | None
    award_decision: When | None
    engagement: tuple[Milestone, ...]
    milestones: tuple[Milestone, ...]
    award_dates: tuple[When, ...]
    contract_periods: tuple[Period, ...]


@dataclass(frozen=True, slots=True)
class Notice:
    ocid: str | None
    title: str | None
    description: str | None
    source: str
    latest_notice_url: str | None
    current_stage: str | None
    stages: tuple[str, ...]
    history: tuple[HistoryEntry, ...]
    history_derived: bool
    procurement: Procurement
    cpv: tuple[Cpv, ...]
    cpv_divisions: tuple[Division, ...]
    values: Values
    dates: Dates
    tender_status: str | None
    tender_status_words: str | None
    buyer: Party | None
    other_parties: tuple[Party, ...]
    locations: Locations
    planning_rationale: str | None
    documents: tuple[Document, ...]
    amendments: tuple[Amendment, ...]
    lots: tuple[Lot, ...]
    awards: tuple[Award, ...]
    contracts: tuple[Contract, ...]
    bid_statistics: tuple[BidStatistic, ...]
    summary: str
    who_could_bid: tuple[str, ...]
    data_notes: tuple[str, ...]
    generated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data: dates as ISO 8601 strings, tuples as lists."""
        result = _plain(self)
        assert isinstance(result, dict)
        return result


def _plain(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(member) for member in value]
    return value


# What changed (tenderlens.notice.changes, compiled with mypyc, makes them): kept here as Python
# classes, whose annotations pydantic reads for the JSON API's schema.
@dataclass(frozen=True, slots=True)
class Change:
    """One change: ``kind`` is "changed", "set", "removed" or "added" (a new lot, document…)."""

    kind: str
    path: str
    field: str
    before: str | None
    after: str | None
    text: str


@dataclass(frozen=True, slots=True)
class ReleaseChanges:
    """What one release changed; the first release (``first``) is the baseline and lists none."""

    release_id: str
    date: str | None
    date_text: str | None
    tags: tuple[str, ...]
    tag_words: tuple[str, ...]
    first: bool
    changes: tuple[Change, ...]
