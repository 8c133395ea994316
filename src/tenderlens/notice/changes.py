"""What changed between consecutive releases, field by field, in words.

A pure function over the *versioned* release (ocdsmerge's output, where every field keeps a
list of ``{releaseID, releaseDate, releaseTag, value}`` versions, one per change). The first
release sets things up; each later release is described by what it changed: "Submission
deadline moved from 3 Jun 2026 to 10 Jun 2026 (7 days later)", "Estimated value changed from
£100,000 to £120,000 (up 20%)", "Lot 2 added: Catering", "Document added: Tender pack".

Never raises on odd data: anything it cannot read is skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

import orjson

from tenderlens.notice.model import Change, ReleaseChanges
from tenderlens.notice.safe import number, text
from tenderlens.notice.when import date_text, make_when
from tenderlens.notice.words import amount_text, camel_words, status_words, tag_words
from tenderlens.ocds.dates import parse_instant

if TYPE_CHECKING:
    from datetime import datetime

VERSION_KEYS: Final = frozenset({"releaseID", "releaseDate", "releaseTag", "value"})
LONG_TEXT: Final = 120
# A path step: a key, or a key with the id of the array member it leads into.
Step = tuple[str, str | None]
Path = tuple[Step, ...]

FIELD_WORDS: Final = {
    ("tender", "tenderPeriod", "endDate"): "Submission deadline",
    ("tender", "tenderPeriod", "startDate"): "Tender period start",
    ("tender", "enquiryPeriod", "endDate"): "Clarification deadline",
    ("tender", "awardPeriod", "endDate"): "Award decision date",
    ("tender", "expressionOfInterestDeadline"): "Expression of interest deadline",
    ("tender", "communication", "futureNoticeDate"): "Future notice date",
    ("tender", "value", "amount"): "Estimated value",
    ("tender", "value", "amountGross"): "Estimated value incl. VAT",
    ("tender", "minValue", "amount"): "Minimum value",
    ("tender", "title"): "Title",
    ("tender", "description"): "Description",
    ("tender", "status"): "Tender status",
    ("tender", "contractPeriod", "startDate"): "Contract start",
    ("tender", "contractPeriod", "endDate"): "Contract end",
    ("tender", "contractPeriod", "maxExtentDate"): "Contract end with extensions",
    ("tender", "mainProcurementCategory"): "Procurement category",
    ("tender", "procurementMethod"): "Procurement method",
    ("tender", "procurementMethodDetails"): "Procurement method details",
    ("tender", "suitability", "sme"): "Suitable for SMEs",
    ("tender", "suitability", "vcse"): "Suitable for VCSEs",
}
# Field words inside an array member ("Lot 2 value", "Award 1 status").
MEMBER_FIELD_WORDS: Final = {
    ("value", "amount"): "value",
    ("value", "amountGross"): "value incl. VAT",
    ("contractPeriod", "startDate"): "contract start",
    ("contractPeriod", "endDate"): "contract end",
    ("contractPeriod", "maxExtentDate"): "contract end with extensions",
    ("period", "startDate"): "start",
    ("period", "endDate"): "end",
    ("period", "maxExtentDate"): "end with extensions",
    ("standstillPeriod", "endDate"): "standstill end",
    ("dateSigned",): "signature date",
    ("datePublished",): "publication date",
    ("dateModified",): "modification date",
    ("dueDate",): "due date",
}
MEMBER_NAMES: Final = {
    "lots": "Lot",
    "awards": "Award",
    "contracts": "Contract",
    "documents": "Document",
    "items": "Item",
    "milestones": "Milestone",
    "amendments": "Amendment",
    "parties": "Party",
    "suppliers": "Supplier",
    "tenderers": "Tenderer",
    "criteria": "Criterion",
    "statistics": "Bid statistic",
}
NUMBERED: Final = frozenset({"lots", "awards", "contracts", "items"})  # shown with their id


def _is_mapping(value: object) -> bool:
    # ``dict`` first: the data is plain JSON, and the ``Mapping`` check goes through ``abc`` (slow).
    return type(value) is dict or isinstance(value, Mapping)


def _is_versions(value: object) -> bool:
    if not isinstance(value, list) or not value:
        return False
    for version in value:
        if not _is_mapping(version) or "releaseID" not in version or not VERSION_KEYS.issuperset(version):
            return False
    return True


def _leaves(node: object, path: Path) -> list[tuple[Path, list[Mapping[str, Any]]]]:
    """Every field's list of versions, with its path, depth first in key order."""
    found: list[tuple[Path, list[Mapping[str, Any]]]] = []
    if _is_versions(node):
        assert isinstance(node, list)
        found.append((path, node))
    elif _is_mapping(node):
        assert isinstance(node, Mapping)
        _collect(node, path, found)
    return found


def _collect(node: Mapping[str, Any], path: Path, found: list[tuple[Path, list[Mapping[str, Any]]]]) -> None:
    for key, value in node.items():
        if isinstance(value, list):
            if _is_versions(value):
                found.append(((*path, (str(key), None)), value))
                continue
            for member in value:
                if _is_mapping(member):
                    member_id = member.get("id")
                    step = (str(key), None if member_id is None else str(member_id))
                    _collect(member, (*path, step), found)
        elif _is_mapping(value):
            _collect(value, (*path, (str(key), None)), found)


