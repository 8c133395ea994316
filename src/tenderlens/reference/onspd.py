"""The ONS Postcode Directory (ONSPD): postcode → local authority, ward and constituency.

A release is a zip of about 2.7 million rows (current and terminated postcodes). The main
CSV sits under ``Data/ONSPD_<MON>_<YEAR>_UK.csv`` with lower-case columns (``pcds``,
``doterm``, ``oslaua``, ``osward``, ``pcon``, …) holding GSS codes; the names of those
areas are in lookup CSVs under ``Documents/`` ("LA_UA names and codes UK as at ….csv" with
``LAD23CD,LAD23NM``, "Ward names and codes UK as at ….csv" with ``WD24CD,WD24NM``, and so
on). :func:`parse_onspd` streams live postcodes with codes and, when the lookups are there,
names. Nothing here holds the whole directory in memory; the store loads the rows.

Licence note: Northern Ireland (``BT``) postcodes in the ONSPD are free for non-commercial
use only.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator


@dataclass(frozen=True, slots=True)
class PostcodeAreas:
    """What the ONS Postcode Directory says about one postcode (names may be None if not loaded)."""

    postcode: str
    local_authority_code: str | None = None
    local_authority: str | None = None
    ward_code: str | None = None
    ward: str | None = None
    constituency_code: str | None = None
    constituency: str | None = None


_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
_SPACES = re.compile(r"\s+")


def normalise_postcode(postcode: str) -> str | None:
    """Upper case with one space before the inward code ("sw1a1aa" → "SW1A 1AA"); None if not a postcode."""
    if not isinstance(postcode, str):
        return None
    text = _SPACES.sub("", postcode).upper()
    if not (_POSTCODE.match(text) or text == "GIR0AA"):
        return None
    return f"{text[:-3]} {text[-3:]}"


# --- main CSV -------------------------------------------------------------------------------

_MAIN_CSV = re.compile(r"(?:^|/)data/onspd_[^/]*\.csv$", re.IGNORECASE)
_PART_CSV = re.compile(r"(?:^|/)data/multi_csv/onspd_[^/]*\.csv$", re.IGNORECASE)
_POSTCODE_COLUMNS = ("pcds", "pcd2", "pcd", "pcd8", "pcd7")
_LA_COLUMNS = (re.compile(r"^oslaua$"), re.compile(r"^lad\d{2}cd$"))
_WARD_COLUMNS = (re.compile(r"^osward$"), re.compile(r"^wd\d{2}cd$"))
_PCON_COLUMNS = (re.compile(r"^pcon$"), re.compile(r"^pcon\d{2}cd$"))
# GSS "pseudo" codes such as E99999999 mean "no such area" (e.g. offshore or Channel Islands).
_PSEUDO_CODE = re.compile(r"^[A-Z]99999999$")


def _find_column(header: list[str], patterns: Iterable[re.Pattern[str]]) -> int | None:
    for pattern in patterns:
        for index, name in enumerate(header):
            if pattern.match(name):
                return index
    return None


def _code(row: list[str], index: int | None) -> str | None:
    if index is None or index >= len(row):
        return None
    value = row[index].strip()
    return value if value and not _PSEUDO_CODE.match(value) else None


def _rows(handle: IO[str], where: str, names: dict[str, dict[str, str]] | None) -> Iterator[PostcodeAreas]:
    reader = csv.reader(handle)
    header = [column.strip().lower() for column in next(reader, [])]
    postcode_index = next((header.index(c) for c in _POSTCODE_COLUMNS if c in header), None)
    if postcode_index is None:
        raise ValueError(f"{where}: not an ONSPD file: no postcode column ({', '.join(_POSTCODE_COLUMNS)})")
    doterm_index = header.index("doterm") if "doterm" in header else None
    la_index = _find_column(header, _LA_COLUMNS)
    ward_index = _find_column(header, _WARD_COLUMNS)
    pcon_index = _find_column(header, _PCON_COLUMNS)
    la_names = names.get("la") if names is not None else None
    ward_names = names.get("ward") if names is not None else None
    pcon_names = names.get("pcon") if names is not None else None

    for row in reader:
        if len(row) <= postcode_index:
            continue
        if doterm_index is not None and doterm_index < len(row) and row[doterm_index].strip():
            continue  # terminated postcode
        raw = row[postcode_index]
        postcode = normalise_postcode(raw) or _SPACES.sub(" ", raw.strip().upper())
        if not postcode:
            continue
        la, ward, pcon = _code(row, la_index), _code(row, ward_index), _code(row, pcon_index)
        yield PostcodeAreas(
            postcode=postcode,
            local_authority_code=la,
            local_authority=la_names.get(la) if la_names is not None and la is not None else None,
            ward_code=ward,
            ward=ward_names.get(ward) if ward_names is not None and ward is not None else None,
            constituency_code=pcon,
            constituency=pcon_names.get(pcon) if pcon_names is not None and pcon is not None else None,
        )


# --- Documents/ name lookups ----------------------------------------------------------------

# Stem of the ``…CD`` column (letters only, year digits dropped) → kind of area.
_KIND_BY_STEM = {"LAD": "la", "LAUA": "la", "LA": "la", "UA": "la", "WD": "ward", "PCON": "pcon"}
# Fallback: words in the lookup's file name → kind of area.
_KIND_BY_FILE_NAME = (
    (re.compile(r"la[_ ]?ua|local[_ ]authorit", re.IGNORECASE), "la"),
    (re.compile(r"\bward", re.IGNORECASE), "ward"),
    (re.compile(r"westminster|parliamentary[_ ]constituenc", re.IGNORECASE), "pcon"),
)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _lookup_table(file_name: str, text: str) -> tuple[str, dict[str, str]] | None:
    """(kind, code → name) from one Documents/ lookup CSV, or None if it is not one we use.

    A lookup has ``<stem>CD`` and ``<stem>NM`` columns (``LAD23CD``/``LAD23NM``). The kind
    comes from the stem; the file name ("Ward names and codes …") picks between several
    pairs and names a pair whose stem is not recognised.
    """
    reader = csv.reader(io.StringIO(text))
    upper = [column.strip().upper() for column in next(reader, [])]
    pairs = [
        (index, upper.index(column[:-2] + "NM"), _KIND_BY_STEM.get(re.sub(r"[\d_]+", "", column[:-2])))
        for index, column in enumerate(upper)
        if column.endswith("CD") and column[:-2] + "NM" in upper
    ]
    file_kind = next((kind for pattern, kind in _KIND_BY_FILE_NAME if pattern.search(file_name)), None)
    chosen = next((pair for pair in pairs if file_kind is not None and pair[2] == file_kind), None)
    if chosen is None:
        chosen = next((pair for pair in pairs if pair[2] is not None), None)
    if chosen is None and file_kind is not None and len(pairs) == 1:
        chosen = (pairs[0][0], pairs[0][1], file_kind)
    if chosen is None:
        return None
    code_index, name_index, kind = chosen
    if kind is None:
        return None
    table = {
        row[code_index].strip(): row[name_index].strip()
        for row in reader
        if len(row) > max(code_index, name_index) and row[code_index].strip()
    }
    return kind, table


def _document_names(archive: zipfile.ZipFile) -> dict[str, dict[str, str]]:
    names: dict[str, dict[str, str]] = {}
    for info in archive.infolist():
        path = PurePosixPath(info.filename)
        if info.is_dir() or path.suffix.lower() != ".csv":
            continue
        if "documents" not in (part.lower() for part in path.parts[:-1]):
            continue
        found = _lookup_table(path.name, _decode(archive.read(info)))
        if found is not None:
            kind, table = found
            names.setdefault(kind, {}).update(table)
    return names


def parse_onspd(path: Path) -> Iterator[PostcodeAreas]:
    """Rows of an ONSPD release (zip or CSV); names from the zip's Documents/ lookups when present.

    Terminated postcodes (non-empty ``doterm``) are skipped; GSS pseudo codes
    (``E99999999`` and the like) become None. A bare CSV yields codes without names.
    Raises ValueError naming the file if it has no ONSPD data.
    """
    path = Path(path)
    if not zipfile.is_zipfile(path):
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            yield from _rows(handle, str(path), None)
        return
    with zipfile.ZipFile(path) as archive:
        members = [i for i in archive.infolist() if not i.is_dir() and _MAIN_CSV.search(i.filename)]
        if members:
            members = [max(members, key=lambda info: info.file_size)]
        else:
            parts = [i for i in archive.infolist() if not i.is_dir() and _PART_CSV.search(i.filename)]
            members = sorted(parts, key=lambda info: info.filename)
        if not members:
            raise ValueError(f"{path}: no ONSPD data file (Data/ONSPD_*.csv) in the zip")
        names = _document_names(archive)
        for member in members:
            raw = archive.open(member)
            with io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as handle:
                yield from _rows(handle, f"{path}:{member.filename}", names)
