"""Units: relative dates (across clock changes), durations, money, tag and codelist words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tenderlens.notice.context import money_text
from tenderlens.notice.when import add_months, length_text, make_when, relative, span
from tenderlens.notice.words import (
    amount_text,
    camel_words,
    legal_basis_name,
    source_name,
    status_words,
    tag_words,
)

if TYPE_CHECKING:
    from tenderlens.notice.model import When

NOW = datetime(2026, 6, 4, 12, 0, tzinfo=UTC)


def when(value: str, now: datetime = NOW) -> When:
    found = make_when(value, now)
    assert found is not None, value
    return found


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 6, 4), "today"),
        (date(2026, 6, 5), "tomorrow"),
        (date(2026, 6, 3), "yesterday"),
        (date(2026, 6, 2), "2 days ago"),
        (date(2026, 6, 8), "in 4 days"),
        (date(2026, 6, 17), "in 13 days"),
        (date(2026, 6, 18), "in 2 weeks"),
        (date(2026, 5, 14), "3 weeks ago"),
        (date(2026, 9, 1), "in 3 months"),
        (date(2027, 6, 4), "in 12 months"),
        (date(2028, 6, 4), "in 2 years"),
        (date(2021, 3, 9), "5 years ago"),
    ],
)
def test_relative(day: date, expected: str) -> None:
    assert relative(day, date(2026, 6, 4)) == expected


def test_relative_counts_uk_calendar_days_across_spring_forward() -> None:
    # 29 Mar 2026: clocks go forward at 01:00 UTC. 00:30 UTC is still 29 Mar (GMT).
    now = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    # 23:30 UTC on 29 Mar is 00:30 BST on 30 Mar: tomorrow in the UK, though the same UTC day.
    assert when("2026-03-29T23:30:00Z", now).relative == "tomorrow"
    assert when("2026-03-29T23:30:00Z", now).text == "30 Mar 2026, 00:30"
    assert when("2026-03-29T22:30:00Z", now).relative == "today"


def test_relative_counts_uk_calendar_days_across_fall_back() -> None:
    # 25 Oct 2026: clocks go back at 01:00 UTC. 23:30 UTC on 24 Oct is 00:30 BST on 25 Oct.
    now = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    # Same UTC day as now, but the previous day in the UK.
    assert when("2026-10-24T12:00:00Z", now).relative == "yesterday"
    # The next UTC day, but the same UK day (23:30 GMT).
    assert when("2026-10-25T23:30:00Z", now).relative == "today"
    assert when("2026-10-25T23:30:00Z", now).text == "25 Oct 2026, 23:30"
    assert when("2026-10-26T00:30:00Z", now).relative == "tomorrow"


def test_times_are_shown_in_uk_local_time() -> None:
    assert when("2026-05-28T18:33:44+01:00").text == "28 May 2026, 18:33"
    assert when("2026-05-28T17:33:44Z").text == "28 May 2026, 18:33"  # BST
    assert when("2026-01-28T17:33:44Z").text == "28 Jan 2026, 17:33"  # GMT
    assert when("2026-09-21T10:00:00+01:00").at.utcoffset() == timedelta(hours=1)


def test_calendar_dates_keep_the_day_the_publisher_wrote() -> None:
    start = when("2027-04-01T00:00:00+01:00")
    assert (start.day, start.has_time, start.text) == (date(2027, 4, 1), False, "1 Apr 2027")
    end = when("2029-03-31T23:59:59+01:00")
    assert (end.day, end.end_of_day, end.text) == (date(2029, 3, 31), True, "31 Mar 2029")
    # 23:59:59Z in summer is 00:59:59 BST the next day, but it means the end of 18 May.
    summer = when("2028-05-18T23:59:59Z")
    assert summer.day == date(2028, 5, 18)
    assert summer.text == "18 May 2028"
    assert when("2026-06-08").day == date(2026, 6, 8)


@pytest.mark.parametrize("value", ["", "soon", "2026-13-45", "31/03/2029", None, 20260101, ["2026-01-01"]])
def test_not_dates(value: object) -> None:
    assert make_when(value, NOW) is None


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2027-04-01T00:00:00+01:00", "2029-03-31T23:59:59+01:00", "2 years"),
        ("2025-05-19T00:00:00Z", "2028-05-18T23:59:59Z", "3 years"),
        ("2027-01-10T00:00:00Z", "2029-01-09T23:59:59Z", "2 years"),
        ("2026-01-01T00:00:00Z", "2027-06-30T23:59:59+01:00", "1 year and 6 months"),
        ("2026-01-01T00:00:00Z", "2026-06-30T23:59:59+01:00", "6 months"),
        ("2026-11-02T00:00:00+00:00", "2027-03-31T23:59:59+01:00", "about 5 months"),
        ("2026-09-04T00:00:00Z", "2026-09-20T23:59:59Z", "about 2 weeks"),
        ("2026-08-21T00:00:00+01:00", "2026-08-21T23:59:59+01:00", "1 day"),
        ("2026-02-01T00:00:00Z", "2026-02-28T23:59:59Z", "1 month"),
        ("2026-01-31T00:00:00Z", "2026-02-28T23:59:59Z", "about 1 month"),
        ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "1 year"),  # an end at midnight excludes that day
    ],
)
def test_length(start: str, end: str, expected: str) -> None:
    assert length_text(when(start), when(end)) == expected


def test_length_of_a_backwards_period_is_none() -> None:
    assert span(when("2029-01-01T00:00:00Z"), when("2028-01-01T23:59:59Z")) is None
    assert length_text(when("2029-01-01T00:00:00Z"), when("2028-01-01T23:59:59Z")) is None


def test_add_months_clamps() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (1234567, "GBP", "£1,234,567"),
        (1234567.0, "GBP", "£1,234,567"),
        (54393.6, "GBP", "£54,393.60"),
        (0.01, "GBP", "£0.01"),
        (0, "GBP", "£0"),
        (-2500, "GBP", "-£2,500"),
        (1000, "EUR", "€1,000"),
        (1000, "CHF", "1,000 CHF"),
        (1000, None, "1,000"),
    ],
)
def test_amount_text(amount: float, currency: str | None, expected: str) -> None:
    assert amount_text(float(amount), currency) == expected


def test_money_text_net_and_gross() -> None:
    assert money_text(2500000, 3000000, "GBP") == "£2,500,000 excl. VAT (£3,000,000 incl. VAT)"
    assert money_text(0.01, 0.01, "GBP") == "£0.01"
    assert money_text(None, 42000, "GBP") == "£42,000 incl. VAT"
    assert money_text(35000, None, "GBP") == "£35,000"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("planning", "Planning"),
        ("planningUpdate", "Planning update"),
        ("tender", "Tender"),
        ("tenderUpdate", "Tender update"),
        ("tenderAmendment", "Tender amendment"),
        ("tenderCancellation", "Tender cancellation"),
        ("award", "Award"),
        ("awardUpdate", "Award update"),
        ("contract", "Contract"),
        ("contractUpdate", "Contract update"),
        ("contractAmendment", "Contract amendment"),
        ("implementation", "Implementation"),
        ("contractTermination", "Contract termination"),
        ("somethingNew", "Something new"),
    ],
)
def test_tag_words(tag: str, expected: str) -> None:
    assert tag_words(tag) == expected


def test_codelist_words() -> None:
    assert status_words("planning") == "Planning"
    assert status_words("notMet") == "Not met"
    assert status_words(None) is None
    assert camel_words("marketEngagementNotice") == "Market engagement notice"
    assert camel_words("smeVCSE") == "Sme VCSE"
    assert camel_words("lightTouch") == "Light touch"


@pytest.mark.parametrize(
    ("scheme", "code", "expected"),
    [
        ("UKPGA", "2023/54", "Procurement Act 2023 (2023/54)"),
        ("CELEX", "32014L0024", "Public Contracts Regulations 2015 (Directive 2014/24/EU)"),
        ("CELEX", "32014L0025", "Utilities Contracts Regulations 2016 (Directive 2014/25/EU)"),
        ("CELEX", "32014L0023", "Concession Contracts Regulations 2016 (Directive 2014/23/EU)"),
        ("CELEX", "32099L0001", "EU law CELEX 32099L0001"),
        ("XYZ", "42", "XYZ 42"),
    ],
)
def test_legal_basis_name(scheme: str, code: str, expected: str) -> None:
    assert legal_basis_name(scheme, code, None) == expected


def test_source_name() -> None:
    assert source_name("ocds-h6vhtk-06a838") == "Find a Tender"
    assert source_name("ocds-b5fd17-e3b5f385-5989-4cf1-8849-01c247fc9c30") == "Contracts Finder"
    assert source_name("ocds-213czf-000-00001") == "Other"
    assert source_name(None) == "Other"