def _keys(path: Path) -> tuple[str, ...]:
    return tuple(key for key, _ in path)


def _path_text(path: Path) -> str:
    return ".".join(key if member is None else f"{key}[{member}]" for key, member in path)


class _Names:
    """How to name array members: "Lot 2", "Award 1", "Document “Tender pack”"."""

    def __init__(self, ocid: str | None, leaves: list[tuple[Path, list[Mapping[str, Any]]]]) -> None:
        self.prefix = f"{ocid}-" if ocid else None
        self.titles: dict[Path, str] = {}
        rank = {"title": 0, "name": 1, "description": 2}
        best: dict[Path, int] = {}
        for path, versions in leaves:
            if len(path) >= 2 and path[-1][0] in rank and path[-2][1] is not None:
                value = text(versions[-1].get("value"))
                owner = path[:-1]
                if value and rank[path[-1][0]] < best.get(owner, 9):
                    best[owner] = rank[path[-1][0]]
                    self.titles[owner] = value

    def title(self, prefix: Path, limit: int = LONG_TEXT) -> str | None:
        value = self.titles.get(prefix)
        if value is None:
            return None
        return value if len(value) <= limit else value[: limit - 1] + "…"

    def member(self, prefix: Path) -> str:
        key, member = prefix[-1]
        name = MEMBER_NAMES.get(key) or camel_words(key).rstrip("s")
        if key in NUMBERED and member:
            if self.prefix and member.startswith(self.prefix):
                member = member.removeprefix(self.prefix)
            return f"{name} {member}"
        title = self.title(prefix, 60)
        return (
            f"{name} \N{LEFT DOUBLE QUOTATION MARK}{title}\N{RIGHT DOUBLE QUOTATION MARK}" if title else name
        )

    def field(self, path: Path) -> str:
        keys = _keys(path)
        if keys in FIELD_WORDS:
            return FIELD_WORDS[keys]
        members = [i for i, (_, member) in enumerate(path) if member is not None]
        if members:
            last = members[-1]
            rest = keys[last + 1 :]
            words = MEMBER_FIELD_WORDS.get(rest) or " ".join(camel_words(key).lower() for key in rest)
            return f"{self.member(path[: last + 1])} {words}".strip()
        return " ".join(
            camel_words(key) if i == 0 else camel_words(key).lower() for i, key in enumerate(keys)
        )


def _show(value: object, keys: tuple[str, ...], currency: str | None) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    amount = number(value)
    if amount is not None:
        return (
            amount_text(amount, currency) if keys and keys[-1] in {"amount", "amountGross"} else f"{amount:g}"
        )
    if isinstance(value, str):
        shown = date_text(value)
        if shown is not None:
            return shown
        if keys and keys[-1] == "status":
            return status_words(value) or value
        if keys and keys[-1] in {"mainProcurementCategory", "procurementMethod", "documentType"}:
            return camel_words(value)
        return value
    dumped = orjson.dumps(value).decode()
    return dumped if len(dumped) <= LONG_TEXT else dumped[: LONG_TEXT - 1] + "…"


def _date_shift(before: object, after: object) -> str | None:
    if not isinstance(before, str) or not isinstance(after, str):
        return None
    first, second = _instant(before), _instant(after)
    if first is None or second is None:
        return None
    days = (second.date() - first.date()).days
    if days == 0:
        return "later the same day" if second > first else "earlier the same day"
    word = "day" if abs(days) == 1 else "days"
    return f"{abs(days)} {word} {'later' if days > 0 else 'earlier'}"


# The same dates come back in every version of a field, and on every page of the notice.
_instant: Final = lru_cache(maxsize=16_384)(parse_instant)


def _percent(before: object, after: object) -> str | None:
    first, second = number(before), number(after)
    if first is None or second is None or first == 0:
        return None
    change = (second - first) / abs(first) * 100
    return f"{'up' if change > 0 else 'down'} {abs(change):.0f}%"


def _describe(
    place: tuple[tuple[str, ...], str, str], before: object, after: object, *, currency: str | None
) -> Change:
    """One change of the field at ``place``: (its keys, its path as text, its name in words)."""
    keys, where, field = place
    shown_before = None if before is None else _show(before, keys, currency)
    shown_after = None if after is None else _show(after, keys, currency)
    if before is None:
        return Change("set", where, field, None, shown_after, f"{field} set to {shown_after}")
    if after is None:
        return Change("removed", where, field, shown_before, None, f"{field} removed (was {shown_before})")
    long_text = isinstance(after, str) and (len(after) > LONG_TEXT or len(str(before)) > LONG_TEXT)
    if long_text:
        return Change("changed", where, field, shown_before, shown_after, f"{field} changed")
    shift = _date_shift(before, after)
    if shift is not None:
        sentence = f"{field} moved from {shown_before} to {shown_after} ({shift})"
    else:
        percent = _percent(before, after)
        suffix = f" ({percent})" if percent else ""
        sentence = f"{field} changed from {shown_before} to {shown_after}{suffix}"
    return Change("changed", where, field, shown_before, shown_after, sentence)


