"""What a supplier does, as plain data: the profile every score is worked out against."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from tenderlens.search.text import tokens

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

CPV_DIGITS: Final = re.compile(r"^\d{2,8}$")
ITL_CODE: Final = re.compile(r"^TL[A-Z0-9]{1,3}$")
# Words of a free-text description that say nothing about the work.
STOP_WORDS: Final = frozenset(
    [
        "a",
        "about",
        "across",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "can",
        "do",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "over",
        "provide",
        "provides",
        "providing",
        "service",
        "services",
        "such",
        "that",
        "the",
        "their",
        "them",
        "these",
        "this",
        "those",
        "to",
        "under",
        "up",
        "we",
        "which",
        "who",
        "with",
        "within",
        "work",
        "works",
        "you",
        "your",
    ]
)
MIN_DESCRIPTION_WORD: Final = 4


def _items(value: Any) -> tuple[str, ...]:
    """A list, or text separated by commas, semicolons or new lines, as trimmed items."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts: Iterable[Any] = re.split(r"[,;\n]", value)
    elif isinstance(value, (list, tuple)):
        parts = value
    else:
        return ()
    return tuple(dict.fromkeys(str(part).strip() for part in parts if str(part).strip()))


def cpv_code(code: str) -> str | None:
    """A CPV code or prefix as digits, check digit dropped: ``85312320-8`` → ``85312320``, ``85`` → ``85``."""
    digits = code.strip().split("-")[0].replace(" ", "")
    return digits if CPV_DIGITS.match(digits) else None


def significant(code: str) -> str:
    """The digits placing a CPV code in the hierarchy: ``85000000`` → ``85``, ``85312320`` → ``8531232``."""
    return code.rstrip("0").ljust(2, "0") if len(code.rstrip("0")) < 2 else code.rstrip("0")


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Profile:
    """A supplier profile: what it does, where, for how much."""

    description: str = ""
    cpv: tuple[str, ...] = ()  # 8-digit codes, or prefixes: division 85, group 853
    keywords: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # ITL codes served: TLC covers TLC1 and TLC11
    value_min: float | None = None
    value_max: float | None = None
    sme: bool = False
    vcse: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.description.strip() or self.cpv or self.keywords or self.regions)

    @property
    def description_words(self) -> tuple[str, ...]:
        """The content words of the free text (stop words and short words left out)."""
        words = (
            w for w in tokens(self.description) if len(w) >= MIN_DESCRIPTION_WORD and w not in STOP_WORDS
        )
        return tuple(dict.fromkeys(words))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Profile:
        """A profile from a stored row or a form: lists or comma-separated text, codes validated.

        Accepts the column names of the ``profiles`` table (``cpv_codes``, ``regions``,
        ``keywords``, ``exclusions``, ``value_min``/``value_max``, ``sme``/``vcse``) and short
        forms (``cpv``, ``itl``); CPV codes and ITL codes that are not codes are dropped.
        """
        cpv = (cpv_code(code) for code in _items(data.get("cpv_codes", data.get("cpv"))))
        regions = (code.upper() for code in _items(data.get("regions", data.get("itl"))))
        return cls(
            description=str(data.get("description") or data.get("about") or ""),
            cpv=tuple(dict.fromkeys(code for code in cpv if code)),
            keywords=tuple(k.casefold() for k in _items(data.get("keywords"))),
            exclusions=tuple(k.casefold() for k in _items(data.get("exclusions"))),
            regions=tuple(dict.fromkeys(code for code in regions if ITL_CODE.match(code))),
            value_min=_number(data.get("value_min")),
            value_max=_number(data.get("value_max")),
            sme=bool(data.get("sme")),
            vcse=bool(data.get("vcse")),
        )
