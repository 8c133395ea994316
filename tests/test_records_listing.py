"""The light listing extractor equals what a full notice gives, on every history we have.

``tenderlens.search.listing`` re-reads the notice builder's rules without building a Notice
(that was a quarter of ingest). If the two ever disagree, a listing, a search result and a
notice page would say different things, so this compares them over the real data in
``../shared/data/ocds``, the test fixtures, and seeded generated histories: for each whole
history, for each of its prefixes (every stage a process passes through), and for the
compiled release alone (the publisher-compiled path, history rebuilt from documents).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
import warnings
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tenderlens.notice import build_notice
from tenderlens.ocds.reader import ReadCompiledRelease, ReadRelease, read_inputs
from tenderlens.records import merge, source_of
from tenderlens.reference import default_reference
from tenderlens.search.document import search_document
from tenderlens.search.listing import Listing, listing

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def expected(compiled: dict[str, Any], ordered: list[dict[str, Any]]) -> Listing:
    """The listing as a whole notice gives it: the reference the extractor must equal."""
    notice = build_notice(compiled, ordered, default_reference(), NOW)
    source = source_of(str(compiled.get("ocid") or ""))
    return Listing(
        notice_type=notice.procurement.notice_type.code,
        stage=notice.current_stage,
        title=notice.title,
        buyer_name=notice.buyer.name if notice.buyer else None,
        document=search_document(notice, compiled, source),
    )


def histories(paths: list[Path]) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Releases by ocid in read order, and publisher-compiled releases, from OCDS files."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    compiled: list[dict[str, Any]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for item in read_inputs(paths):
            if isinstance(item, ReadRelease):
                grouped[item.release["ocid"]].append(item.release)
            elif isinstance(item, ReadCompiledRelease):
                compiled.append(item.compiled_release)
    return dict(grouped), compiled


def check(grouped: dict[str, list[dict[str, Any]]], published: list[dict[str, Any]]) -> int:
    """Compare extractor and notice for every prefix of every history; returns how many compared."""
    from tenderlens.compile import order_releases

    compared = 0
    mismatches: list[str] = []
    for ocid, releases in grouped.items():
        ordered = order_releases((release, seq) for seq, release in enumerate(releases))
        for end in range(1, len(ordered) + 1):
            prefix = ordered[:end]
            try:
                compiled, _, _ = merge(prefix)
            except ValueError:
                continue
            for history in (prefix, []):
                got = listing(compiled, history, default_reference(), source_of(ocid))
                want = expected(compiled, history)
                compared += 1
                if got != want:
                    mismatches.append(describe(ocid, end, len(history), got, want))
    for compiled in published:
        got = listing(compiled, [], default_reference(), source_of(str(compiled.get("ocid"))))
        compared += 1
        if got != expected(compiled, []):
            mismatches.append(describe(str(compiled.get("ocid")), 0, 0, got, expected(compiled, [])))
    assert not mismatches, "\n".join(mismatches[:5])
    return compared


def describe(ocid: str, end: int, history: int, got: Listing, want: Listing) -> str:
    if got.document is not None and want.document is not None:
        fields = [
            name
            for name in (field.name for field in dataclasses.fields(got.document))
            if getattr(got.document, name) != getattr(want.document, name)
        ]
        detail = {name: (getattr(got.document, name), getattr(want.document, name)) for name in fields}
    else:
        detail = {"listing": (got, want)}
    return f"{ocid} first {end} releases, history of {history}: {detail}"


@pytest.mark.shared
def test_listing_equals_notice_on_shared_data(shared_data: Path) -> None:
    grouped, published = histories([shared_data / "ocds"])
    assert len(grouped) > 10
    assert published  # the seed's record package has a compiled release
    assert check(grouped, published) > 2 * len(grouped)


def test_listing_equals_notice_on_fixtures() -> None:
    grouped, published = histories([REPO / "tests" / "fixtures"])
    assert grouped
    assert check(grouped, published) >= 2 * len(grouped)


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "benchmarks" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_generate", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", [1, 7])
def test_listing_equals_notice_on_generated_histories(seed: int) -> None:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for release in _generator().generate(600, seed):
        grouped[release["ocid"]].append(release)
    assert len(grouped) > 100
    check(dict(grouped), [])


def test_listing_notices_a_difference() -> None:
    """The comparison can fail: a listing read off a different release does not equal the notice."""
    grouped, _ = histories([REPO / "tests" / "fixtures"])
    releases = max(grouped.values(), key=len)
    compiled, _, _ = merge(releases)
    other = {**compiled, "tender": {**compiled.get("tender", {}), "title": "Something else entirely"}}
    assert listing(other, releases, default_reference(), "fts") != expected(compiled, releases)


def awkward_history() -> list[dict[str, Any]]:
    """Odd but possible data: extreme dates, ids as numbers, repeated and missing parties, no values."""
    base = {"ocid": "ocds-h6vhtk-0awk01", "initiationType": "tender"}
    return [
        {
            **base,
            "id": 1,
            "date": "0999-03-01T00:00:00+01:00",
            "tag": ["planning"],
            "parties": [
                {"id": "B", "name": "  ", "identifier": {"legalName": "Legal Buyer"}, "roles": ["buyer"]},
                {"id": "B", "name": "Second B", "roles": ["buyer"]},
                {"id": "S1", "name": "Supplier One", "address": {"region": "UKC1"}},
                {"name": "No id"},
            ],
            "buyer": {"id": "X", "name": "Not among parties"},
            "planning": {"rationale": "Because"},
            "tender": {
                "id": 7,
                "minValue": {"amount": 100},
                "tenderPeriod": {"endDate": "9999-12-31T23:59:59-01:00"},
                "communication": {"futureNoticeDate": "9999-12-31T20:00:00Z"},
                "contractPeriod": {"endDate": "2026-13-45"},
                "lots": [{"id": "1", "title": "Lot one", "value": {"amount": 5, "currency": "EUR"}}, "junk"],
                "legalBasis": {"scheme": "CELEX", "id": "32014L0024"},
            },
        },
        {
            **base,
            "id": "2",
            "date": "2026-03-29T01:30:00+00:00",
            "tag": ["award", "tenderUpdate"],
            "awards": [
                {"id": "a1", "status": "cancelled", "date": "2026-01-01", "value": {"amount": 9}},
                {
                    "id": "a2",
                    "status": "active",
                    "date": "2026-03-29T00:59:59Z",
                    "value": {"amount": 10, "currency": "GBP"},
                    "suppliers": [{"id": "S1"}, {"id": "S9", "name": "Unlisted"}, {"name": "No id at all"}],
                    "contractPeriod": {"endDate": "2030-01-01T00:00:00Z"},
                },
                {"id": "a3", "date": "2026-03-29T00:59:59.5Z", "value": {"amount": 3, "currency": "EUR"}},
            ],
            "contracts": [
                {"id": "c1", "period": {"endDate": "2030-01-01T00:00:00+00:00"}, "title": "Contract"}
            ],
        },
    ]


def test_listing_equals_notice_on_awkward_data() -> None:
    releases = awkward_history()
    assert check({"ocds-h6vhtk-0awk01": releases}, []) == 4
    compiled, _, _ = merge(releases)
    got = listing(compiled, releases, default_reference(), "fts")
    assert got.document is not None
    assert got.document.published_raw == "0999-03-01T00:00:00+01:00"  # the extremes were read, not dropped
    assert got.document.future_notice_raw == "9999-12-31T20:00:00Z"
    assert got.document.deadline_raw is None  # year 10000 in UTC: not a date to the notice either
