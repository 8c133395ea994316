"""Hand-written notices for cases the real data lacks: UK3, UK11, and an FTS process with release history."""

from __future__ import annotations

from datetime import date
from typing import Any

import ocdsmerge
import orjson
from notice_support import NOW, fixture, reference

from tenderlens.notice import Notice, build_notice

OMIT = {"omitWhenMerged": True}
# Enough of the release schema for ocdsmerge to treat id/date/tag as it does for OCDS (no network).
MERGE_SCHEMA = {"properties": {"id": OMIT, "date": OMIT, "tag": OMIT}}


def _single(name: str) -> Notice:
    release: dict[str, Any] = fixture(name)
    return build_notice(release, [release], reference(), NOW)


def test_uk3_planned_procurement() -> None:
    notice = _single("uk3-planned-procurement.json")
    kind = notice.procurement.notice_type
    assert kind.code == "UK3"
    assert kind.name == "Planned procurement notice"
    assert notice.history[0].tag_words == ("Planning update",)
    assert notice.procurement.techniques == ("Framework agreement",)
    assert notice.procurement.sme_suitable is False
    assert notice.procurement.vcse_suitable is False
    assert notice.buyer is not None
    assert notice.buyer.devolved_regulations == ("Wales",)
    summary = notice.summary
    assert summary.startswith(
        'Example Borough Council is planning a works procurement, "Highway Resurfacing Framework", '
        "under the Procurement Act 2023."
    )
    assert "planned procurement notice (UK3)" in summary
    assert "A further notice is expected on 15 Jul 2026 (in 6 weeks)." in summary
    assert "£4,000,000 excl. VAT (£4,800,000 incl. VAT)" in summary
    assert "from 1 Jan 2027 to 31 Dec 2030 (4 years)" in summary
    assert "not marked as suitable for SMEs or VCSEs" in summary
    note = notice.who_could_bid
    assert note[0] == "Not yet open for bids: the procurement is at the planning stage."
    assert "Not marked as suitable for SMEs or VCSEs." in note
    assert "Next notice expected on 15 Jul 2026." in note
    assert any("45 \N{EN DASH} Construction work" in line for line in note)


def test_uk11_contract_termination() -> None:
    notice = _single("uk11-contract-termination.json")
    assert notice.procurement.notice_type.code == "UK11"
    assert notice.history[0].tag_words == ("Contract termination",)
    assert notice.current_stage == "Contract"
    assert notice.contracts[0].status_words == "Terminated"
    assert notice.procurement.awardee_scales == ("SME",)
    assert notice.summary.startswith(
        'Example NHS Trust has terminated the contract for "Hospital Cleaning Services" with Example Cleaning Ltd'
    )
    assert "contract termination notice (UK11)" in notice.summary
    assert notice.who_could_bid[0] == "Not open for bids: the contract has been terminated."


def test_history_from_three_fts_releases() -> None:
    releases: list[dict[str, Any]] = fixture("fts-three-releases.json")
    compiled = ocdsmerge.Merger(schema=MERGE_SCHEMA).create_compiled_release(releases)
    notice = build_notice(compiled, releases, reference(), NOW)
    assert notice.history_derived is False
    assert [entry.id for entry in notice.history] == ["080001-2026", "080002-2026", "080003-2026"]
    assert [entry.tag_words for entry in notice.history] == [
        ("Planning",),
        ("Tender",),
        ("Award", "Contract"),
    ]
    assert [entry.notice_type.code for entry in notice.history if entry.notice_type] == ["UK2", "UK4", "UK7"]
    assert notice.history[0].date is not None
    assert notice.history[0].date.text == "2 Mar 2026, 10:00"  # GMT
    assert notice.stages == ("Planning", "Tender", "Award", "Contract")
    assert notice.current_stage == "Contract"
    assert notice.procurement.notice_type.code == "UK7"
    assert notice.latest_notice_url == "https://www.find-tender.service.gov.uk/Notice/080003-2026"
    first, last = notice.dates.first_published, notice.dates.last_published
    assert first is not None
    assert last is not None
    assert (first.day, last.day) == (date(2026, 3, 2), date(2026, 5, 28))
    assert notice.summary.startswith(
        'Example County Council has entered into a contract for "School Catering" with Example Foods Ltd'
    )
    assert "The contract was signed on 27 May 2026." in notice.summary
    assert "from 1 Sep 2026 to 31 Aug 2029 (3 years), extendable to 31 Aug 2030" in notice.summary
    assert notice.who_could_bid[0] == "Not open for bids: a contract is in place."
    data = notice.to_dict()
    assert orjson.loads(orjson.dumps(data)) == data


def test_releases_not_in_merge_order_are_kept_as_given() -> None:
    """``releases`` is documented as oldest first; the history follows the order it is given."""
    releases: list[dict[str, Any]] = fixture("fts-three-releases.json")
    compiled = ocdsmerge.Merger(schema=MERGE_SCHEMA).create_compiled_release(releases)
    notice = build_notice(compiled, releases[:2], reference(), NOW)
    assert [entry.id for entry in notice.history] == ["080001-2026", "080002-2026"]
    assert notice.procurement.notice_type.code == "UK4"


def test_uk10_change_quotes_its_own_amendment_description() -> None:
    release: dict[str, Any] = fixture("uk11-contract-termination.json")
    release["id"] = "090012-2026"
    release["tag"] = ["contractAmendment"]
    contract = release["contracts"][0]
    contract["status"] = "active"
    contract["period"]["endDate"] = "2027-03-31T23:59:59+01:00"
    contract["documents"][0].update(
        id="090012-2026",
        documentType="contractNotice",
        noticeType="UK10",
        description=None,
        url="https://www.find-tender.service.gov.uk/Notice/090012-2026",
    )
    contract["amendments"] = [
        {
            "id": "090012-2026",
            "date": "2026-05-18T00:00:00+01:00",
            "description": "Extended by one year. " * 30,
        }
    ]
    notice = build_notice(release, [release], reference(), NOW)
    assert notice.procurement.notice_type.code == "UK10"
    summary = notice.summary
    assert summary.startswith('Example NHS Trust has changed the contract for "Hospital Cleaning Services"')
    assert 'The change: "Extended by one year. Extended' in summary
    assert "…" in summary  # a long description is cut, not paraphrased
    assert "The change is dated 18 May 2026." in summary
    assert "The contract value is £250,000." in summary
    assert "The contract runs from 1 Apr 2025 to 31 Mar 2027 (2 years)." in summary
    assert notice.amendments[0].url == "https://www.find-tender.service.gov.uk/Notice/090012-2026"
    assert notice.who_could_bid[0] == "Not open for bids: this notice changes an existing contract."
