"""Derive the packaged ITL 2021 tables from Eurostat's NUTS 2016 → NUTS 2021 correspondence.

ITL 2021 is the ONS mirror of the UK part of NUTS 2021 with the ``UK`` prefix replaced by
``TL``. Find a Tender still sends NUTS-2016-style codes, so the lookup maps every NUTS 2016
code (and every NUTS 2021 code that differs from it) to its ITL 2021 code.

Inputs (Eurostat-derived CSVs, see the shared data's PROVENANCE.md §6):

* ``uk_nuts2016_to_nuts2021.csv`` (``code_2016,code_2021,nuts_level,label,...``)
* ``uk_nuts2016.csv`` (``code,nuts_level,name,...``), used only to check levels agree

Outputs (in ``src/tenderlens/reference/data``): ``nuts_to_itl.csv`` and ``itl_regions.csv``.
Level-1 names are written as ONS writes them (Eurostat's are upper case with "(ENGLAND)");
level-2 and level-3 names are Eurostat's NUTS 2021 labels. The UK level (``UK``) and the
extra-regio codes (``UKZ``, ``UKZZ``, ``UKZZZ``) have no ITL region and are left out.

Usage::

    python scripts/build_itl_tables.py [SHARED_REFERENCE_DIR] [--check]

``--check`` compares the derived tables with the packaged ones and exits 1 if they differ.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "tenderlens" / "reference" / "data"
DEFAULT_SHARED = REPO.parent / "shared" / "data" / "reference"

# ONS spellings of the twelve ITL1 regions (ITL1 names are the former Government Office
# Regions plus the three devolved nations).
ITL1_NAMES = {
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

NUTS_TO_ITL_HEADER = (
    "# NUTS 2016 and NUTS 2021 codes (UK) -> ITL 2021 code. Derived by scripts/build_itl_tables.py "
    "from Eurostat's NUTS 2016-2021 correspondence (c) European Union; see README.md."
)
ITL_REGIONS_HEADER = (
    "# ITL 2021 regions. Level-1 names as ONS writes them; level-2/3 names are Eurostat's NUTS 2021 "
    "labels (c) European Union. Derived by scripts/build_itl_tables.py; see README.md."
)


def to_itl(nuts_code: str) -> str:
    if not nuts_code.startswith("UK"):
        raise ValueError(f"not a UK NUTS code: {nuts_code!r}")
    return "TL" + nuts_code[2:]


def derive(shared: Path) -> tuple[str, str]:
    """Return the text of (nuts_to_itl.csv, itl_regions.csv)."""
    correspondence = shared / "uk_nuts2016_to_nuts2021.csv"
    listing = shared / "uk_nuts2016.csv"
    with listing.open(encoding="utf-8-sig", newline="") as handle:
        levels_2016 = {row["code"]: int(row["nuts_level"]) for row in csv.DictReader(handle)}
    with correspondence.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))

    mapping: dict[str, tuple[str, int]] = {}
    regions: dict[str, tuple[int, str]] = {}
    for row in rows:
        code_2016, code_2021 = row["code_2016"].strip(), row["code_2021"].strip()
        level = int(row["nuts_level"])
        if level == 0 or code_2021.startswith("UKZ"):
            continue
        if levels_2016.get(code_2016) != level:
            raise ValueError(f"{code_2016}: level {level} disagrees with {listing.name}")
        if len(code_2021) != level + 2:
            raise ValueError(f"{code_2021}: code length does not match level {level}")
        itl = to_itl(code_2021)
        name = ITL1_NAMES[itl] if level == 1 else row["label"].strip()
        regions[itl] = (level, name)
        for nuts in (code_2016, code_2021):
            previous = mapping.get(nuts)
            if previous is not None and previous != (itl, level):
                raise ValueError(f"{nuts}: maps to both {previous[0]} and {itl}")
            mapping[nuts] = (itl, level)

    missing_parents = {itl[:n] for itl in regions for n in range(3, len(itl))} - set(regions)
    if missing_parents:
        raise ValueError(f"ITL codes without a parent region: {sorted(missing_parents)}")

    nuts_out = io.StringIO()
    nuts_out.write(NUTS_TO_ITL_HEADER + "\n")
    writer = csv.writer(nuts_out, lineterminator="\n")
    writer.writerow(["nuts_code", "itl_code", "level"])
    for nuts, (itl, level) in sorted(mapping.items()):
        writer.writerow([nuts, itl, level])

    regions_out = io.StringIO()
    regions_out.write(ITL_REGIONS_HEADER + "\n")
    writer = csv.writer(regions_out, lineterminator="\n")
    writer.writerow(["itl_code", "level", "name"])
    for itl, (level, name) in sorted(regions.items()):
        writer.writerow([itl, level, name])
    return nuts_out.getvalue(), regions_out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shared", nargs="?", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--check", action="store_true", help="compare with the packaged tables")
    args = parser.parse_args(argv)
    nuts_text, regions_text = derive(args.shared)
    targets = {OUT / "nuts_to_itl.csv": nuts_text, OUT / "itl_regions.csv": regions_text}
    if args.check:
        stale = [p.name for p, text in targets.items() if not p.exists() or p.read_text("utf-8") != text]
        if stale:
            print(f"out of date: {', '.join(stale)}", file=sys.stderr)
            return 1
        print("packaged ITL tables match the Eurostat correspondence")
        return 0
    for path, text in targets.items():
        path.write_text(text, encoding="utf-8", newline="")
        print(f"wrote {path.relative_to(REPO)} ({text.count(chr(10)) - 2} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
