"""UK geography: the NUTS-style region codes FTS sends, and Contracts Finder region names, as ITL 2021.

FTS puts NUTS-2016-style codes (``UKC11``, ``UKC1``, ``UKL``, ``UK``) in ``address.region``
and ``deliveryAddresses[].region``. The ONS replaced NUTS with ITL (International
Territorial Levels) from 2021; ITL 2021 mirrors the UK part of NUTS 2021 with ``UK`` →
``TL``. The packaged tables (built by ``scripts/build_itl_tables.py`` from Eurostat's
NUTS 2016 → 2021 correspondence) map every NUTS 2016 and NUTS 2021 code to ITL 2021, which
is not a prefix swap for the recoded Dorset and Northern Ireland units.

ITL 2025 (realigned ITL2/ITL3 in England) is not shipped: see ``data/README.md``.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class Region:
    """An ITL region: ``code`` like ``TLC11``, ``level`` 1, 2 or 3."""

    code: str
    name: str
    level: int


@dataclass(frozen=True, slots=True)
class ItlTables:
    regions: dict[str, Region]
    nuts_to_itl: dict[str, str]
    itl1_by_name: dict[str, Region]


# Region values that name no single ITL1 region. They are recognised (so callers can tell
# "deliberately no region" from "unknown text") and map to None. Contracts Finder sends
# "England" for England-wide delivery; ITL has no England level.
NON_REGION_NAMES = frozenset(
    {
        "any region",
        "all regions",
        "anywhere",
        "nationwide",
        "national",
        "uk",
        "united kingdom",
        "uk wide",
        "uk-wide",
        "great britain",
        "gb",
        "england",
        "england and wales",
        "not specified",
        "n/a",
        "none",
        "",
    }
)

# Other spellings of ITL1 names (normalised with _name_key) seen in UK data.
_ITL1_ALIASES = {
    "yorkshire and humber": "TLE",
    "yorkshire and humberside": "TLE",
    "eastern": "TLH",
    "east": "TLH",
}

_CODE_CLEAN = re.compile(r"[\s.\-_]+")
_SPACES = re.compile(r"\s+")


def _name_key(name: str) -> str:
    text = _SPACES.sub(" ", name.replace("&", " and ")).strip().casefold()
    if text.endswith("(england)"):
        text = text.removesuffix("(england)").strip()
    return text.removeprefix("the ").strip()


def _packaged_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("tenderlens.reference").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@functools.cache
def itl_tables() -> ItlTables:
    """The packaged ITL 2021 regions and the NUTS → ITL lookup, loaded once."""
    regions = {
        row["itl_code"]: Region(row["itl_code"], row["name"], int(row["level"]))
        for row in _packaged_rows("itl_regions.csv")
    }
    nuts_to_itl = {row["nuts_code"]: row["itl_code"] for row in _packaged_rows("nuts_to_itl.csv")}
    itl1_by_name = {_name_key(r.name): r for r in regions.values() if r.level == 1}
    for alias, code in _ITL1_ALIASES.items():
        itl1_by_name.setdefault(alias, regions[code])
    return ItlTables(regions, nuts_to_itl, itl1_by_name)


def normalise_region_code(code: str) -> str:
    return _CODE_CLEAN.sub("", code).upper() if isinstance(code, str) else ""


def itl_code_for(code: str) -> str | None:
    """The ITL 2021 code a NUTS 2016/2021 or ITL 2021 code denotes ("UKK21" → "TLK24"), or None."""
    tables = itl_tables()
    text = normalise_region_code(code)
    if text.startswith("TL"):
        return text if text in tables.regions else None
    return tables.nuts_to_itl.get(text)


def regions_for_code(code: str) -> tuple[Region, ...]:
    """ITL regions from level 1 down to the level of ``code``; () for UK-wide, extra-regio or unknown.

    Remembered per code: the listing of every record asks for the buyer's and each delivery
    place's regions, from a few hundred distinct codes (about 2% of the compile worker's time
    when each was worked out again; benchmarks/RESULTS.md, twentieth measurement).
    """
    return _regions_for_code(code) if isinstance(code, str) else ()


@functools.lru_cache(maxsize=4096)  # bounded: the codes come from publishers' data
def _regions_for_code(code: str) -> tuple[Region, ...]:
    itl = itl_code_for(code)
    if itl is None:
        return ()
    regions = itl_tables().regions
    chain = [regions.get(itl[:length]) for length in range(3, len(itl) + 1)]
    return tuple(region for region in chain if region is not None)


def itl1_for_name(name: str) -> Region | None:
    """The ITL1 region a region name denotes ("South East", "yorkshire and the humber"), or None."""
    if not isinstance(name, str):
        return None
    key = _name_key(name)
    if key in NON_REGION_NAMES:
        return None
    return itl_tables().itl1_by_name.get(key)


def is_non_region_name(name: str) -> bool:
    """True for values like "England" or "Any region" that deliberately name no ITL1 region."""
    return isinstance(name, str) and _name_key(name) in NON_REGION_NAMES
