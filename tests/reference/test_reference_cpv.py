from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tenderlens.reference import Reference, default_reference, normalise_cpv, parse_cpv_file
from tenderlens.reference.cpv import cpv_divisions

DIVISIONS = [
    "03",
    "09",
    "14",
    "15",
    "16",
    "18",
    "19",
    "22",
    "24",
    "30",
    "31",
    "32",
    "33",
    "34",
    "35",
    "37",
    "38",
    "39",
    "41",
    "42",
    "43",
    "44",
    "45",
    "48",
    "50",
    "51",
    "55",
    "60",
    "63",
    "64",
    "65",
    "66",
    "70",
    "71",
    "72",
    "73",
    "75",
    "76",
    "77",
    "79",
    "80",
    "85",
    "90",
    "92",
    "98",
]

SMALL_LIST = {
    "85000000": "Health and social work services",
    "85100000": "Health services",
    "85120000": "Medical practice and related services",
    "45000000": "Construction work",
}


def write_cpv_csv(path: Path, rows: list[tuple[str, str]], header: str = "CODE,EN") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(header + "\r\n")
        writer = csv.writer(handle)
        writer.writerows(rows)
    return path


def test_all_45_divisions_are_packaged():
    assert list(cpv_divisions()) == DIVISIONS
    assert len(DIVISIONS) == 45


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("85120000", ("85", "Health and social work services")),
        ("85120000-3", ("85", "Health and social work services")),
        (" 8512 0000-3 \n", ("85", "Health and social work services")),
        ("98000000", ("98", "Other community, social and personal services")),
        ("03111200-4", ("03", "Agricultural, farming, fishing, forestry and related products")),
        ("72", ("72", "IT services: consulting, software development, Internet and support")),
    ],
)
def test_cpv_division(code, expected):
    assert default_reference().cpv_division(code) == expected


@pytest.mark.parametrize(
    "code", ["", "ABC", "99000000", "01000000", "8512000", "851", "851200000", "85120000-33", None]
)
def test_cpv_division_rejects_non_codes(code):
    assert default_reference().cpv_division(code) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [("85120000", "85120000"), ("85120000-3", "85120000"), (" 85120000 - 3", "85120000"), ("8512", None)],
)
def test_normalise_cpv(code, expected):
    assert normalise_cpv(code) == expected


def test_cpv_label_without_a_list_knows_only_divisions():
    reference = Reference()
    assert reference.cpv_label("85000000-9") == "Health and social work services"
    assert reference.cpv_label("85120000") is None
    assert reference.cpv_label("nonsense") is None


def test_cpv_label_uses_the_loaded_list_with_or_without_check_digit():
    reference = Reference(cpv_labels=SMALL_LIST)
    assert reference.cpv_label("85120000") == "Medical practice and related services"
    assert reference.cpv_label("85120000-6") == "Medical practice and related services"
    assert reference.cpv_label("  85120000-6\t") == "Medical practice and related services"
    assert reference.cpv_label("85121000") is None
    # Division labels fall back to the packaged table when the list lacks them.
    assert reference.cpv_label("98000000") == "Other community, social and personal services"


def test_cpv_group_needs_a_loaded_list():
    assert Reference().cpv_group("85120000") is None
    reference = Reference(cpv_labels=SMALL_LIST)
    assert reference.cpv_group("85120000-6") == ("851", "Health services")
    assert reference.cpv_group("85100000") == ("851", "Health services")
    assert reference.cpv_group("85000000") is None  # a division is in no group
    assert reference.cpv_group("45210000") is None  # group 452 not in the loaded list
    assert reference.cpv_group("x") is None


def test_parse_cpv_file_reads_bom_csv(tmp_path):
    path = write_cpv_csv(
        tmp_path / "cpv.csv",
        [
            ("03000000-1", "Agricultural, farming, fishing, forestry and related products"),
            ("", ""),
            ("85120000-6", "Medical practice"),
        ],
    )
    assert list(parse_cpv_file(path)) == [
        ("03000000", "Agricultural, farming, fishing, forestry and related products"),
        ("85120000", "Medical practice"),
    ]


def test_parse_cpv_file_rejects_other_columns(tmp_path):
    path = write_cpv_csv(tmp_path / "not-cpv.csv", [("x", "y")], header="code,label")
    with pytest.raises(ValueError, match=r"not-cpv\.csv.*CODE and EN"):
        list(parse_cpv_file(path))


def test_parse_cpv_file_rejects_malformed_codes(tmp_path):
    path = write_cpv_csv(tmp_path / "bad.csv", [("03000000-1", "ok"), ("3000000", "short")])
    with pytest.raises(ValueError, match=r"bad\.csv, line 3"):
        list(parse_cpv_file(path))


@pytest.mark.shared
def test_official_cpv_list_parses(shared_data):
    pairs = list(parse_cpv_file(shared_data / "reference" / "cpv2008.csv"))
    codes = [code for code, _ in pairs]
    assert len(pairs) == 9454
    assert len(set(codes)) == 9454
    assert all(label for _, label in pairs)
    assert pairs[0] == ("03000000", "Agricultural, farming, fishing, forestry and related products")


@pytest.mark.shared
def test_division_table_matches_the_official_list(shared_data):
    path = shared_data / "reference" / "cpv2008.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        official = {row["CODE"]: row["EN"] for row in csv.DictReader(handle)}
    official_divisions = {
        code[:2]: (code, label) for code, label in official.items() if code[2:8] == "000000"
    }
    assert sorted(official_divisions) == DIVISIONS
    packaged = Path(__file__).resolve().parents[2] / "src/tenderlens/reference/data/cpv_divisions.csv"
    with packaged.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    for row in rows:
        code, label = official_divisions[row["division"]]
        assert row["code"] == code
        assert row["name"] == label
        assert default_reference().cpv_division(code) == (row["division"], label)


@pytest.mark.shared
def test_groups_and_labels_from_the_official_list(shared_data):
    labels = dict(parse_cpv_file(shared_data / "reference" / "cpv2008.csv"))
    reference = Reference(cpv_labels=labels)
    assert reference.cpv_label("72261000") == labels["72261000"]
    assert reference.cpv_group("85120000") == ("851", "Health services")
    assert reference.cpv_group("72261000") == ("722", "Software programming and consultancy services")
    # Every code whose third digit is not 0 belongs to a group the list names.
    assert all(reference.cpv_group(code) is not None for code in labels if code[2] != "0")
