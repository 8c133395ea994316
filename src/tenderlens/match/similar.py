"""Similar notices: what two notices share — CPV codes, buyer, regions, title words — and how much."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from tenderlens.match.facts import NoticeFacts
from tenderlens.match.learn import features
from tenderlens.match.score import Match, Reason, region_words
from tenderlens.reference.cpv import cpv_divisions

if TYPE_CHECKING:
    from collections.abc import Iterable

SHARED_CODE: Final = 2.0
SHARED_CODES_CAP: Final = 4.0
SHARED_CLASS: Final = 1.0
SHARED_DIVISION: Final = 0.5
SAME_BUYER: Final = 2.0
SHARED_REGION: Final = 1.0
SHARED_WORD: Final = 0.5
SHARED_WORDS_CAP: Final = 2.0
THRESHOLD: Final = 1.5  # below this, two notices only happen to share a division or a word
SHOWN: Final = 5
CLASS_DIGITS: Final = 4


@lru_cache(maxsize=4096)
def title_words(title: str) -> frozenset[str]:
    """The title's word features (``term:victim``), as :func:`features` finds them; cached, as
    the same notices come back as candidates for their neighbours."""
    return features(NoticeFacts(ocid="", title=title))


@dataclass(frozen=True, slots=True)
class _Keys:
    """What :func:`similarity` compares on the notice's side, worked out once for all its candidates."""

    codes: frozenset[str]
    classes: frozenset[str]
    divisions: frozenset[str]
    regions: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, notice: NoticeFacts) -> _Keys:
        return cls(
            codes=frozenset(code.code for code in notice.cpv),
            classes=frozenset(code.code[:CLASS_DIGITS] for code in notice.cpv),
            divisions=frozenset(code.code[:2] for code in notice.cpv),
            regions=frozenset(place.code for place in notice.delivery_regions),
            words=title_words(notice.title),
        )


def similarity(notice: NoticeFacts, other: NoticeFacts, keys: _Keys | None = None) -> Match:
    """How alike ``other`` is to ``notice``, with what they share in words.

    ``keys`` are the notice's (``_Keys.of(notice)``), given when one notice is compared with many.
    """
    mine = keys or _Keys.of(notice)
    reasons: list[Reason] = []
    common = [code for code in other.cpv if code.code in mine.codes]
    if common:
        weight = min(SHARED_CODE * len(common), SHARED_CODES_CAP)
        words = ", ".join(code.text() for code in common[:2]) + (
            f" and {len(common) - 2} more" if len(common) > 2 else ""
        )
        reasons.append(Reason("cpv", f"both have CPV {words}", weight))
    else:
        same_class = next((code for code in other.cpv if code.code[:CLASS_DIGITS] in mine.classes), None)
        same_division = next((code for code in other.cpv if code.code[:2] in mine.divisions), None)
        if same_class is not None:
            reasons.append(Reason("cpv", f"CPV {same_class.text()} is in the same class", SHARED_CLASS))
        elif same_division is not None:
            label = cpv_divisions().get(same_division.code[:2])
            words = f"division {same_division.code[:2]}" + (f" ({label})" if label else "")
            reasons.append(Reason("cpv", f"same CPV {words}", SHARED_DIVISION))
    if notice.buyer_key and notice.buyer_key == other.buyer_key:
        reasons.append(Reason("buyer", f"same buyer: {other.buyer_name or other.buyer_key}", SAME_BUYER))
    place = next((place for place in other.delivery_regions if place.code in mine.regions), None)
    if place is not None:
        reasons.append(Reason("region", f"both delivered in {region_words(place)}", SHARED_REGION))
    words_shared = sorted(f.partition(":")[2] for f in title_words(other.title) & mine.words)
    if words_shared:
        weight = min(SHARED_WORD * len(words_shared), SHARED_WORDS_CAP)
        quoted = ", ".join(f"'{word}'" for word in words_shared[:3])
        reasons.append(Reason("term", f"both titles mention {quoted}", weight))
    reasons.sort(key=lambda reason: -reason.weight)
    return Match(other.ocid, round(sum(reason.weight for reason in reasons), 6), tuple(reasons))


def similar(notice: NoticeFacts, candidates: Iterable[NoticeFacts], limit: int = SHOWN) -> list[Match]:
    """The most similar candidates (not the notice itself), most alike first; ties keep their order."""
    keys = _Keys.of(notice)
    scored = [
        (similarity(notice, other, keys), position)
        for position, other in enumerate(candidates)
        if other.ocid != notice.ocid
    ]
    kept = [pair for pair in scored if pair[0].score >= THRESHOLD]
    kept.sort(key=lambda pair: (-pair[0].score, pair[1]))
    return [match for match, _ in kept[:limit]]
