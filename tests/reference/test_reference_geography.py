from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tenderlens.reference import NON_REGION_NAMES, Region, default_reference
from tenderlens.reference.geography import itl_tables

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[2]

ITL1 = {
    "TLC": "North East",
    "TLD": "North West",
    "TLE": "Yorkshire and The Humber",
    "TLF": "East Midlands",
    "TLG": "West Midlands",
    "TLH": "East of England",
    "TLI": "London",
    "TLJ": "South East",
    "TLK": "South West",
    "TLL": "Wales",
    "TLM": "Scotland",
    "TLN": "Northern Ireland",
}

TEES = (
    Region("TLC", "North East", 1),
    Region("TLC1", "Tees Valley and Durham", 2),
    Region("TLC11", "Hartlepool and Stockton-on-Tees", 3),
)


def test_regions_for_a_level_3_code():
    assert default_reference().regions_for_nuts("UKC11") == TEES


def test_regions_for_shorter_codes():
    reference = default_reference()
    assert reference.regions_for_nuts("UKC1") == TEES[:2]
    assert reference.regions_for_nuts("UKL") == (Region("TLL", "Wales", 1),)


@pytest.mark.parametrize(
    "code", ["UK", "UKZ", "UKZZ", "UKZZZ", "", "   ", "XX", "UKC99", "UKX", "TL", "TLZ", "FRC11", "TLC31"]
)
def test_no_regions_for_uk_wide_extra_regio_or_unknown(code):
    assert default_reference().regions_for_nuts(code) == ()


@pytest.mark.parametrize("code", ["TLC11", "ukc11", " UKC11 ", "tlc11"])
def test_itl_codes_and_loose_spelling_are_accepted(code):
    assert default_reference().regions_for_nuts(code) == TEES


@pytest.mark.parametrize(
    ("nuts2016", "nuts2021", "itl", "name"),
    [
        ("UKK21", "UKK24", "TLK24", "Bournemouth, Christchurch and Poole"),
        ("UKK22", "UKK25", "TLK25", "Dorset"),
        ("UKN10", "UKN0A", "TLN0A", "Derry City and Strabane"),
        ("UKN16", "UKN0G", "TLN0G", "Fermanagh and Omagh"),
    ],
)
def test_recoded_units_are_not_a_prefix_swap(nuts2016, nuts2021, itl, name):
    reference = default_reference()
    for code in (nuts2016, nuts2021, itl):
        regions = reference.regions_for_nuts(code)
        assert [r.level for r in regions] == [1, 2, 3]
        assert regions[-1] == Region(itl, name, 3)
    assert reference.regions_for_nuts("TLK21") == ()  # no such ITL 2021 unit


def test_itl_region_lookup():
    reference = default_reference()
    assert reference.itl_region("TLC11") == TEES[2]
    assert reference.itl_region("UKC1") == TEES[1]
    assert reference.itl_region("UK") is None


def test_itl_2021_shape():
    regions = itl_tables().regions
    levels = [r.level for r in regions.values()]
    assert (levels.count(1), levels.count(2), levels.count(3)) == (12, 41, 179)
    assert {code: r.name for code, r in regions.items() if r.level == 1} == ITL1
    for code, region in regions.items():
        assert region.code == code
        assert code.startswith("TL")
        assert len(code) == region.level + 2
        assert all(code[:n] in regions for n in range(3, len(code)))


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("North East", "TLC"),
        ("North West", "TLD"),
        ("Yorkshire and the Humber", "TLE"),
        ("Yorkshire and The Humber", "TLE"),
        ("East Midlands", "TLF"),
        ("West Midlands", "TLG"),
        ("East of England", "TLH"),
        ("London", "TLI"),
        ("South East", "TLJ"),
        ("South West", "TLK"),
        ("Wales", "TLL"),
        ("Scotland", "TLM"),
        ("Northern Ireland", "TLN"),
        ("  south   EAST ", "TLJ"),
        ("LONDON", "TLI"),
        ("Yorkshire & the Humber", "TLE"),
        ("NORTH EAST (ENGLAND)", "TLC"),
    ],
)
def test_region_for_name(name, code):
    region = default_reference().region_for_name(name)
    assert region is not None
    assert region.code == code
    assert region.level == 1


@pytest.mark.parametrize(
    "name", ["Any region", "UK", "United Kingdom", "England", " england ", "", "Narnia", "Tees Valley"]
)
def test_region_for_name_is_none_for_non_regions(name):
    assert default_reference().region_for_name(name) is None


# --- against the shared data ----------------------------------------------------------------


def _region_values(node: Any) -> Iterator[str]:
    """Every string under a "region" key, anywhere in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "region" and isinstance(value, str):
                yield value
            else:
                yield from _region_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _region_values(value)


def _values_in(folder: Path) -> set[str]:
    values: set[str] = set()
    for path in sorted(folder.rglob("*.json")):
        values.update(_region_values(json.loads(path.read_text(encoding="utf-8"))))
    return values


@pytest.mark.shared
def test_every_fts_region_code_resolves(shared_data):
    values = _values_in(shared_data / "ocds" / "fts") | _values_in(shared_data / "ocds" / "seed")
    assert {"UKC11", "UKC1", "UK", "UKD3", "UKD", "UKJ", "UKI5"} <= values
    reference = default_reference()
    for value in values:
        regions = reference.regions_for_nuts(value)
        if value == "UK":
            assert regions == ()
        else:
            assert regions, value
            assert len(regions) == len(value) - 2


@pytest.mark.shared
def test_every_contracts_finder_region_maps_or_is_deliberately_none(shared_data):
    values = _values_in(shared_data / "ocds" / "contracts-finder")
    assert "England" in values
    assert "Yorkshire and the Humber" in values
    reference = default_reference()
    for value in values:
        region = reference.region_for_name(value)
        if region is None:
            assert value.strip().casefold() in NON_REGION_NAMES, value
        else:
            assert region.level == 1


@pytest.mark.shared
def test_packaged_tables_agree_with_the_eurostat_correspondence(shared_data):
    path = shared_data / "reference" / "uk_nuts2016_to_nuts2021.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [
            row
            for row in csv.DictReader(handle)
            if row["nuts_level"] != "0" and not row["code_2021"].startswith("UKZ")
        ]
    assert len(rows) == 232
    reference = default_reference()
    for row in rows:
        itl = "TL" + row["code_2021"][2:]
        for code in (row["code_2016"], row["code_2021"]):
            regions = reference.regions_for_nuts(code)
            assert regions[-1].code == itl, code
            assert regions[-1].level == int(row["nuts_level"])
        if row["nuts_level"] != "1":
            assert regions[-1].name == row["label"]


@pytest.mark.shared
def test_generator_script_reproduces_the_packaged_tables(shared_data):
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_itl_tables.py"),
            str(shared_data / "reference"),
            "--check",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
