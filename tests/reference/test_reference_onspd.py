from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tenderlens.reference import PostcodeAreas, Reference, normalise_postcode, parse_onspd

if TYPE_CHECKING:
    from pathlib import Path

# A cut-down ONSPD layout: the real file has ~50 columns in this style and order.
MAIN_HEADER = "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,ctry,rgn,pcon,itl,lat,long"
MAIN_ROWS = [
    # live, England
    "SW1A1AA,SW1A 1AA,SW1A 1AA,198001,,E99999999,E99999999,E09000033,E05013806,E43000236,1,E92000001,E12000007,E14001172,E06000001,51.501009,-0.141588",
    # terminated: skipped
    "SW1A1AB,SW1A 1AB,SW1A 1AB,198001,200012,E99999999,E99999999,E09000033,E05013806,E43000236,1,E92000001,E12000007,E14001172,E06000001,51.5,-0.14",
    # live, Wales, Welsh characters in the names lookup
    "LL777AA,LL77 7AA,LL77 7AA,198001,,W99999999,W99999999,W06000001,W05001234,W04000001,0,W92000004,W99999999,W07000080,W06000001,53.25,-4.3",
    # live, Channel Islands: pseudo codes only
    "GY1 1AA,GY1  1AA,GY1 1AA,198001,,L99999999,L99999999,L99999999,L99999999,L99999999,0,L93000001,L99999999,L99999999,L99999999,49.45,-2.53",
]

LA_CSV = "LAD24CD,LAD24NM,LAD24NMW\r\nE09000033,Westminster,\r\nW06000001,Isle of Anglesey,Ynys Môn\r\n"
# The ward lookup also carries its local authority, first: the file name says which pair to use.
WARD_CSV = (
    "LAD24CD,LAD24NM,WD24CD,WD24NM\r\n"
    "E09000033,Westminster,E05013806,St James's\r\n"
    "W06000001,Isle of Anglesey,W05001234,Llangefni\r\n"
)
PCON_CSV = "PCON24CD,PCON24NM,PCON24NMW\r\nE14001172,Cities of London and Westminster,\r\nW07000080,Ynys Môn,Ynys Môn\r\n"
COUNTY_CSV = "CTY24CD,CTY24NM\r\nE10000002,Buckinghamshire\r\n"


def build_zip(path: Path, *, documents: bool = True, parts: bool = False) -> Path:
    main = MAIN_HEADER + "\r\n" + "\r\n".join(MAIN_ROWS) + "\r\n"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if parts:
            archive.writestr(
                "Data/multi_csv/ONSPD_NOV_2024_UK_GY.csv", MAIN_HEADER + "\r\n" + MAIN_ROWS[3] + "\r\n"
            )
            archive.writestr(
                "Data/multi_csv/ONSPD_NOV_2024_UK_LL.csv", MAIN_HEADER + "\r\n" + MAIN_ROWS[2] + "\r\n"
            )
            archive.writestr(
                "Data/multi_csv/ONSPD_NOV_2024_UK_SW.csv",
                MAIN_HEADER + "\r\n" + "\r\n".join(MAIN_ROWS[:2]) + "\r\n",
            )
        else:
            archive.writestr("Data/ONSPD_NOV_2024_UK.csv", main)
            # The per-area parts sit alongside the main file; they must not be read twice.
            archive.writestr(
                "Data/multi_csv/ONSPD_NOV_2024_UK_SW.csv", MAIN_HEADER + "\r\n" + MAIN_ROWS[0] + "\r\n"
            )
        if documents:
            archive.writestr("Documents/LA_UA names and codes UK as at 04_24.csv", LA_CSV.encode("cp1252"))
            archive.writestr(
                "Documents/Ward names and codes UK as at 05_24.csv", ("\ufeff" + WARD_CSV).encode("utf-8")
            )
            archive.writestr(
                "Documents/Westminster Parliamentary Constituency names and codes UK as at 12_24.csv",
                PCON_CSV.encode("utf-8"),
            )
            archive.writestr("Documents/County names and codes UK as at 04_24.csv", COUNTY_CSV)
            archive.writestr("Documents/ONSPD User Guide Nov 2024.pdf", b"%PDF-1.4 not really")
        archive.writestr("User Guide/README.txt", "read me")
    return path


