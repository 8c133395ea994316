"""The notice page's context: the :class:`Notice`, what changed per release, the timeline, the data links.

No SQL here: the store's read methods give the record and its releases; the notice is built
by the same :func:`build_notice` as ``tenderlens show``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tenderlens.compile import order_releases
from tenderlens.notice import build_notice
from tenderlens.notice.changes import what_changed
from tenderlens.web.errors import WebError
from tenderlens.web.rendering import buyer_url, notice_url
from tenderlens.web.timeline import timeline

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from tenderlens.store import StoredRecord
    from tenderlens.web.deps import AppState

MAX_OCID_CHARS = 300


@dataclass(frozen=True, slots=True)
class DataLink:
    label: str
    href: str
    description: str
    filename: str


@dataclass(frozen=True, slots=True)
class LoadedNotice:
    record: StoredRecord
    releases: list[dict[str, Any]]


def check_ocid(ocid: str) -> None:
    """A 404 for an ocid no store could hold (control characters, absurd length) before any query."""
    if not ocid or len(ocid) > MAX_OCID_CHARS or any(ord(char) < 32 or ord(char) == 127 for char in ocid):
        raise WebError(404, "Not found: that is not an ocid in this store")


def load(state: AppState, ocid: str, conn: Connection | None = None) -> LoadedNotice:
    """The stored record and its releases in merge order (read on ``conn`` when given), or a 404."""
    check_ocid(ocid)
    record = state.store.get_record(ocid, conn)
    if record is None:
        raise WebError(404, f"Not found: no notice with ocid {ocid!r} in this store")
    releases = order_releases(
        (release.data, release.ingest_seq) for release in state.store.get_releases(ocid, conn)
    )
    return LoadedNotice(record, releases)


def release_path(ocid: str, release_id: str) -> str:
    return f"{notice_url(ocid)}/releases/{quote(release_id, safe='')}.json"


def data_links(ocid: str, record: StoredRecord, releases: list[dict[str, Any]]) -> list[DataLink]:
    base = notice_url(ocid)
    safe = "".join(char if char.isalnum() or char in "-_" else "_" for char in ocid)
    links = [
        DataLink(
            "Compiled release",
            f"{base}/compiled.json",
            "The current state of the process: every release merged (OCDS compiled release).",
            f"{safe}-compiled.json",
        ),
    ]
    if record.versioned is not None:
        links.append(
            DataLink(
                "Versioned release",
                f"{base}/versioned.json",
                "Every value with the release that set it (OCDS versioned release).",
                f"{safe}-versioned.json",
            )
        )
    links.append(
        DataLink(
            "Record package",
            f"{base}/record.json",
            "The OCDS record: the releases, the compiled and the versioned release, in one package.",
            f"{safe}-record.json",
        )
    )
    if releases:
        links.append(
            DataLink(
                "Release package",
                f"{base}/releases.json",
                f"All {len(releases)} releases as published, in one OCDS release package.",
                f"{safe}-releases.json",
            )
        )
    links.append(
        DataLink("Calendar", f"{base}.ics", "Deadlines and dates of this notice (iCalendar).", f"{safe}.ics")
    )
    links.append(
        DataLink("This page as JSON", f"{base}.json", "Everything on this page as data.", f"{safe}.json")
    )
    return links


def notice_context(state: AppState, ocid: str, conn: Connection | None = None) -> dict[str, Any]:
    """The notice itself; its reads go on ``conn`` when given (the page's one connection)."""
    loaded = load(state, ocid, conn)
    now = state.now()
    record = loaded.record
    notice = build_notice(record.compiled, loaded.releases, state.reference, now)
    changes = what_changed(record.versioned, now, loaded.releases)
    buyer = notice.buyer
    buyer_key = (buyer.id or buyer.name) if buyer else None
    return {
        "page_title": notice.title or ocid,
        "ocid": ocid,
        "notice": notice,
        "record": {
            "release_count": record.release_count,
            "compiled_from": record.compiled_from,
            "notes": list(record.notes),
        },
        "changes": changes,
        "changes_by_release": {change.release_id: change for change in changes},
        "timeline": timeline(notice, now),
        "buyer_url": buyer_url(buyer_key) if buyer_key else None,
        "releases": [
            {
                "id": str(release.get("id")),
                "date": release.get("date"),
                "tags": release.get("tag") if isinstance(release.get("tag"), list) else [],
                "href": release_path(ocid, str(release.get("id"))),
            }
            for release in loaded.releases
        ],
        "data_links": data_links(ocid, record, loaded.releases),
        "now": now,
    }
