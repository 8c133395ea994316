"""Reminders before a watched notice's submission deadline and its engagement events.

With lead times of 7 and 1 days, a deadline gets a reminder a week before and another the
day before; a notice watched only three days before its deadline gets just the one-day
reminder (the tightest lead time already reached). Each reminder's key names the event, its
date and the lead time, so a moved deadline is reminded again and nothing is sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from tenderlens.notice.model import Notice, When


@dataclass(frozen=True, slots=True)
class Event:
    key: str  # submission-deadline | engagement-<i>
    title: str
    when: When


@dataclass(frozen=True, slots=True)
class Reminder:
    event: Event
    lead_days: int

    @property
    def key(self) -> str:
        return f"{self.event.key}:{self.event.when.raw}:{self.lead_days}d"

    def text(self, now: datetime) -> str:
        left = self.event.when.at - now
        days = left.days
        hours = int(left.total_seconds() // 3600)
        soon = f"in {days} day{'s' if days != 1 else ''}" if days >= 1 else f"in {max(hours, 0)} hours"
        return f"{self.event.title}: {self.event.when.text} ({soon})"


def events(notice: Notice) -> list[Event]:
    """The dates worth a reminder: the submission deadline and every engagement event."""
    found: list[Event] = []
    if notice.dates.submission_deadline is not None:
        found.append(Event("submission-deadline", "Submission deadline", notice.dates.submission_deadline))
    for i, milestone in enumerate(notice.dates.engagement):
        if milestone.due is not None:
            title = milestone.title or milestone.type_words or "Engagement event"
            found.append(Event(f"engagement-{i}", title, milestone.due))
    return found


def due_reminders(found: Iterable[Event], lead_days: tuple[int, ...], now: datetime) -> list[Reminder]:
    """For each future event whose lead time has been reached, the reminder for the tightest lead."""
    reminders = []
    for event in found:
        if event.when.at <= now:
            continue
        reached = [days for days in lead_days if now >= event.when.at - timedelta(days=days)]
        if reached:
            reminders.append(Reminder(event, min(reached)))
    return reminders