EXPECTED = [
    PostcodeAreas(
        postcode="SW1A 1AA",
        local_authority_code="E09000033",
        local_authority="Westminster",
        ward_code="E05013806",
        ward="St James's",
        constituency_code="E14001172",
        constituency="Cities of London and Westminster",
    ),
    PostcodeAreas(
        postcode="LL77 7AA",
        local_authority_code="W06000001",
        local_authority="Isle of Anglesey",
        ward_code="W05001234",
        ward="Llangefni",
        constituency_code="W07000080",
        constituency="Ynys Môn",
    ),
    PostcodeAreas(postcode="GY1 1AA"),
]


def test_zip_with_documents_gives_codes_and_names(tmp_path):
    rows = parse_onspd(build_zip(tmp_path / "ONSPD_NOV_2024_UK.zip"))
    assert isinstance(rows, Iterator)
    assert list(rows) == EXPECTED


def test_zip_without_documents_gives_codes_only(tmp_path):
    rows = list(parse_onspd(build_zip(tmp_path / "onspd.zip", documents=False)))
    assert [r.postcode for r in rows] == ["SW1A 1AA", "LL77 7AA", "GY1 1AA"]
    assert rows[0].local_authority_code == "E09000033"
    assert rows[0].local_authority is None
    assert rows[0].ward is None
    assert rows[0].constituency is None


def test_zip_split_into_parts_is_read_part_by_part(tmp_path):
    rows = list(parse_onspd(build_zip(tmp_path / "onspd.zip", parts=True)))
    assert sorted(rows, key=lambda r: r.postcode) == sorted(EXPECTED, key=lambda r: r.postcode)


def test_bare_csv_gives_codes_without_names(tmp_path):
    path = tmp_path / "ONSPD_NOV_2024_UK.csv"
    path.write_text(
        "pcd,doterm,oslaua,osward,pcon\n"
        "SW1A1AA,,E09000033,E05013806,E14001172\n"
        "B1  1AA,,E08000025,E05011151,E14001089\n"
        "B1  1AB,201203,E08000025,E05011151,E14001089\n"
        "\n",
        encoding="utf-8",
    )
    rows = list(parse_onspd(path))
    assert rows == [
        PostcodeAreas("SW1A 1AA", "E09000033", None, "E05013806", None, "E14001172", None),
        PostcodeAreas("B1 1AA", "E08000025", None, "E05011151", None, "E14001089", None),
    ]


def test_newer_column_names_are_recognised(tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(
        "PCDS,DOTERM,LAD25CD,WD25CD,PCON24CD\nEC1A 1BB,,E09000001,E05009288,E14001172\n", encoding="utf-8"
    )
    assert list(parse_onspd(path)) == [
        PostcodeAreas("EC1A 1BB", "E09000001", None, "E05009288", None, "E14001172", None)
    ]


def test_zip_without_data_is_rejected(tmp_path):
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Documents/Ward names and codes UK as at 05_24.csv", WARD_CSV)
    with pytest.raises(ValueError, match=r"empty\.zip.*Data/ONSPD_"):
        list(parse_onspd(path))


def test_csv_without_postcode_column_is_rejected(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"other\.csv.*postcode"):
        list(parse_onspd(path))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" SW1A   1AA ", "SW1A 1AA"),
        ("b11aa", "B1 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir 0aa", "GIR 0AA"),
        ("SW1A", None),
        ("not a postcode", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_postcode(text, expected):
    assert normalise_postcode(text) == expected


def test_reference_postcode_areas(tmp_path):
    directory = {row.postcode: row for row in parse_onspd(build_zip(tmp_path / "onspd.zip"))}
    reference = Reference(postcodes=directory.get)
    assert reference.postcode_areas("sw1a1aa") == EXPECTED[0]
    assert reference.postcode_areas("LL77  7aa") == EXPECTED[1]
    assert reference.postcode_areas("ZZ9 9ZZ") is None
    assert reference.postcode_areas("nonsense") is None
    assert Reference().postcode_areas("SW1A 1AA") is None
