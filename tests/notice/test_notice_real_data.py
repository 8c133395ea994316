"""Every real FTS and Contracts Finder release builds into a sensible notice."""

from __future__ import annotations

import collections
import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import ocdsmerge
import orjson
import pytest
from notice_support import cf_releases, fts_releases, read_json, reference

from tenderlens.notice import Notice, build_notice

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.shared

AFTER_FTS = datetime(2026, 9, 4, 9, 0, tzinfo=UTC)
AFTER_CF = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)

# From shared/data/PROVENANCE.md (release id → noticeType of its own notice document).
EXPECTED_TYPES = {
    "083674-2026": "UK10",
    "083664-2026": "UK1",
    "083655-2026": "UK2",
    "083608-2026": "UK7",
    "083662-2026": "UK4",
    "083256-2026": "UK12",
    "083253-2026": "UK5",
    "083563-2026": "UK4",
    "083685-2026": "UK15",
    "028961-2025": "UK7",
    "029664-2025": "UK6",
}
CELEX = {"083257-2026", "029615-2025", "052408-2025", "002109-2021"}


def _build(release: dict[str, Any], now: datetime) -> Notice:
    return build_notice(release, [release], reference(), now)


@pytest.fixture(scope="module")
def fts(shared_data: Path) -> dict[str, Notice]:
    return {release["id"]: _build(release, AFTER_FTS) for release in fts_releases(shared_data)}


def test_all_fts_releases_are_covered(fts: dict[str, Notice]) -> None:
    assert set(fts) == set(EXPECTED_TYPES) | CELEX


@pytest.mark.parametrize(("release_id", "code"), sorted(EXPECTED_TYPES.items()))
def test_fts_notice_type(fts: dict[str, Notice], release_id: str, code: str) -> None:
    notice = fts[release_id]
    kind = notice.procurement.notice_type
    assert kind.code == code
    assert kind.name
    assert kind.text.startswith(f"{code} \N{EN DASH} ")
    (entry,) = notice.history
    assert entry.notice_type == kind
    assert entry.url == f"https://www.find-tender.service.gov.uk/Notice/{release_id}"
    assert notice.latest_notice_url == entry.url
    assert notice.source == "Find a Tender"


@pytest.mark.parametrize("release_id", sorted(CELEX))
def test_celex_notice_type_is_not_guessed(fts: dict[str, Notice], release_id: str) -> None:
    kind = fts[release_id].procurement.notice_type
    if kind.code is not None:  # a PCR form only if the data names one
        assert re.fullmatch(r"F\d\d|T0\d", kind.code)
    else:
        assert not kind.determined
        assert kind.text.startswith("Not stated in the data")
    legal = fts[release_id].procurement.legal_basis
    assert legal is not None
    assert "Regulations" in legal.name


def test_every_fts_notice_has_summary_and_json_twin(fts: dict[str, Notice]) -> None:
    for release_id, notice in fts.items():
        assert notice.summary.strip(), release_id
        assert notice.title, release_id
        assert notice.buyer is not None, release_id
        assert notice.buyer.name is not None
        assert notice.buyer.name in notice.summary, release_id
        data = notice.to_dict()
        assert orjson.loads(orjson.dumps(data)) == data


def test_summaries_per_notice_type(fts: dict[str, Notice]) -> None:
    assert fts["083664-2026"].summary.startswith(
        "Government Property Agency is planning a services procurement"
    )
    assert "pipeline notice (UK1)" in fts["083664-2026"].summary
    assert "A preliminary market engagement event is due on 21 Sep 2026" in fts["083655-2026"].summary
    tender = fts["083662-2026"].summary
    assert "is inviting bids" in tender
    assert "The submission deadline is 21 Sep 2026, 10:00 (in 2 weeks)" in tender
    assert "Clarification questions close on 17 Sep 2026, 10:00" in tender
    assert "suitable for SMEs and VCSEs" in tender
    assert "below the procurement threshold" in tender
    transparency = fts["083253-2026"].summary
    assert transparency.startswith(
        'Gov Facility Services Ltd intends to award "Cameras" to RELIANCE HIGH TECH LTD'
    )
    assert "£47,795 excl. VAT (£57,354 incl. VAT)" in transparency
    details = fts["028961-2025"].summary
    assert "has entered into a contract" in details
    assert "Integrated Skills Limited" in details
    assert "signed on 4 Apr 2025" in details
    change = fts["083674-2026"].summary
    assert "has changed the contract" in change
    assert "£35,000 excl. VAT (£42,000 incl. VAT)" in change
    termination = fts["083256-2026"].summary
    assert "has terminated the procurement" in termination
    assert "withdrawn" in termination
    modification = fts["083685-2026"].summary
    assert "dynamic market modification notice" in modification
    assert "The notice amends 34 awards" in modification
    assert "UNIVERSITY OF WARWICK" in modification
    award = fts["029664-2025"].summary
    assert "Of the 5 awards, 3 are pending and 2 are active." in award
    assert "from £86,974 to £129,188" in award
    assert "under the Public Contracts Regulations 2015" in fts["083257-2026"].summary


