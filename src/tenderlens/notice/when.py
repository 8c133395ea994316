"""Dates for people: UK local time, "2 days ago", "in 3 months", "2 years".

Calendar dates (values at 00:00:00 or 23:59:59 in their own offset) keep the day the
publisher wrote; anything with a real time of day is shown in Europe/London time.
Relative phrases count calendar days in UK time, so they are right across clock changes.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from tenderlens.notice.model import When
from tenderlens.ocds.dates import parse_instant, to_uk

END_OF_DAY = time(23, 59, 59)
MIDNIGHT = time(0, 0, 0)
DAYS_PER_MONTH = 30.44
DAYS_PER_YEAR = 365.25


def day_text(day: date) -> str:
    """``1 Apr 2027``."""
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


def make_when(value: object, now: datetime) -> When | None:
    """The :class:`When` a date string denotes, or None if it is not a date."""
    if not isinstance(value, str):
        return None
    shown = _shown(value)
    if shown is None:
        return None
    local, day, has_time, end_of_day, text = shown
    return When(
        raw=value,
        at=local,
        day=day,
        has_time=has_time,
        end_of_day=end_of_day,
        text=text,
        relative=relative(day, _today(now)),
    )


def date_text(value: str) -> str | None:
    """``make_when(value, now).text`` (which does not depend on ``now``), or None if not a date."""
    shown = _shown(value)
    return None if shown is None else shown[4]


# A notice shows the same few dates many times (every version in the versioned release), and
# a page shows dozens: parsing, the time zone and strftime were a third of building a notice.
# Both caches hold pure functions of their argument, so they can never serve a stale answer.
@lru_cache(maxsize=16_384)
def _shown(value: str) -> tuple[datetime, date, bool, bool, str] | None:
    """Everything about a date string that does not depend on today (the relative phrase does)."""
    instant = parse_instant(value)
    if instant is None:
        return None
    try:
        local = to_uk(instant)
    except (OverflowError, ValueError):  # a year-1 or year-9999 value near the edge of datetime
        return None
    wall = instant.time().replace(microsecond=0)
    has_time = wall not in {MIDNIGHT, END_OF_DAY}
    day = local.date() if has_time else instant.date()
    text = day_text(day) + (f", {local:%H:%M}" if has_time else "")
    return local, day, has_time, wall == END_OF_DAY, text


@lru_cache(maxsize=64)
def _today(now: datetime) -> date:
    return to_uk(now).date()


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def relative(day: date, today: date) -> str:
    """``today``, ``tomorrow``, ``in 4 days``, ``2 weeks ago``, ``in 3 months``, ``5 years ago``."""
    days = (day - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    size = abs(days)
    if size < 14:
        amount = _count(size, "day")
    elif size < 45:
        amount = _count(round(size / 7), "week")
    elif size < 548:
        amount = _count(round(size / DAYS_PER_MONTH), "month")
    else:
        amount = _count(round(size / DAYS_PER_YEAR), "year")
    return f"in {amount}" if days > 0 else f"{amount} ago"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the end of shorter months."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _exclusive_end(end: When) -> date:
    """The first day after the period: an end at 23:59:59 (or any time of day) includes its day."""
    if not end.has_time and not end.end_of_day:
        return end.day  # an end at midnight is the start of that day
    try:
        return end.day + timedelta(days=1)
    except OverflowError:
        return end.day


def span(start: When, end: When) -> tuple[int, int] | None:
    """(whole months, remaining days) from ``start`` to ``end``; None if the end is before the start."""
    first = start.day
    stop = _exclusive_end(end)
    if stop < first:
        return None
    months = (stop.year - first.year) * 12 + stop.month - first.month
    if add_months(first, months) > stop:
        months -= 1
    return months, (stop - add_months(first, months)).days


def months_text(months: int) -> str:
    """``6 months``, ``2 years``, ``1 year and 6 months``."""
    years, rest = divmod(months, 12)
    if years and rest:
        return f"{_count(years, 'year')} and {_count(rest, 'month')}"
    if years:
        return _count(years, "year")
    return _count(rest, "month")


def length_text(start: When, end: When) -> str | None:
    """How long a period lasts: exact when it is whole months, else rounded ("about 5 months")."""
    measured = span(start, end)
    if measured is None:
        return None
    months, days = measured
    if months == 0:
        if days >= 14:
            return f"about {_count(round(days / 7), 'week')}"
        return _count(days, "day")
    if days == 0:
        return months_text(months)
    rounded = round(months + days / DAYS_PER_MONTH)
    return f"about {months_text(rounded)}"
