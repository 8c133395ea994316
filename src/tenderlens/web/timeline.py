"""The notice's lifecycle as a server-rendered SVG: engagement → tender → award → contract, today marked.

:func:`timeline` lays the notice's dates out on a time axis (pure geometry, no markup); the
template draws it, and lists the same events as a table for people who cannot see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final

from tenderlens.notice.when import day_text

if TYPE_CHECKING:
    from tenderlens.notice.model import Notice, When

WIDTH: Final = 800
LABEL_WIDTH: Final = 118
RIGHT: Final = 24
LANE_HEIGHT: Final = 46
TOP: Final = 28
AXIS: Final = 34
LANES: Final = ("Notices", "Engagement", "Tender", "Award", "Contract")
MIN_LABEL_GAP: Final = 92


@dataclass(frozen=True, slots=True)
class Mark:
    """A point (``x2`` None) or a bar from ``x`` to ``x2``; ``style`` picks its look in CSS."""

    lane: int
    x: float
    x2: float | None
    y: float
    style: str  # notice, event, deadline, future, period, extension
    title: str  # the text of its tooltip and its row in the list
    label: str | None  # a short label drawn beside it, when there is room


@dataclass(frozen=True, slots=True)
class Event:
    lane: str
    day: date
    text: str
    title: str


@dataclass(frozen=True, slots=True)
class Timeline:
    width: int
    height: int
    plot_left: int
    plot_right: int
    axis_y: int
    lanes: tuple[tuple[str, float], ...]
    marks: tuple[Mark, ...]
    ticks: tuple[tuple[float, str], ...]
    today_x: float
    today_text: str
    events: tuple[Event, ...]
    description: str


def _collect(notice: Notice) -> list[tuple[str, When, When | None, str, str]]:
    """(lane, start, end or None, style, title) for every dated fact worth drawing."""
    found: list[tuple[str, When, When | None, str, str]] = []
    for entry in notice.history:
        if entry.date is not None:
            kind = entry.notice_type.text if entry.notice_type and entry.notice_type.code else None
            what = kind or ", ".join(entry.tag_words) or "Notice"
            found.append(("Notices", entry.date, None, "notice", f"Published: {what}"))
    dates = notice.dates
    if dates.future_notice_date is not None:
        found.append(("Notices", dates.future_notice_date, None, "future", "Next notice expected"))
    found.extend(
        ("Engagement", milestone.due, None, "event", milestone.title or milestone.type_words)
        for milestone in dates.engagement
        if milestone.due is not None
    )
    if dates.submission_deadline is not None:
        start = dates.first_published
        if start is not None and start.at < dates.submission_deadline.at:
            found.append(("Tender", start, dates.submission_deadline, "period", "Open for bids"))
        found.append(("Tender", dates.submission_deadline, None, "deadline", "Submission deadline"))
    if dates.enquiry_deadline is not None:
        found.append(("Tender", dates.enquiry_deadline, None, "event", "Clarification deadline"))
    if dates.expression_of_interest_deadline is not None:
        found.append(
            (
                "Tender",
                dates.expression_of_interest_deadline,
                None,
                "event",
                "Expression of interest deadline",
            )
        )
    if dates.award_decision is not None:
        found.append(("Award", dates.award_decision, None, "event", "Award decision expected"))
    for award in notice.awards:
        name = f"Award {award.id}" if award.id else "Award"
        if award.date is not None:
            found.append(("Award", award.date, None, "event", f"{name} date"))
        if award.standstill_end is not None:
            found.append(("Award", award.standstill_end, None, "event", f"{name}: standstill ends"))
        if award.signature_due is not None:
            found.append(("Award", award.signature_due, None, "future", f"{name}: expected signature"))
    found.extend(
        (
            "Contract",
            contract.date_signed,
            None,
            "event",
            f"Contract {contract.id or ''} signed".replace("  ", " "),
        )
        for contract in notice.contracts
        if contract.date_signed is not None
    )
    for period in dates.contract_periods:
        if period.start is not None and period.end is not None and period.start.at <= period.end.at:
            found.append(("Contract", period.start, period.end, "period", f"{period.label}: {period.text}"))
            if period.max_extent is not None and period.max_extent.at > period.end.at:
                found.append(
                    ("Contract", period.end, period.max_extent, "extension", f"{period.label}: extensions")
                )
        else:
            for when, what in ((period.start, "starts"), (period.end, "ends")):
                if when is not None:
                    found.append(("Contract", when, None, "event", f"{period.label} {what}"))
    return found


def _ticks(first: date, last: date, scale: float, left: float) -> list[tuple[float, str]]:
    months = (last.year - first.year) * 12 + last.month - first.month
    step = 1 if months <= 8 else 3 if months <= 30 else 12 if months <= 120 else 60
    year, month = first.year, first.month
    ticks: list[tuple[float, str]] = []
    while (year, month) <= (last.year, last.month):
        if (month - 1) % step == 0:
            tick = date(year, month, 1)
            if tick >= first:
                x = left + (tick - first).days * scale
                label = (
                    str(year)
                    if step >= 12
                    else f"{tick:%b} {year}"
                    if month == 1 or not ticks
                    else f"{tick:%b}"
                )
                ticks.append((round(x, 1), label))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return ticks


def timeline(notice: Notice, now: datetime) -> Timeline | None:
    """The layout of the notice's timeline; None when it has no dates at all."""
    facts = _collect(notice)
    if not facts:
        return None
    today = now.astimezone(UTC).date()
    days = [when.day for _, start, end, _, _ in facts for when in (start, end) if when is not None]
    first, last = min([*days, today]), max([*days, today])
    span = max((last - first).days, 30)
    pad = max(span // 30, 3)
    first = date.fromordinal(first.toordinal() - pad)
    last = date.fromordinal(last.toordinal() + pad)
    left, right = LABEL_WIDTH, WIDTH - RIGHT
    scale = (right - left) / max((last - first).days, 1)

    def x_of(day: date) -> float:
        return round(left + (day - first).days * scale, 1)

    used = [lane for lane in LANES if any(fact[0] == lane for fact in facts)]
    lanes = tuple((lane, TOP + i * LANE_HEIGHT + LANE_HEIGHT / 2) for i, lane in enumerate(used))
    lane_y = dict(lanes)
    last_label: dict[str, float] = {}
    marks: list[Mark] = []
    events: list[Event] = []
    for lane, start, end, style, title in sorted(facts, key=lambda fact: (used.index(fact[0]), fact[1].day)):
        x = x_of(start.day)
        x2 = x_of(end.day) if end is not None else None
        when_text = start.text if end is None else f"{start.text} to {end.text}"
        label = None
        if x2 is None and x - last_label.get(lane, -1e9) >= MIN_LABEL_GAP:
            label = day_text(start.day)
            last_label[lane] = x
        marks.append(Mark(used.index(lane), x, x2, lane_y[lane], style, f"{title}: {when_text}", label))
        events.append(Event(lane, start.day, when_text, title))
    height = int(TOP + len(used) * LANE_HEIGHT + AXIS)
    stages = ", ".join(lane.lower() for lane in used)
    return Timeline(
        width=WIDTH,
        height=height,
        plot_left=left,
        plot_right=right,
        axis_y=int(TOP + len(used) * LANE_HEIGHT),
        lanes=lanes,
        marks=tuple(marks),
        ticks=tuple(_ticks(first, last, scale, left)),
        today_x=x_of(today),
        today_text=f"Today, {day_text(today)}",
        events=tuple(sorted(events, key=lambda event: event.day)),
        description=f"Timeline from {day_text(min(days))} to {day_text(max(days))}: {stages}. "
        "The same events are listed in the table that follows.",
    )
