"""OCDS date-times as instants.

OCDS dates are RFC 3339 strings, and FTS mixes ``Z`` and ``+01:00`` offsets within one
process, so text order is not time order. Everything that orders or compares dates goes
through :func:`parse_instant`; everything shown to people goes through :func:`to_uk`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def parse_instant(value: object) -> datetime | None:
    """Return the aware instant a date string denotes, or None if it is not a date-time.

    A date-time without an offset is taken as UK local time (the publishers we harvest are
    UK services); a bare date is midnight UK time.
    """
    if not isinstance(value, str) or len(value) < 10:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return None
        parsed = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - localised below
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UK)
    return parsed


def utc_seconds(value: str) -> str | None:
    """The instant as UTC text to the second (``2026-06-02T12:31:21Z``), when ``value`` is written so already.

    Most OCDS dates are (``...Z`` or ``...+00:00``, no fraction), and then the text is the answer
    without the datetime arithmetic that was most of a listing's date work. None for any other
    form, which the caller converts. Only for a value :func:`parse_instant` accepted (so the
    date is a real one).
    """
    size = len(value)
    if size == 25:
        if not value.endswith("+00:00"):
            return None
    elif size != 20 or value[19] != "Z":
        return None
    if (
        not value.isascii()
        or value[4] != "-"
        or value[7] != "-"
        or value[10] != "T"
        or value[13] != ":"
        or value[16] != ":"
        or value[0] == "0"  # a year before 1000, which strftime and isoformat write differently
    ):
        return None
    # parse_instant reads a date with an unreadable time as that day's midnight: check the time.
    hour, minute, second = value[11:13], value[14:16], value[17:19]
    if not (hour.isdigit() and minute.isdigit() and second.isdigit()):
        return None
    if hour > "23" or minute > "59" or second > "59":
        return None
    return value[:19] + "Z"


def utc_key(value: object) -> str | None:
    """A sortable UTC text form of a date (``2026-06-02T12:31:21.000000Z``), for indexes.

    Ingest writes one for every release (``releases.date_utc``): a date already in UTC to the
    second is copied (:func:`utc_seconds`), and isoformat, several times faster than strftime,
    writes the rest from year 1000 on (strftime does not pad earlier years; isoformat does).
    """
    instant = parse_instant(value)
    if instant is None or not isinstance(value, str):
        return None
    written = utc_seconds(value)
    if written is not None:
        return written[:19] + ".000000Z"
    moment = instant.astimezone(UTC)
    if moment.year >= 1000:
        return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_second_text(instant: datetime, written: str) -> str:
    """``instant`` as sortable UTC text to the second (``2026-06-02T12:31:21Z``): the search index's dates.

    ``written`` is the date as published: when it is in UTC to the second already it is the
    answer (:func:`utc_seconds`). The listing and the search document both write dates so.
    """
    text = utc_seconds(written)
    if text is not None:
        return text
    moment = instant.astimezone(UTC)
    if moment.year >= 1000:  # isoformat: the same text as strftime from year 1000 on, and faster
        return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_uk(instant: datetime) -> datetime:
    """The same instant in UK local time (GMT or BST), for display."""
    return instant.astimezone(UK)