def test_closed_notices_say_so_in_who_could_bid(fts: dict[str, Notice]) -> None:
    for release_id in ("083608-2026", "083253-2026", "083256-2026", "083674-2026", "028961-2025"):
        assert fts[release_id].who_could_bid[0].startswith("Not open for bids"), release_id
    assert fts["083662-2026"].who_could_bid[0] == "Submissions are due by 21 Sep 2026, 10:00 (in 2 weeks)."


def test_fts_details(fts: dict[str, Notice]) -> None:
    multi_lot = fts["083563-2026"]
    assert len(multi_lot.lots) == 5
    assert {lot.sme for lot in multi_lot.lots} == {True}
    assert multi_lot.lots[0].criteria[0].weight == "30%"
    assert [cpv.code for cpv in multi_lot.cpv] == ["92521000", "92521100"]
    legacy = fts["002109-2021"]
    assert "items[].deliveryAddresses is an object, not an array" in legacy.data_notes
    assert [place.text for place in legacy.locations.delivery] == ["United Kingdom"]
    change = fts["083674-2026"]
    assert change.stages == ("Contract",)
    (contract,) = change.contracts
    assert contract.period is not None
    assert contract.period.max_extent is not None
    assert contract.period.max_extent.text == "31 Dec 2026"
    assert change.amendments[0].date is not None
    assert change.amendments[0].date.text == "21 Aug 2026"
    award = fts["083608-2026"]
    assert award.procurement.awardee_scales == ("Large",)
    assert award.procurement.special_regimes == ("Light touch",)
    assert award.awards[0].suppliers[0].name == "star cab daventry limited"
    framework = fts["052408-2025"]
    assert framework.procurement.techniques == ("Framework agreement",)
    assert framework.bid_statistics == () or all(stat.text for stat in framework.bid_statistics)


def test_contracts_finder_releases(shared_data: Path) -> None:
    kinds: collections.Counter[str] = collections.Counter()
    for release in cf_releases(shared_data):
        notice = _build(release, AFTER_CF)
        assert notice.source == "Contracts Finder"
        assert notice.summary.strip()
        assert notice.latest_notice_url is not None
        assert notice.latest_notice_url.startswith("https://www.contractsfinder.service.gov.uk/Notice/")
        kinds[notice.procurement.notice_type.text] += 1
        data = notice.to_dict()
        assert orjson.loads(orjson.dumps(data)) == data
    assert set(kinds) == {
        "Awarded contract notice",
        "Opportunity notice",
        "Early engagement notice",
        "Future opportunity notice",
    }


def test_contracts_finder_regions_by_name(shared_data: Path) -> None:
    release = next(
        release
        for release in cf_releases(shared_data)
        if release["id"].startswith("4cc631e3-a1f6-4db3-ade8-91e83c58b5f6")
    )
    notice = _build(release, AFTER_CF)
    (place,) = notice.locations.delivery
    assert place.raw == "Yorkshire and the Humber"
    assert [region.level for region in place.regions] == [1]
    assert place.regions[0].code == "TLE"


def test_history_from_real_releases(shared_data: Path) -> None:
    """Two Contracts Finder releases of one ocid, compiled with ocdsmerge: history has both, tags in words."""
    schema = read_json(shared_data / "ocds-schema" / "1.1" / "dereferenced-release-schema.json")
    ocid = "ocds-b5fd17-4c20859e-a305-4461-84c9-31ee8b43f2d0"
    releases = sorted((r for r in cf_releases(shared_data) if r["ocid"] == ocid), key=lambda r: r["date"])
    compiled = ocdsmerge.Merger(schema=schema).create_compiled_release(releases)
    notice = build_notice(compiled, releases, reference(), AFTER_CF)
    assert notice.history_derived is False
    assert [entry.tag_words for entry in notice.history] == [("Tender",), ("Tender amendment",)]
    assert [entry.kind for entry in notice.history] == ["release", "release"]
    assert all(
        entry.notice_type and entry.notice_type.name == "Opportunity notice" for entry in notice.history
    )
    assert notice.current_stage == "Tender"
    assert notice.dates.first_published == notice.history[0].date
    assert json.loads(orjson.dumps(notice.to_dict()))["history_derived"] is False