def _release_order(
    leaves: list[tuple[Path, list[Mapping[str, Any]]]], given: Collection[str] = ()
) -> list[tuple[str, Any, Any]]:
    """(release id, date, tags) of every release the versioned release names but ``given``, in date order.

    ``given`` are the stored releases' ids, already in merge order: only the others (seldom
    any) have their dates parsed and sorted.
    """
    seen: dict[str, tuple[Any, Any]] = {}
    for _, versions in leaves:
        for version in versions:
            rid = str(version.get("releaseID"))
            if rid not in seen:  # most versions name a release already seen: build nothing for them
                seen[rid] = (version.get("releaseDate"), version.get("releaseTag"))
    rest = [rid for rid in seen if rid not in given]
    instants = {rid: parse_instant(seen[rid][0]) for rid in rest}

    def key(rid: str) -> tuple[bool, float, str]:
        instant = instants[rid]
        return instant is None, instant.timestamp() if instant else 0.0, rid

    return [(rid, *seen[rid]) for rid in sorted(rest, key=key)]


def what_changed(
    versioned: Mapping[str, Any] | None,
    now: datetime,
    releases_in_order: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[ReleaseChanges, ...]:
    """Each release in merge order with what it changed.

    ``releases_in_order`` are the stored releases in merge order: they fix the order and
    list releases that changed nothing (the versioned release does not name those). Without
    them, the versioned release's dates give the order.
    """
    if not isinstance(versioned, Mapping):
        return ()
    leaves = _leaves(versioned, ())
    names = _Names(text(versioned.get("ocid")), leaves)
    if releases_in_order:
        given = {str(r.get("id")) for r in releases_in_order if isinstance(r, Mapping)}
        releases = [
            (str(release.get("id")), release.get("date"), release.get("tag"))
            for release in releases_in_order
            if isinstance(release, Mapping)
        ] + _release_order(leaves, given)
    else:
        releases = _release_order(leaves)
    index = {rid: i for i, (rid, _, _) in enumerate(releases)}
    starts = [index.get(str(versions[0].get("releaseID")), 0) for _, versions in leaves]
    currencies = {
        path[:-1]: str(versions[-1].get("value"))
        for path, versions in leaves
        if path and path[-1][0] == "currency" and isinstance(versions[-1].get("value"), str)
    }
    # Array members (lots, documents, awards…) first seen after the first release: "added".
    first_seen: dict[Path, int] = {}
    for (path, _versions), start in zip(leaves, starts, strict=True):
        for depth, (_, member) in enumerate(path):
            if member is not None:
                prefix = path[: depth + 1]
                first_seen[prefix] = min(first_seen.get(prefix, start), start)
    found: dict[int, list[Change]] = {i: [] for i in range(len(releases))}
    for prefix, start in sorted(first_seen.items(), key=lambda item: _path_text(item[0])):
        if (
            start > 0
            and not any(  # not when its parent (a lot holding this document) is new too
                first_seen.get(prefix[:d]) == start for d in range(1, len(prefix)) if prefix[d - 1][1]
            )
        ):
            key, member = prefix[-1]
            label = names.member(prefix) if key in NUMBERED and member else MEMBER_NAMES.get(key, "Entry")
            title = names.title(prefix)
            sentence = f"{label} added" + (f": {title}" if title else "")
            found[start].append(Change("added", _path_text(prefix), label, None, title, sentence))
    for (path, versions), start in zip(leaves, starts, strict=True):
        if len(versions) == 1 and start == 0:
            continue  # set by the first release and never changed: the usual case, nothing to say
        currency = currencies.get(path[:-1])
        place: tuple[tuple[str, ...], str, str] | None = None  # worked out at its first change
        if (
            start > 0
            and versions[0].get("value") is not None
            and not any(  # covered by an "added" line for the member that holds it
                first_seen.get(path[: d + 1]) == start for d, (_, m) in enumerate(path) if m is not None
            )
        ):
            place = (_keys(path), _path_text(path), names.field(path))
            found[start].append(_describe(place, None, versions[0].get("value"), currency=currency))
        for previous, current in itertools.pairwise(versions):
            before, after = previous.get("value"), current.get("value")
            if before == after:
                continue
            at = index.get(str(current.get("releaseID")))
            if at is not None:
                if place is None:
                    place = (_keys(path), _path_text(path), names.field(path))
                found[at].append(_describe(place, before, after, currency=currency))
    out = []
    for i, (rid, date, tags) in enumerate(releases):
        tag_list = tuple(str(tag) for tag in tags) if isinstance(tags, list) else ()
        when = make_when(date, now)
        out.append(
            ReleaseChanges(
                release_id=rid,
                date=date if isinstance(date, str) else None,
                date_text=when.text if when else None,
                tags=tag_list,
                tag_words=tuple(tag_words(tag) for tag in tag_list),
                first=i == 0,
                changes=tuple(found[i]),
            )
        )
    return tuple(out)
