"""Reference data: CPV, UK geography (NUTS → ITL), notice types, postcodes.

Small public tables ship with the package (``reference/data``); large ones (the full CPV
list, the ONS Postcode Directory) are loaded into the store by ``tenderlens reference load``
and passed in here as plain mappings, so :class:`Reference` stays a pure, in-memory object.

The pieces live in submodules (``cpv``, ``geography``, ``notice_types``, ``onspd``) and are
re-exported here; import from ``tenderlens.reference``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from tenderlens.reference.cpv import cpv_divisions, division_of, normalise_cpv, parse_cpv_file
from tenderlens.reference.geography import (
    NON_REGION_NAMES,
    Region,
    itl1_for_name,
    itl_code_for,
    itl_tables,
    regions_for_code,
)
from tenderlens.reference.notice_types import STAGES, NoticeType, lookup, notice_types
from tenderlens.reference.onspd import PostcodeAreas, normalise_postcode, parse_onspd

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "NON_REGION_NAMES",
    "STAGES",
    "NoticeType",
    "PostcodeAreas",
    "Reference",
    "Region",
    "default_reference",
    "normalise_cpv",
    "normalise_postcode",
    "parse_cpv_file",
    "parse_onspd",
]


class Reference:
    """Look-ups over the packaged tables plus, optionally, a loaded CPV list and postcode directory.

    ``cpv_labels`` maps 8-digit CPV codes (no check digit) to English labels, as
    :func:`parse_cpv_file` yields them; ``postcodes`` is called with a normalised postcode
    ("SW1A 1AA") and returns its areas or None.
    """

    def __init__(
        self,
        cpv_labels: Mapping[str, str] | None = None,
        postcodes: Callable[[str], PostcodeAreas | None] | None = None,
    ) -> None:
        self._cpv_labels = cpv_labels
        self._postcodes = postcodes

    # --- CPV ------------------------------------------------------------------------------

    @property
    def has_cpv_list(self) -> bool:
        """True when a full CPV list was loaded (so groups and full labels are available)."""
        return bool(self._cpv_labels)

    def cpv_label(self, code: str) -> str | None:
        """Label of a CPV code given with or without its check digit ("85120000" or "85120000-3").

        Labels come from the loaded CPV list; without one, only division codes
        (``85000000``) have labels, from the packaged division table.
        """
        normal = normalise_cpv(code)
        if normal is None:
            return None
        if self._cpv_labels:
            label = self._cpv_labels.get(normal)
            if label is not None:
                return label
        if normal.endswith("000000"):
            division = division_of(normal)
            return division[1] if division is not None else None
        return None

    def cpv_division(self, code: str) -> tuple[str, str] | None:
        """("85", "Health and social work services") for any code in division 85."""
        return division_of(code)

    def cpv_group(self, code: str) -> tuple[str, str] | None:
        """("851", "Health services") for any code in group 851, from the loaded CPV list.

        None without a loaded list, for a division-level code (``85000000``), or when the
        list has no ``XXX00000`` entry for the group.
        """
        normal = normalise_cpv(code)
        if normal is None or not self._cpv_labels or normal[2] == "0":
            return None
        group = normal[:3]
        label = self._cpv_labels.get(group + "00000")
        return (group, label) if label is not None else None

    # --- geography ------------------------------------------------------------------------

    def regions_for_nuts(self, code: str) -> tuple[Region, ...]:
        """The ITL regions (level 1, then 2, then 3, as deep as the code goes) for a NUTS code FTS sends.

        Accepts NUTS 2016 (``UKK21``), NUTS 2021 (``UKK24``) and ITL 2021 (``TLK24``) codes;
        returns () for UK-wide (``UK``), extra-regio (``UKZ…``) and unknown codes.
        """
        return regions_for_code(code)

    def region_for_name(self, name: str) -> Region | None:
        """The ITL1 region a Contracts Finder region name ("South East", "London") denotes.

        Case and spacing are ignored. Names of no single region ("England", "Any region",
        "UK"; see ``NON_REGION_NAMES``) and unknown names give None.
        """
        return itl1_for_name(name)

    def itl_region(self, code: str) -> Region | None:
        """The ITL 2021 region with this exact code ("TLC11"), or the one a NUTS code maps to."""
        itl = itl_code_for(code)
        return itl_tables().regions.get(itl) if itl is not None else None

    # --- notice types ---------------------------------------------------------------------

    def notice_type(self, code: str) -> NoticeType | None:
        """The notice type for "UK4", "uk4", "F03", "F3", …; None if unknown."""
        return lookup(code)

    def notice_types(self) -> tuple[NoticeType, ...]:
        """Every known notice type: UK1 to UK17, then the earlier forms."""
        return tuple(notice_types().values())

    # --- postcodes ------------------------------------------------------------------------

    def postcode_areas(self, postcode: str) -> PostcodeAreas | None:
        """The areas of a postcode in any spacing or case; None if not a postcode or no directory loaded."""
        if self._postcodes is None:
            return None
        normal = normalise_postcode(postcode)
        return self._postcodes(normal) if normal is not None else None


@functools.cache
def default_reference() -> Reference:
    """The packaged tables only (no loaded CPV list or postcode directory).

    The packaged tables are read once (the loaders are cached) and checked here, so a
    broken install fails at start-up rather than on the first look-up.
    """
    cpv_divisions()
    itl_tables()
    notice_types()
    return Reference()
