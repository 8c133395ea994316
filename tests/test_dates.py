"""``utc_seconds``, the text shortcut for UTC dates, against the datetime arithmetic it skips.

The listing and the search document write each date as UTC text to the second. For a date
written that way already (``...Z`` or ``...+00:00``, most OCDS dates) ``utc_seconds`` copies
the text; anything else must be left to the datetime path (None), never answered differently.
"""

from __future__ import annotations

import random
from datetime import UTC

import pytest

from tenderlens.ocds.dates import parse_instant, utc_key, utc_second_text, utc_seconds


def by_arithmetic(value: str) -> str:
    """What the listing wrote before the shortcut: the parsed instant, in UTC, to the second."""
    instant = parse_instant(value)
    assert instant is not None
    moment = instant.astimezone(UTC)
    if moment.year >= 1000:
        return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-06-02T12:31:21Z", "2026-06-02T12:31:21Z"),
        ("2026-06-02T12:31:21+00:00", "2026-06-02T12:31:21Z"),
        ("1000-01-01T00:00:00Z", "1000-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
    ],
)
def test_a_utc_date_to_the_second_is_its_own_text(value: str, expected: str) -> None:
    assert utc_seconds(value) == expected
    assert by_arithmetic(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "2026-06-02T12:31:21+01:00",  # another offset: arithmetic
        "2026-06-02T12:31:21-00:00",
        "2026-06-02T12:31:21.5Z",  # a fraction
        "2026-06-02T12:31Z",  # no seconds
        "2026-06-02T12:31:21z",  # lower-case z
        "2026-06-02 12:31:21Z",  # a space for the T
        " 2026-06-02T12:31:21Z",
        "2026-06-02T12:31:21Z ",
        "0999-03-01T00:00:00Z",  # a year before 1000
        "2026-06-02T99:99:99Z",  # parse_instant reads this as the day's UK midnight
        "2026-06-02T24:00:00Z",
        "2026-06-02T23:60:00Z",
        "2026-06-02T23:59:60Z",
        "2026-06-02T1٢:31:21Z",  # a non-ASCII digit
        "2026-06-02",
        "20260602T123121Z",
    ],
)
def test_any_other_form_is_left_to_the_arithmetic(value: str) -> None:
    assert utc_seconds(value) is None


def test_the_shortcut_never_disagrees_with_the_arithmetic() -> None:
    """Random near-misses of the shape: whatever parse_instant accepts gets the same text, or None."""
    rng = random.Random(20261208)
    alphabet = "0123456789-T:Z+ z.٢"
    taken = 0
    for _ in range(40_000):
        chars = list(rng.choice(["2026-06-02T12:31:21Z", "2026-06-02T12:31:21+00:00"]))
        for _ in range(rng.randint(1, 2)):
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        value = "".join(chars)
        if parse_instant(value) is None:
            continue
        got = utc_seconds(value)
        if got is not None:
            taken += 1
            assert got == by_arithmetic(value), value
    assert taken > 1_000  # the shortcut was taken often, not only refused


def test_utc_key_and_the_index_text_are_the_strftime_forms_of_the_instant() -> None:
    """``utc_key`` (``date_utc``) and ``utc_second_text`` (the index's dates) on the same near-misses."""
    rng = random.Random(20261209)
    values = [
        "0999-03-01T00:00:00+01:00",
        "2026-06-30T23:59:59.123456+01:00",
        "2026-10-25",
        " 2026-01-01T00:00:00Z",
    ]
    for _ in range(20_000):
        chars = list(
            rng.choice(["2026-06-02T12:31:21Z", "2026-06-02T12:31:21+00:00", "2026-03-29T01:30:00-05:30"])
        )
        chars[rng.randrange(len(chars))] = rng.choice("0123456789-T:Z+ z.")
        values.append("".join(chars))
    checked = 0
    for value in values:
        instant = parse_instant(value)
        if instant is None:
            assert utc_key(value) is None
            continue
        checked += 1
        assert utc_key(value) == instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), value
        assert utc_second_text(instant, value) == by_arithmetic(value), value
    assert checked > 5_000
