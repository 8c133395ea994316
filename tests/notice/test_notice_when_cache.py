"""``make_when`` remembers what a date string means, but never what "today" was.

The absolute part of a date (its UK time, day and text) is cached by the string; the relative
phrase is worked out from ``now`` on every call, so a page built tomorrow says "today", not
"tomorrow", for the same deadline.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenderlens.notice import when
from tenderlens.notice.when import make_when

VALUES = [
    "2026-06-04T23:59:59Z",
    "2026-06-04T12:30:00+01:00",
    "2026-03-29T00:30:00Z",  # the night the clocks go forward
    "2026-10-25T01:30:00Z",  # the night they go back
    "2026-06-04",
    "2026-06-04T00:00:00",
    "0001-01-01T00:00:00+01:00",  # at the edge of datetime: not a date to show
    "not a date",
    "",
]


def test_the_same_string_means_the_same_whether_cached_or_not() -> None:
    now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    when._shown.cache_clear()
    cold = [make_when(value, now) for value in VALUES]
    assert when._shown.cache_info().misses == len(VALUES)
    warm = [make_when(value, now) for value in VALUES]
    assert when._shown.cache_info().hits >= len(VALUES)
    assert warm == cold
    assert cold[-1] is None
    assert cold[-2] is None
    assert sum(found is not None for found in cold) >= 6


def test_the_relative_phrase_follows_now_for_a_cached_date() -> None:
    deadline = "2026-06-04T23:59:59Z"
    day_before = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
    phrases = [
        found.relative
        for offset in range(3)
        if (found := make_when(deadline, day_before + timedelta(days=offset))) is not None
    ]
    assert phrases == ["tomorrow", "today", "yesterday"]


def test_non_strings_are_not_dates() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert make_when(None, now) is None
    assert make_when(20260604, now) is None
    assert make_when(["2026-06-04"], now) is None
