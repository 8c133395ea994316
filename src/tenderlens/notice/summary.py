"""The plain-English summary and the "who could bid" note.

Both are built from the notice's fields alone. Each sentence states one thing the data
says (who, what, which stage, which dates, values, suitability, places) and nothing else:
no adjectives about opportunity, no inferred intentions. A sentence whose facts are absent
is left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenderlens.notice.words import amount_text, join_words, regime_name

if TYPE_CHECKING:
    from datetime import datetime

    from tenderlens.notice.model import Money, Notice, Party, Period, When

TERMINATION_TAGS = frozenset({"contractTermination"})
CANCELLATION_TAGS = frozenset({"tenderCancellation"})
CHANGE_TAGS = frozenset({"contractAmendment", "contractUpdate"})
QUOTE_LIMIT = 300


def _article(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def _lower_first(phrase: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (``UK``, ``SME``)."""
    first = phrase.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return phrase
    return phrase[:1].lower() + phrase[1:]


def _upper_first(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _is_past(when: When, now: datetime) -> bool:
    if when.has_time:
        return when.at < now
    return when.day < now.astimezone(when.at.tzinfo).date()


def _due(when: When, now: datetime, future: str, past: str) -> str:
    """``is due on 8 Jun 2026 (in 4 days)`` or ``was due on 8 Jun 2026``."""
    verb = past if _is_past(when, now) else future
    return f"{verb} {when.text} ({when.relative})"


def _regime(notice: Notice) -> str | None:
    """The regime the legal basis names, else the one the notice type belongs to."""
    legal = notice.procurement.legal_basis
    known = regime_name(legal.scheme, legal.id) if legal else None
    return known or notice.procurement.notice_type.regime


def _names(parties: list[Party]) -> str | None:
    names: list[str] = []
    for party in parties:
        if party.name and party.name not in names:
            names.append(party.name)
    if not names:
        return None
    if len(names) > 3:
        return join_words([*names[:3], f"{len(names) - 3} others"])
    return join_words(names)


def _values_sentence(values: list[Money], what: str) -> str | None:
    """One value as it is; several as their range in one currency."""
    if len(values) == 1:
        return f"The {what} value is {values[0].text}."
    currencies = {money.currency for money in values}
    amounts = sorted(money.amount for money in values if money.amount is not None)
    if len(values) < 2 or len(currencies) != 1 or len(amounts) != len(values):
        return None
    currency = currencies.pop()
    low, high = amount_text(amounts[0], currency), amount_text(amounts[-1], currency)
    if low == high:
        return f"The {len(values)} {what}s are each worth {low}."
    return f"The {len(values)} {what} values range from {low} to {high}."


def _situation(notice: Notice) -> str:
    code = notice.procurement.notice_type.code
    tags = set(notice.history[-1].tags) if notice.history else set()
    contract_statuses = {contract.status for contract in notice.contracts}
    award_statuses = {award.status for award in notice.awards if award.suppliers}
    if code == "UK11" or tags & TERMINATION_TAGS or "terminated" in contract_statuses:
        return "contract ended"
    if code == "UK12" or tags & CANCELLATION_TAGS or notice.tender_status in {"cancelled", "withdrawn"}:
        return "procurement ended"
    if code == "UK10" or tags & CHANGE_TAGS:
        return "contract changed"
    if code in {"UK13", "UK14", "UK15", "UK16", "UK8", "UK9", "UK17"}:
        return "other"
    if award_statuses:
        signed = any(contract.date_signed or contract.status == "active" for contract in notice.contracts)
        if signed:
            return "contracted"
        if award_statuses == {"pending"}:
            return "intends to award"
        return "awards made" if "pending" in award_statuses else "awarded"
    if notice.tender_status == "unsuccessful":
        return "unsuccessful"
    if notice.tender_status == "active" or notice.current_stage == "Tender":
        return "tendering"
    if notice.tender_status in {"planning", "planned"} or notice.current_stage == "Planning":
        return "planning"
    return "other"


def _opening(notice: Notice, situation: str, now: datetime) -> str:
    buyer = notice.buyer.name if notice.buyer and notice.buyer.name else "The buyer"
    title = f'"{notice.title}"' if notice.title else "an untitled procurement"
    category = notice.procurement.category_words
    kind = f"{category.lower()} procurement" if category else "procurement"
    regime = _regime(notice)
    under = f" under the {regime}" if regime else ""
    suppliers = _names([supplier for award in notice.awards for supplier in award.suppliers])
    to_whom = f" to {suppliers}" if suppliers else ""
    with_whom = f" with {suppliers}" if suppliers else ""
    if situation == "planning":
        if not notice.title:
            return f"{buyer} is planning {_article(kind)}{under}."
        return f"{buyer} is planning {_article(kind)}, {title}{',' + under if under else ''}."
    if situation == "tendering":
        deadline = notice.dates.submission_deadline
        verb = "invited" if deadline is not None and _is_past(deadline, now) else "is inviting"
        what = f"{title}, {_article(kind)}" if notice.title else _article(kind)
        return f"{buyer} {verb} bids for {what}{under}."
    if situation == "intends to award":
        return f"{buyer} intends to award {title}{to_whom}{under}."
    if situation == "awarded":
        return f"{buyer} has awarded {title}{to_whom}{under}."
    if situation == "awards made":
        return f"{buyer} has announced the award of {title}{to_whom}{under}."
    if situation == "contracted":
        return f"{buyer} has entered into a contract for {title}{with_whom}{under}."
    if situation == "contract changed":
        return f"{buyer} has changed the contract for {title}{with_whom}{under}."
    if situation == "contract ended":
        return f"{buyer} has terminated the contract for {title}{with_whom}{under}."
    if situation == "procurement ended":
        return f"{buyer} has terminated the procurement {title}{under}."
    if situation == "unsuccessful":
        return f"{buyer}'s procurement {title} ended without an award{under}."
    name = notice.procurement.notice_type.name
    if name:
        return f"{buyer} has published {_article(_lower_first(name))} for {title}{under}."
    return f"{buyer} has published a notice for {title}{under}."


def _latest_notice(notice: Notice) -> str | None:
    kind = notice.procurement.notice_type
    published = notice.dates.last_published
    if not kind.determined or kind.name is None:
        return f"The latest release was published on {published.text}." if published else None
    named = _lower_first(kind.name) + (f" ({kind.code})" if kind.code else "")
    when = f", was published on {published.text}" if published else ""
    if not when:
        return f"The latest notice is {_article(named)}."
    return f"The latest notice, {_article(named)}{when}."


def _period_sentence(periods: tuple[Period, ...], situation: str, now: datetime) -> str | None:
    """The contract period; tensed only where the data settles it, otherwise stated plainly.

    Contract periods win over award periods, which win over the tender's and lots' estimates.
    """
    for prefix in ("Contract", "Award"):
        specific = tuple(period for period in periods if period.label.startswith(prefix))
        if specific:
            periods = specific
            break
    distinct = {period.text for period in periods if period.text}
    if not distinct:
        return None
    if len(distinct) > 1:
        starts = sorted((period.start for period in periods if period.start), key=lambda when: when.at)
        ends = sorted((period.end for period in periods if period.end), key=lambda when: when.at)
        bounds = [f"the earliest starts on {starts[0].text}"] if starts else []
        bounds += [f"the latest ends on {ends[-1].text}"] if ends else []
        return f"The {len(distinct)} contract periods given differ" + (
            f": {join_words(bounds)}." if bounds else "."
        )
    period = next(period for period in periods if period.text)
    if period.start is None or period.end is None or period.length is None:
        return f"The contract period is {period.text}."
    planned = situation in {"planning", "tendering", "intends to award", "awarded", "awards made"}
    if planned and not _is_past(period.start, now):
        return f"The contract is expected to run from {period.text}."
    last = period.max_extent or period.end
    in_place = situation in {"contracted", "contract changed"}
    if in_place and not _is_past(period.start, now):
        return f"The contract is due to run from {period.text}."
    if in_place and not _is_past(last, now):
        return f"The contract runs from {period.text}."
    return f"The contract period is {period.text}."


def _suitability(notice: Notice) -> str | None:
    sme, vcse = notice.procurement.sme_suitable, notice.procurement.vcse_suitable
    suitable = [label for label, flag in (("SMEs", sme), ("VCSEs", vcse)) if flag]
    if suitable:
        return "It is marked as suitable for " + join_words(suitable) + "."
    if sme is False and vcse is not True:
        return "It is not marked as suitable for SMEs" + (" or VCSEs." if vcse is False else ".")
    return None


def _threshold(notice: Notice) -> str | None:
    above = notice.procurement.above_threshold
    if above is None:
        return None
    return f"It is {'above' if above else 'below'} the procurement threshold."


def _change_sentences(notice: Notice) -> list[str]:
    latest = notice.history[-1].id if notice.history else None
    changes = [amendment for amendment in notice.amendments if latest is None or amendment.id == latest]
    sentences = []
    described = [amendment.description for amendment in changes if amendment.description]
    if described:
        quoted = described[0]
        if len(quoted) > QUOTE_LIMIT:  # cut at a word, never paraphrased
            quoted = quoted[:QUOTE_LIMIT].rsplit(" ", 1)[0].rstrip(" ,;.") + "…"
        sentences.append(f'The change: "{quoted}"')
    dated = [amendment.date for amendment in changes if amendment.date]
    if dated:
        sentences.append(f"The change is dated {dated[0].text}.")
    awards = {amendment.section for amendment in changes if amendment.section.startswith("Award")}
    if len(awards) > 1:
        sentences.append(f"The notice amends {len(awards)} awards.")
    return sentences


def _award_sentences(notice: Notice, situation: str, now: datetime) -> list[str]:
    sentences = []
    contract_values = [contract.value for contract in notice.contracts if contract.value]
    award_values = [award.value for award in notice.awards if award.value]
    use_contracts = bool(contract_values) and situation in {"contracted", "contract changed"}
    value = _values_sentence(
        contract_values if use_contracts else award_values, "contract" if use_contracts else "award"
    )
    if value:
        sentences.append(value)
    statuses = [
        award.status_words.lower() for award in notice.awards if award.suppliers and award.status_words
    ]
    if len(set(statuses)) > 1:
        counts = []
        for status in dict.fromkeys(statuses):
            count = statuses.count(status)
            counts.append(f"{count} {'is' if count == 1 else 'are'} {status}")
        sentences.append(f"Of the {len(statuses)} awards, {join_words(counts)}.")
    signed = [contract.date_signed for contract in notice.contracts if contract.date_signed]
    if situation == "contracted" and signed:
        sentences.append(f"The contract was signed on {signed[0].text}.")
    standstill = [award.standstill_end for award in notice.awards if award.standstill_end]
    if standstill and situation in {"intends to award", "awarded", "awards made"}:
        sentences.append(f"The standstill period {_due(standstill[0], now, 'ends on', 'ended on')}.")
    signature = [award.signature_due for award in notice.awards if award.signature_due]
    if signature and situation in {"intends to award", "awarded", "awards made"}:
        sentences.append(f"The contract is expected to be signed on {signature[0].text}.")
    return sentences


def summarise(notice: Notice, now: datetime) -> str:
    """A few plain sentences stating what the notice's fields say."""
    situation = _situation(notice)
    sentences = [_opening(notice, situation, now)]
    latest = _latest_notice(notice)
    if latest:
        sentences.append(latest)
    dates = notice.dates
    preliminary = "preliminary " if notice.procurement.notice_type.code == "UK2" else ""
    for event in dates.engagement[:2]:
        if event.due is not None:
            what = (
                f'The market engagement milestone "{event.title}"'
                if event.title
                else (f"A {preliminary}market engagement event")
            )
            sentences.append(f"{what} {_due(event.due, now, 'is due on', 'was due on')}.")
    if situation == "tendering":
        if dates.submission_deadline:
            deadline = _due(dates.submission_deadline, now, "is", "was")
            sentences.append(f"The submission deadline {deadline}.")
        if dates.expression_of_interest_deadline:
            eoi = _due(dates.expression_of_interest_deadline, now, "are due by", "were due by")
            sentences.append(f"Expressions of interest {eoi}.")
        if dates.enquiry_deadline:
            enquiry = _due(dates.enquiry_deadline, now, "close on", "closed on")
            sentences.append(f"Clarification questions {enquiry}.")
    if situation in {"intends to award", "awarded", "awards made", "contracted", "contract changed"}:
        sentences.extend(_award_sentences(notice, situation, now))
    if situation in {"contract changed", "other"}:
        sentences.extend(_change_sentences(notice))
    removed = [
        party.name for party in notice.other_parties if "removedSupplier" in party.roles and party.name
    ]
    if removed:
        sentences.append(f"It lists {join_words(removed)} as removed from the suppliers.")
    tender_value = notice.values.tender
    if tender_value and situation in {"planning", "tendering"}:
        sentences.append(f"The estimated value is {tender_value.text}.")
    if dates.future_notice_date and situation in {"planning", "tendering"}:
        future = _due(dates.future_notice_date, now, "is expected on", "was expected on")
        sentences.append(f"A further notice {future}.")
    period = _period_sentence(dates.contract_periods, situation, now)
    if period and situation not in {"procurement ended", "other"}:
        sentences.append(period)
    if len(notice.lots) > 1:
        sentences.append(f"It is divided into {len(notice.lots)} lots.")
    if notice.tender_status_words and situation in {"procurement ended", "unsuccessful"}:
        sentences.append(f"The tender status is {notice.tender_status_words.lower()}.")
    if situation in {"planning", "tendering"}:
        sentences.extend(sentence for sentence in (_threshold(notice), _suitability(notice)) if sentence)
    return " ".join(sentences)


def _stage_line(notice: Notice, now: datetime) -> str | None:
    situation = _situation(notice)
    deadline = notice.dates.submission_deadline
    if situation == "tendering":
        if deadline is None:
            return "The tender is active; the data gives no submission deadline."
        if _is_past(deadline, now):
            return f"The submission deadline ({deadline.text}) has passed."
        return f"Submissions are due by {deadline.text} ({deadline.relative})."
    if situation == "planning":
        return "Not yet open for bids: the procurement is at the planning stage."
    reasons = {
        "intends to award": "the buyer intends to award it",
        "awarded": "it has been awarded",
        "awards made": "awards have been announced",
        "contracted": "a contract is in place",
        "contract changed": "this notice changes an existing contract",
        "contract ended": "the contract has been terminated",
        "procurement ended": "the procurement has been terminated",
        "unsuccessful": "the procurement ended without an award",
    }
    reason = reasons.get(situation)
    return f"Not open for bids: {reason}." if reason else None


def who_could_bid(notice: Notice, now: datetime) -> tuple[str, ...]:
    """Short facts a supplier would check first; only those the data gives."""
    lines = []
    stage = _stage_line(notice, now)
    if stage:
        lines.append(stage)
    suitability = _suitability(notice)
    if suitability:
        lines.append(suitability.replace("It is marked", "Marked").replace("It is not marked", "Not marked"))
    above = notice.procurement.above_threshold
    if above is not None:
        lines.append(f"{'Above' if above else 'Below'} the procurement threshold.")
    lines.extend(
        f"Market engagement: {event.due.text} ({event.due.relative})."
        for event in notice.dates.engagement[:2]
        if event.due is not None and not _is_past(event.due, now)
    )
    dates = notice.dates
    if dates.enquiry_deadline and not _is_past(dates.enquiry_deadline, now):
        lines.append(f"Clarification questions close on {dates.enquiry_deadline.text}.")
    if dates.expression_of_interest_deadline and not _is_past(dates.expression_of_interest_deadline, now):
        lines.append(f"Expressions of interest are due by {dates.expression_of_interest_deadline.text}.")
    if dates.future_notice_date and not _is_past(dates.future_notice_date, now):
        lines.append(f"Next notice expected on {dates.future_notice_date.text}.")
    delivered = [place.text for place in notice.locations.delivery]
    if delivered:
        shown = delivered[:5] + ([f"{len(delivered) - 5} more"] if len(delivered) > 5 else [])
        lines.append(f"Delivery: {join_words(shown)}.")
    if notice.cpv_divisions:
        category = notice.procurement.category_words
        prefix = f"{category} in CPV" if category else "CPV"
        plural = "divisions" if len(notice.cpv_divisions) > 1 else "division"
        lines.append(f"{prefix} {plural} {join_words([division.text for division in notice.cpv_divisions])}.")
    return tuple(_upper_first(line) for line in lines)
