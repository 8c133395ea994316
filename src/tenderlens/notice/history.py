"""Release history, notice types and the latest notice.

The notice type of a release is the ``noticeType`` of the document whose ``id`` equals the
release ``id`` (FTS), or the Contracts Finder notice document whose URL names the release.
When the publisher gave only a compiled release, the history is rebuilt from its notice
documents, ordered by ``datePublished``, without inventing release tags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tenderlens.notice.model import HistoryEntry, NoticeKind
from tenderlens.notice.safe import ident, obj, objs, strings, text
from tenderlens.notice.words import DASH, FTS_NOTICE_URL, NOTICE_DOCUMENT_TYPES, tag_words

if TYPE_CHECKING:
    from datetime import datetime

    from tenderlens.notice.context import Context

FTS_NOTICE_ID = re.compile(r"\d{6}-\d{4}")
PUBLISHER_SUFFIXES = (" on Find a Tender", " on Contracts Finder")


def document_sections(release: Mapping[str, Any]) -> list[tuple[str, object]]:
    """(section label, documents array) for planning, tender, each award and each contract."""
    sections: list[tuple[str, object]] = [
        ("Planning", obj(release.get("planning")).get("documents")),
        ("Tender", obj(release.get("tender")).get("documents")),
    ]
    for index, award in enumerate(objs(release.get("awards")), start=1):
        sections.append((f"Award {ident(award.get('id')) or index}", award.get("documents")))
    for index, contract in enumerate(objs(release.get("contracts")), start=1):
        label = f"Contract {ident(contract.get('id')) or index}"
        sections.append((label, contract.get("documents")))
        sections.append((f"{label} implementation", obj(contract.get("implementation")).get("documents")))
    return sections


def is_notice(doc: Mapping[str, Any]) -> bool:
    """A published notice: it has a ``noticeType``, or a notice document type and a publication date."""
    if text(doc.get("noticeType")):
        return True
    return (
        text(doc.get("documentType")) in NOTICE_DOCUMENT_TYPES and text(doc.get("datePublished")) is not None
    )


def notice_documents(release: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Notice documents of a release, each (id, url) once, in document order."""
    found: dict[tuple[str | None, str | None], Mapping[str, Any]] = {}
    for _, value in document_sections(release):
        for doc in objs(value):
            if is_notice(doc):
                found.setdefault((ident(doc.get("id")), text(doc.get("url"))), doc)
    return list(found.values())


def _name_from_description(description: str | None) -> str | None:
    """``Opportunity notice`` from "Opportunity notice on Contracts Finder" (only such descriptions)."""
    if description:
        for suffix in PUBLISHER_SUFFIXES:
            if description.endswith(suffix) and len(description) > len(suffix):
                name = description[: -len(suffix)].strip()
                return name[:1].upper() + name[1:]
    return None


def kind_of_document(ctx: Context, doc: Mapping[str, Any]) -> NoticeKind | None:
    code = text(doc.get("noticeType"))
    described = _name_from_description(text(doc.get("description")))
    if code is not None:
        known = ctx.reference.notice_type(code)
        name = known.name if known is not None else described
        return NoticeKind(
            code=code,
            name=name,
            regime=known.regime if known is not None else None,
            determined=True,
            text=f"{code} {DASH} {name}" if name else code,
        )
    if described is not None:
        return NoticeKind(code=None, name=described, regime=None, determined=True, text=described)
    return None


def undetermined(tags: Sequence[str], legal_basis: str | None, regime: str | None) -> NoticeKind:
    """A notice type the data does not state; the text says what the data does show."""
    shown = []
    if tags:
        shown.append("release tags: " + ", ".join(tag_words(tag) for tag in tags))
    if regime or legal_basis:
        shown.append(f"legal basis: {regime or legal_basis}")
    suffix = f" ({'; '.join(shown)})" if shown else ""
    return NoticeKind(
        code=None, name=None, regime=regime, determined=False, text=f"Not stated in the data{suffix}"
    )


def _release_document(release: Mapping[str, Any], release_id: str) -> Mapping[str, Any] | None:
    """The notice document of one release: same id (FTS), or a URL naming the release (CF)."""
    docs = notice_documents(release)
    for doc in docs:
        if ident(doc.get("id")) == release_id:
            return doc
    for doc in docs:
        url = text(doc.get("url")) or ""
        notice = url.rstrip("/").rsplit("/", 1)[-1]
        if "/Notice/" in url and notice and release_id.startswith(notice + "-"):
            return doc
    return None


def notice_url(ocid: str | None, notice_id: str | None, doc: Mapping[str, Any] | None) -> str | None:
    url = text(doc.get("url")) if doc is not None else None
    if (
        url is None
        and notice_id
        and ocid
        and ocid.startswith("ocds-h6vhtk-")
        and FTS_NOTICE_ID.fullmatch(notice_id)
    ):
        url = FTS_NOTICE_URL.format(id=notice_id)
    return url


def amendment_notes(compiled: Mapping[str, Any]) -> dict[str, str]:
    """Amendment id → its description (or "" if none), over tender, awards and contracts."""
    found: dict[str, str] = {}
    owners = [obj(compiled.get("tender")), *objs(compiled.get("awards")), *objs(compiled.get("contracts"))]
    for owner in owners:
        for amendment in objs(owner.get("amendments")):
            amendment_id = ident(amendment.get("id"))
            if amendment_id is not None and not found.get(amendment_id):
                found[amendment_id] = text(amendment.get("description")) or ""
    return found


def from_releases(
    ctx: Context, compiled: Mapping[str, Any], releases: Sequence[Mapping[str, Any]], ocid: str | None
) -> tuple[HistoryEntry, ...]:
    amendments = amendment_notes(compiled)
    entries = []
    for index, release in enumerate(releases, start=1):
        if not isinstance(release, Mapping):
            ctx.note(f"release {index} of the history is not an object")
            continue
        release_id = ident(release.get("id"))
        doc = None
        if release_id is not None:
            doc = _release_document(release, release_id) or _release_document(compiled, release_id)
        tags = strings(release.get("tag"))
        entries.append(
            HistoryEntry(
                id=release_id,
                date=ctx.when(release.get("date"), f"release {release_id or index} date"),
                tags=tags,
                tag_words=tuple(tag_words(tag) for tag in tags),
                notice_type=kind_of_document(ctx, doc) if doc is not None else None,
                url=notice_url(ocid, release_id, doc),
                kind="release",
                amendment=amendments.get(release_id or "") or None,
            )
        )
    return tuple(entries)


def from_documents(ctx: Context, compiled: Mapping[str, Any], ocid: str | None) -> tuple[HistoryEntry, ...]:
    """The published notices of a compiled release, oldest first (undated ones last)."""
    amendments = amendment_notes(compiled)
    entries = []
    for doc in notice_documents(compiled):
        notice_id = ident(doc.get("id"))
        entries.append(
            HistoryEntry(
                id=notice_id,
                date=ctx.when(doc.get("datePublished"), f"notice {notice_id} publication date"),
                tags=(),
                tag_words=(),
                notice_type=kind_of_document(ctx, doc),
                url=notice_url(ocid, notice_id, doc),
                kind="amendment" if notice_id in amendments else "notice",
                amendment=amendments.get(notice_id or "") or None,
            )
        )
    dated = sorted((entry for entry in entries if entry.date), key=_instant)
    return (*dated, *(entry for entry in entries if entry.date is None))


def _instant(entry: HistoryEntry) -> datetime:
    assert entry.date is not None
    return entry.date.at
