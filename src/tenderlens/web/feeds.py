"""Feeds and files: Atom for any search, iCalendar for a notice or a search, CSV and OCDS JSON Lines.

Atom is written with ElementTree and iCalendar with the ``icalendar`` package, so every value
from the data is escaped by the library, never pasted into markup.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final
from urllib.parse import quote

import icalendar

from tenderlens import __version__
from tenderlens.notice.when import make_when
from tenderlens.search.request import SOURCES

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from tenderlens.notice.model import Notice, When
    from tenderlens.search.run import Hit

ATOM: Final = "http://www.w3.org/2005/Atom"
PRODID: Final = f"-//tenderlens//tenderlens {__version__}//EN"
CSV_COLUMNS: Final = (
    "ocid",
    "title",
    "buyer",
    "notice_type",
    "stage",
    "tender_status",
    "value_amount",
    "value_currency",
    "published",
    "submission_deadline",
    "future_notice_date",
    "contract_end",
    "source",
    "url",
)


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    key: str  # unique within the notice
    when: When
    summary: str
    description: str


def _utc(text: str | None, fallback: datetime) -> str:
    if text:
        return text
    return fallback.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(
    title: str, self_url: str, page_url: str, hits: Iterable[Hit], *, base_url: str, now: datetime
) -> bytes:
    """An Atom 1.0 feed of search results, newest information first as the search ordered it."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    entries = list(hits)
    newest = max((hit.updated or hit.published or "" for hit in entries), default="")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _utc(newest or None, now)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url, type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=page_url, type="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "tenderlens"
    ET.SubElement(feed, f"{{{ATOM}}}generator", version=__version__).text = "tenderlens"
    for hit in entries:
        url = f"{base_url}/notices/{_quote(hit.ocid)}"
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}title").text = hit.title or hit.ocid
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _utc(hit.updated or hit.published, now)
        if hit.published:
            ET.SubElement(entry, f"{{{ATOM}}}published").text = hit.published
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=url, type="text/html")
        writer = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(writer, f"{{{ATOM}}}name").text = hit.buyer_name or "Buyer not stated"
        if hit.stage:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=hit.stage, label=hit.stage.capitalize())
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = _summary(hit, now)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def _quote(value: str) -> str:
    return quote(value, safe="")


def _summary(hit: Hit, now: datetime) -> str:
    lines = []
    facts = [hit.notice_type_name, hit.stage.capitalize() if hit.stage else None, hit.value_text]
    if any(facts):
        lines.append(" · ".join(fact for fact in facts if fact))
    deadline = make_when(hit.deadline_raw, now) if hit.deadline_raw else None
    if deadline:
        lines.append(f"Submission deadline: {deadline.text}")
    if hit.excerpt:
        lines.append(hit.excerpt)
    lines.append(f"Published on {SOURCES.get(hit.source, hit.source)}.")
    return "\n".join(lines)


def notice_events(notice: Notice) -> list[CalendarEvent]:
    """Every dated fact of a notice worth a calendar entry."""
    name = notice.title or notice.ocid or "Notice"
    dates = notice.dates
    found: list[CalendarEvent] = []

    def add(key: str, when: When | None, what: str, detail: str = "") -> None:
        if when is not None:
            found.append(CalendarEvent(key, when, f"{what}: {name}", detail))

    add("submission-deadline", dates.submission_deadline, "Submission deadline")
    add("enquiry-deadline", dates.enquiry_deadline, "Clarification deadline")
    add("eoi-deadline", dates.expression_of_interest_deadline, "Expression of interest deadline")
    add("future-notice", dates.future_notice_date, "Next notice expected")
    add("award-decision", dates.award_decision, "Award decision expected")
    for i, milestone in enumerate((*dates.engagement, *dates.milestones)):
        add(
            f"milestone-{i}",
            milestone.due,
            milestone.title or milestone.type_words,
            milestone.description or "",
        )
    for i, award in enumerate(notice.awards):
        add(f"award-{i}-standstill", award.standstill_end, "Standstill period ends")
        add(f"award-{i}-signature", award.signature_due, "Contract signature expected")
    for i, period in enumerate(dates.contract_periods):
        add(f"period-{i}-start", period.start, f"Contract starts ({period.label})", period.text)
        add(f"period-{i}-end", period.end, f"Contract ends ({period.label})", period.text)
        add(
            f"period-{i}-extent",
            period.max_extent,
            f"Contract end with all extensions ({period.label})",
            period.text,
        )
    return found


def hit_events(hit: Hit, now: datetime) -> list[CalendarEvent]:
    """The dates a search result carries: deadline, next notice, contract end."""
    name = hit.title or hit.ocid
    found = []
    for key, raw, what in (
        ("submission-deadline", hit.deadline_raw, "Submission deadline"),
        ("future-notice", hit.future_notice_raw, "Next notice expected"),
        ("contract-end", hit.contract_end_raw, "Contract ends"),
    ):
        when = make_when(raw, now) if raw else None
        if when is not None:
            found.append(CalendarEvent(key, when, f"{what}: {name}", hit.buyer_name or ""))
    return found


def calendar(name: str, items: Iterable[tuple[str, str, list[CalendarEvent]]], now: datetime) -> bytes:
    """An iCalendar file: ``items`` are (ocid, notice URL, events)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for ocid, url, events in items:
        for event in events:
            entry = icalendar.Event()
            entry.add("uid", f"{ocid}/{event.key}@tenderlens")
            entry.add("dtstamp", stamp)
            if event.when.has_time:
                entry.add("dtstart", event.when.at.astimezone(UTC))
            else:
                entry.add("dtstart", event.when.day)
                entry.add("dtend", event.when.day + timedelta(days=1))
            entry.add("summary", event.summary)
            description = "\n".join(part for part in (event.description, url) if part)
            entry.add("description", description)
            entry.add("url", url)
            cal.add_component(entry)
    body: bytes = cal.to_ical()
    return body


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def csv_rows(hits: Iterable[Hit], base_url: str) -> Iterator[str]:
    """The CSV export, a line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for hit in hits:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            [
                _cell(value)
                for value in (
                    hit.ocid,
                    hit.title,
                    hit.buyer_name,
                    hit.notice_type,
                    hit.stage,
                    hit.status,
                    hit.value_amount,
                    hit.value_currency,
                    hit.published_raw,
                    hit.deadline_raw,
                    hit.future_notice_raw,
                    hit.contract_end_raw,
                    hit.source,
                    f"{base_url}/notices/{_quote(hit.ocid)}",
                )
            ]
        )
        yield buffer.getvalue()
