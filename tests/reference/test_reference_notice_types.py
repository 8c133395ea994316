from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING, Any

import pytest

from tenderlens.reference import STAGES, NoticeType, default_reference

if TYPE_CHECKING:
    from collections.abc import Iterator

UK_NAMES = {
    "UK1": "Pipeline notice",
    "UK2": "Preliminary market engagement notice",
    "UK3": "Planned procurement notice",
    "UK4": "Tender notice",
    "UK5": "Transparency notice",
    "UK6": "Contract award notice",
    "UK7": "Contract details notice",
    "UK8": "Payments notice",
    "UK9": "Contract performance notice",
    "UK10": "Contract change notice",
    "UK11": "Contract termination notice",
    "UK12": "Procurement termination notice",
    "UK13": "Dynamic market intention notice",
    "UK14": "Dynamic market establishment notice",
    "UK15": "Dynamic market modification notice",
    "UK16": "Dynamic market cessation notice",
    "UK17": "Payments compliance notice",
}

FORMS = [
    "F01",
    "F02",
    "F03",
    "F04",
    "F05",
    "F06",
    "F07",
    "F08",
    "F12",
    "F13",
    "F14",
    "F15",
    "F20",
    "F21",
    "F22",
    "F23",
    "F24",
    "F25",
    "T01",
    "T02",
]


def test_procurement_act_notice_types():
    reference = default_reference()
    for code, name in UK_NAMES.items():
        notice_type = reference.notice_type(code)
        assert notice_type is not None
        assert (notice_type.code, notice_type.name, notice_type.regime) == (
            code,
            name,
            "Procurement Act 2023",
        )
        assert notice_type.stage in STAGES


def test_earlier_forms():
    reference = default_reference()
    for code in FORMS:
        notice_type = reference.notice_type(code)
        assert notice_type is not None
        assert notice_type.code == code
        assert notice_type.regime != "Procurement Act 2023"
        assert notice_type.stage is None or notice_type.stage in STAGES
    assert reference.notice_type("F02") == NoticeType("F02", "Contract notice", "PCR 2015", "tender")
    veat, social = reference.notice_type("F15"), reference.notice_type("F21")
    assert veat is not None
    assert veat.name == "Voluntary ex ante transparency notice"
    assert social is not None
    assert social.stage is None


def test_listing_is_complete_and_ordered():
    codes = [t.code for t in default_reference().notice_types()]
    assert codes == list(UK_NAMES) + FORMS


def test_aliases_keep_other_names():
    reference = default_reference()
    modification, tender = reference.notice_type("UK15"), reference.notice_type("UK4")
    assert modification is not None
    assert "Dynamic market notice \u2013 modification" in modification.aliases
    assert tender is not None
    assert tender.aliases == ()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("uk4", "UK4"),
        (" UK4 ", "UK4"),
        ("UK04", "UK4"),
        ("F3", "F03"),
        ("f03", "F03"),
        ("t2", "T02"),
        ("UK 17", "UK17"),
    ],
)
def test_codes_are_normalised(code, expected):
    notice_type = default_reference().notice_type(code)
    assert notice_type is not None
    assert notice_type.code == expected


@pytest.mark.parametrize("code", ["UK18", "UK0", "F09", "F26", "T03", "", "X", "UK", "4", None])
def test_unknown_codes(code):
    assert default_reference().notice_type(code) is None


# --- against the shared data ----------------------------------------------------------------


@pytest.mark.shared
def test_observed_fts_notice_types_match_their_descriptions(shared_data):
    path = shared_data / "reference" / "fts_notice_types_observed.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9
    reference = default_reference()
    for row in rows:
        notice_type = reference.notice_type(row["noticeType"])
        assert notice_type is not None, row["noticeType"]
        assert row["description"].casefold() == f"{notice_type.name} on Find a Tender".casefold()


def _documents(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "noticeType" in node:
            yield node
        for value in node.values():
            yield from _documents(value)
    elif isinstance(node, list):
        for value in node:
            yield from _documents(value)


@pytest.mark.shared
def test_every_notice_document_in_the_fts_data_is_named_as_fts_names_it(shared_data):
    seen: set[str] = set()
    reference = default_reference()
    for path in sorted((shared_data / "ocds").rglob("*.json")):
        for document in _documents(json.loads(path.read_text(encoding="utf-8"))):
            notice_type = reference.notice_type(document["noticeType"])
            assert notice_type is not None, (path.name, document["noticeType"])
            seen.add(notice_type.code)
            description = document.get("description")
            if isinstance(description, str) and description.endswith(" on Find a Tender"):
                assert description.casefold() == f"{notice_type.name} on Find a Tender".casefold()
    assert {"UK1", "UK2", "UK4", "UK5", "UK6", "UK7", "UK10", "UK12", "UK15"} <= seen
