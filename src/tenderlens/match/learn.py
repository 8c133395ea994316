"""Learning what a user wants from their "relevant" / "not relevant" feedback.

Each notice is described by features — its CPV codes and divisions, its buyer, its regions
(every level of each ITL code) and the content words of its title. A user's weights over
those features are an online logistic regression: marking a notice relevant moves each of
its features' weights by ``rate * (1 - p)``, not relevant by ``-rate * p``, where ``p`` is
what the current weights predicted. Notices sharing features with the ones marked then rise
or fall in that user's ranking, and no one else's.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

from tenderlens.match.profile import STOP_WORDS
from tenderlens.match.words import stem
from tenderlens.reference.cpv import cpv_divisions
from tenderlens.search.text import tokens

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from tenderlens.match.facts import NoticeFacts

RATE: Final = 0.4
# Title words are many and weak evidence each; codes, buyers and regions are few and strong.
KIND_RATE: Final = {"cpv": 1.0, "division": 0.75, "buyer": 1.0, "region": 0.5, "term": 0.35}
WEIGHT_CAP: Final = 3.0  # no single feature's weight goes beyond ±3
LEARNED_CAP: Final = 4.0  # nor the learned part of a score beyond ±4
MIN_TERM: Final = 4
MIN_REGION: Final = 3  # "TLC": ITL1


def features(facts: NoticeFacts) -> frozenset[str]:
    """``cpv:85312320``, ``division:85``, ``buyer:<key>``, ``region:TLC1``, ``term:victim``."""
    found: set[str] = set()
    for code in facts.cpv:
        found.add(f"cpv:{code.code}")
        found.add(f"division:{code.code[:2]}")
    if facts.buyer_key:
        found.add(f"buyer:{facts.buyer_key}")
    for place in (*facts.delivery_regions, *facts.buyer_regions):
        found.update(f"region:{place.code[:size]}" for size in range(MIN_REGION, len(place.code) + 1))
    for word in tokens(facts.title):
        if len(word) >= MIN_TERM and word not in STOP_WORDS and not word.isdigit():
            found.add(f"term:{stem(word)}")
    return frozenset(found)


def describe_feature(feature: str, facts: NoticeFacts | None = None) -> str:
    """A feature in words, for reasons: "with CPV division 85 (Health and social work services)"."""
    kind, _, value = feature.partition(":")
    if kind == "cpv":
        label = next(
            (code.label for code in (facts.cpv if facts else ()) if code.code == value and code.label), None
        )
        return f"with CPV {value}" + (f" {label}" if label else "")
    if kind == "division":
        label = cpv_divisions().get(value)
        return f"with CPV division {value}" + (f" ({label})" if label else "")
    if kind == "buyer":
        name = facts.buyer_name if facts and facts.buyer_key == value and facts.buyer_name else value
        return f"from {name}"
    if kind == "region":
        from tenderlens.reference.geography import itl_tables  # noqa: PLC0415 - cached table, used only here

        region = itl_tables().regions.get(value)
        return f"in {region.name} ({value})" if region else f"in region {value}"
    return f"mentioning '{value}'"


def predict(weights: Mapping[str, float], present: Iterable[str]) -> float:
    """The probability, under the weights, that a notice with these features is relevant."""
    total = sum(weights.get(feature, 0.0) for feature in present)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


def update(
    weights: Mapping[str, float], present: Iterable[str], *, relevant: bool, rate: float = RATE
) -> dict[str, float]:
    """The new weights of ``present``'s features after one piece of feedback (others unchanged)."""
    chosen = sorted(set(present))
    error = (1.0 if relevant else 0.0) - predict(weights, chosen)
    changed = {}
    for feature in chosen:
        step = rate * KIND_RATE.get(feature.partition(":")[0], 0.5) * error
        new = weights.get(feature, 0.0) + step
        changed[feature] = max(-WEIGHT_CAP, min(WEIGHT_CAP, new))
    return changed
