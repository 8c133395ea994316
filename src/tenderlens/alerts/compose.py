"""The alert e-mails: plain text first, the same in simple HTML, every value escaped.

A digest has one section per saved search, each with its matches (and, when the user has a
profile, why each one fits), a link to the search, its private feed and its own unsubscribe
link. ``List-Unsubscribe`` (with one-click ``List-Unsubscribe-Post``) names the same links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Final

SUBJECTS: Final = {
    "instant": "New notices for your saved search",
    "daily": "Your daily tenderlens digest",
    "weekly": "Your weekly tenderlens digest",
}


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    url: str
    buyer: str | None = None
    facts: tuple[str, ...] = ()  # "Deadline: 20 Jun 2026", "Value: £100,000"
    fit: str | None = None  # "Strong match"
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchSection:
    name: str
    search_url: str
    feed_url: str
    unsubscribe_url: str
    items: tuple[Item, ...]
    more: int = 0  # matches left out of the e-mail


@dataclass(frozen=True, slots=True)
class WatchItem:
    title: str
    url: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def _item_text(item: Item) -> list[str]:
    lines = [f"* {item.title}", f"  {item.url}"]
    if item.buyer:
        lines.append(f"  {item.buyer}")
    lines.extend(f"  {fact}" for fact in item.facts)
    if item.fit:
        lines.append(f"  {item.fit}: " + ("; ".join(item.reasons) or "nothing in your profile matches"))
    return lines


def _item_html(item: Item) -> str:
    parts = [f'<li><p><a href="{escape(item.url)}">{escape(item.title)}</a></p>']
    if item.buyer:
        parts.append(f"<p>{escape(item.buyer)}</p>")
    if item.facts:
        parts.append("<p>" + " · ".join(escape(fact) for fact in item.facts) + "</p>")
    if item.fit:
        reasons = "".join(f"<li>{escape(reason)}</li>" for reason in item.reasons)
        parts.append(f"<p><strong>{escape(item.fit)}</strong></p><ul>{reasons}</ul>")
    parts.append("</li>")
    return "".join(parts)


def digest(frequency: str, sections: list[SearchSection]) -> Email:
    """One e-mail for all of a user's saved searches of one frequency that found something."""
    count = sum(len(section.items) + section.more for section in sections)
    subject = SUBJECTS.get(frequency, SUBJECTS["instant"])
    if len(sections) == 1:
        subject = f"{count} new notice{'s' if count != 1 else ''} for “{sections[0].name}”"
        if frequency != "instant":
            subject = f"{SUBJECTS[frequency]}: {subject}"
    text: list[str] = []
    html: list[str] = ["<!doctype html><html><body>"]
    for section in sections:
        text.extend([f"{section.name}", "=" * min(len(section.name), 70), ""])
        html.append(f'<h2><a href="{escape(section.search_url)}">{escape(section.name)}</a></h2><ul>')
        for item in section.items:
            text.extend([*_item_text(item), ""])
            html.append(_item_html(item))
        html.append("</ul>")
        if section.more:
            text.append(f"… and {section.more} more: {section.search_url}")
            html.append(f'<p><a href="{escape(section.search_url)}">… and {section.more} more</a></p>')
        text.extend(
            [
                f"See the search: {section.search_url}",
                f"Private feed of this search (Atom): {section.feed_url}",
                f"Stop these alerts: {section.unsubscribe_url}",
                "",
            ]
        )
        html.append(
            f'<p><a href="{escape(section.feed_url)}">Private feed of this search</a> · '
            f'<a href="{escape(section.unsubscribe_url)}">Stop these alerts</a></p>'
        )
    html.append("</body></html>")
    headers = {
        "List-Unsubscribe": ", ".join(f"<{section.unsubscribe_url}>" for section in sections),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return Email(subject, "\n".join(text), "".join(html), headers)


def watch_digest(items: list[WatchItem], manage_url: str) -> Email:
    """One e-mail with what changed on the user's watched notices and the reminders due."""
    subject = f"Changes and reminders for {len(items)} watched notice{'s' if len(items) != 1 else ''}"
    if len(items) == 1:
        subject = f"Watched notice: {items[0].title}"
    text: list[str] = []
    html: list[str] = ["<!doctype html><html><body><ul>"]
    for item in items:
        text.extend([f"* {item.title}", f"  {item.url}", *(f"  - {line}" for line in item.lines), ""])
        lines = "".join(f"<li>{escape(line)}</li>" for line in item.lines)
        html.append(f'<li><p><a href="{escape(item.url)}">{escape(item.title)}</a></p><ul>{lines}</ul></li>')
    text.append(f"Your watchlist (stop watching a notice there): {manage_url}")
    html.append(f'</ul><p><a href="{escape(manage_url)}">Your watchlist</a></p></body></html>')
    return Email(subject, "\n".join(text), "".join(html))
