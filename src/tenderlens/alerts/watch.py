"""What changed on a watched notice that matters to a bidder, from its compiled release.

The watchlist keeps the :func:`watch_state` it last alerted on (``seen_state``); the next
cycle compares it with the current compiled release: the submission deadline moved, a new
document, an award published, the tender or an award cancelled. Edits of wording alone do
not alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from tenderlens.notice.safe import obj, objs, text
from tenderlens.notice.when import make_when

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

NOT_AWARDED: Final = frozenset({"cancelled", "unsuccessful"})


@dataclass(frozen=True, slots=True)
class Change:
    """``kind``: deadline | document | award | cancelled."""

    kind: str
    text: str


def _documents(compiled: Mapping[str, Any]) -> dict[str, str]:
    sections = [obj(compiled.get("tender")), *objs(compiled.get("awards")), *objs(compiled.get("contracts"))]
    found: dict[str, str] = {}
    for section in sections:
        for document in objs(section.get("documents")):
            key = text(document.get("id")) or text(document.get("url"))
            if key:
                found[key] = text(document.get("title")) or text(document.get("documentType")) or key
    return found


def watch_state(compiled: Mapping[str, Any]) -> dict[str, Any]:
    """The facts of a notice that alerts compare, as JSON-ready data."""
    tender = obj(compiled.get("tender"))
    awards = {}
    for award in objs(compiled.get("awards")):
        key = text(award.get("id"))
        if key:
            suppliers = [text(party.get("name")) for party in objs(award.get("suppliers"))]
            awards[key] = {
                "status": text(award.get("status")),
                "title": text(award.get("title")) or ", ".join(name for name in suppliers if name) or key,
            }
    return {
        "deadline": text(obj(tender.get("tenderPeriod")).get("endDate")),
        "tender_status": text(tender.get("status")),
        "documents": _documents(compiled),
        "awards": awards,
    }


def _date(raw: str | None, now: datetime) -> str:
    when = make_when(raw, now) if raw else None
    return when.text if when else (raw or "no date")


def changes(seen: Mapping[str, Any], current: Mapping[str, Any], now: datetime) -> list[Change]:
    """What matters that differs between the state last alerted on and the current one."""
    found: list[Change] = []
    if current.get("tender_status") == "cancelled" and seen.get("tender_status") != "cancelled":
        found.append(Change("cancelled", "The tender was cancelled"))
    before, after = seen.get("deadline"), current.get("deadline")
    if after != before and after:
        if before:
            found.append(
                Change(
                    "deadline", f"Submission deadline moved from {_date(before, now)} to {_date(after, now)}"
                )
            )
        else:
            found.append(Change("deadline", f"Submission deadline set: {_date(after, now)}"))
    seen_documents = obj(seen.get("documents"))
    for key, title in obj(current.get("documents")).items():
        if key not in seen_documents:
            found.append(Change("document", f"New document: {title}"))
    seen_awards = obj(seen.get("awards"))
    for key, award in obj(current.get("awards")).items():
        status = obj(award).get("status")
        title = obj(award).get("title") or key
        was = obj(seen_awards.get(key)).get("status") if key in seen_awards else None
        if status == was:
            continue
        if status == "cancelled":
            found.append(Change("cancelled", f"Award cancelled: {title}"))
        elif status not in NOT_AWARDED and (was is None or was in NOT_AWARDED or was == "pending"):
            found.append(Change("award", f"Award published: {title}" + (f" ({status})" if status else "")))
    return found
