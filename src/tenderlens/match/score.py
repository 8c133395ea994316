"""A notice's fit to a profile, as a score and the reasons for it, each in words.

Every part of the score is a :class:`Reason` with its weight, so what the page says is
exactly what was added up: CPV codes matched by code or by hierarchy (division 2 digits,
group 3, class 4, category 5), ITL regions up the hierarchy (a profile serving ``TLC``
matches ``TLC1`` and ``TLC11``), keywords and the profile's own words in the title and
description, exclusions (which push down), the value range, SME/VCSE suitability, and the
weights learned from the user's feedback (:mod:`tenderlens.match.learn`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from tenderlens.match.facts import Labelled
from tenderlens.match.learn import LEARNED_CAP, describe_feature, features
from tenderlens.match.profile import significant
from tenderlens.match.words import contains, stem, stems
from tenderlens.reference.cpv import cpv_divisions
from tenderlens.reference.geography import itl_tables

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tenderlens.match.facts import NoticeFacts
    from tenderlens.match.profile import Profile

# Weights: what one matching fact adds. Tuned so a code match outweighs a word in the title,
# and an exclusion outweighs any single match.
CPV_EXACT: Final = 3.0
CPV_WITHIN: Final = {2: 2.0, 3: 2.25, 4: 2.5, 5: 2.75}  # the notice's code is in the profile's prefix
CPV_SHARED: Final = {2: 0.6, 3: 1.0, 4: 1.5, 5: 2.0}  # the codes share this many digits
CPV_EXTRA: Final = 0.25  # each further matching code
CPV_EXTRA_CAP: Final = 0.75
DELIVERY_INSIDE: Final = 2.0
DELIVERY_AROUND: Final = 1.0  # the notice names a wider region that contains the profile's
DELIVERY_OUTSIDE: Final = -1.0
BUYER_INSIDE: Final = 1.0
BUYER_AROUND: Final = 0.5
KEYWORD_TITLE: Final = 1.5
KEYWORD_TEXT: Final = 0.75
KEYWORDS_CAP: Final = 4.5
WORD_TITLE: Final = 0.5
WORD_TEXT: Final = 0.25
WORDS_CAP: Final = 2.0
EXCLUDED: Final = -5.0
VALUE_INSIDE: Final = 0.5
VALUE_BELOW: Final = -1.0
VALUE_ABOVE: Final = -1.5
SUITABLE: Final = 0.5
NOT_SUITABLE: Final = -0.5
LEARNED_SHOWN: Final = 0.3  # learned contributions smaller than this are summed but not named
LEVELS: Final = ((4.0, "Strong match"), (2.0, "Good match"), (0.5, "Some match"))
LEVEL_NONE: Final = "Unlikely match"
DIVISION: Final = 2  # CPV digits: division 2, group 3, class 4, category 5
CATEGORY: Final = 5
LEVEL_NAMES: Final = {2: "division", 3: "group", 4: "class", 5: "category"}


@dataclass(frozen=True, slots=True)
class Reason:
    """One part of a score: ``kind`` is cpv, region, keyword, word, exclusion, value, suitability, learned."""

    kind: str
    text: str
    weight: float


@dataclass(frozen=True, slots=True)
class Match:
    """A score and its reasons, strongest first (the score is the sum of the reasons' weights)."""

    ocid: str
    score: float
    reasons: tuple[Reason, ...]

    @property
    def level(self) -> str:
        return next((words for floor, words in LEVELS if self.score >= floor), LEVEL_NONE)

    @property
    def summary(self) -> str:
        """The reasons in one line, for result lists and e-mails."""
        shown = [reason.text for reason in self.reasons if reason.weight > 0][:3]
        against = [reason.text for reason in self.reasons if reason.weight < 0][:1]
        return "; ".join(shown + against) or "Nothing in your profile matches this notice"


def _itl_name(code: str) -> str | None:
    region = itl_tables().regions.get(code)
    return region.name if region else None


def region_words(place: Labelled) -> str:
    name = place.label or _itl_name(place.code)
    return f"{name} ({place.code})" if name else place.code


def _profile_cpv_words(code: str) -> str:
    sig = significant(code)
    if len(sig) > CATEGORY:
        return code
    label = cpv_divisions().get(sig) if len(sig) == DIVISION else None
    return f"{LEVEL_NAMES[len(sig)]} {sig}" + (f" ({label})" if label else "")


def _common(a: str, b: str) -> int:
    size = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        size += 1
    return size


def _cpv_pair(wanted: str, code: Labelled) -> tuple[float, str] | None:
    """How well one notice code matches one profile code or prefix, and why."""
    sig = significant(wanted)
    notice_sig = significant(code.code)
    if code.code == wanted or (len(sig) > CATEGORY and notice_sig.startswith(sig)):
        return CPV_EXACT, f"CPV {code.text()} matches your profile"
    if notice_sig == sig:
        return CPV_WITHIN[len(sig)], f"CPV {code.text()} matches {_profile_cpv_words(wanted)} of your profile"
    if notice_sig.startswith(sig):
        return CPV_WITHIN[len(sig)], f"CPV {code.text()} is in {_profile_cpv_words(wanted)} of your profile"
    shared = min(_common(sig, notice_sig), CATEGORY)
    if shared < DIVISION:
        return None
    level = LEVEL_NAMES[shared]
    if sig.startswith(notice_sig):
        return CPV_SHARED[shared], f"CPV {code.text()} covers your {_profile_cpv_words(wanted)}"
    words = f"CPV {code.text()} is in the same {level} as your {_profile_cpv_words(wanted)}"
    return CPV_SHARED[shared], words


def cpv_reasons(profile: Profile, facts: NoticeFacts) -> list[Reason]:
    """The best CPV match, plus a little for each further notice code that matches."""
    best: dict[str, tuple[float, str]] = {}
    for code in facts.cpv:
        for wanted in profile.cpv:
            pair = _cpv_pair(wanted, code)
            if pair is not None and pair[0] > best.get(code.code, (0.0, ""))[0]:
                best[code.code] = pair
    if not best:
        return []
    ranked = sorted(best.values(), key=lambda pair: -pair[0])
    found = [Reason("cpv", ranked[0][1], ranked[0][0])]
    more = len(ranked) - 1
    if more:
        text = f"{more} more of its CPV codes match" if more > 1 else "1 more of its CPV codes matches"
        found.append(Reason("cpv", text, min(CPV_EXTRA * more, CPV_EXTRA_CAP)))
    return found


def _place(places: tuple[Labelled, ...], regions: tuple[str, ...]) -> tuple[str, Labelled, str] | None:
    """("inside" | "around", the notice's region, the profile's region) for the closest match."""
    for place in places:
        for served in regions:
            if place.code.startswith(served):
                return "inside", place, served
    for place in places:
        for served in regions:
            if served.startswith(place.code):
                return "around", place, served
    return None


def region_reasons(profile: Profile, facts: NoticeFacts) -> list[Reason]:
    if not profile.regions:
        return []
    found: list[Reason] = []
    for role, places, inside, around in (
        ("delivery", facts.delivery_regions, DELIVERY_INSIDE, DELIVERY_AROUND),
        ("buyer", facts.buyer_regions, BUYER_INSIDE, BUYER_AROUND),
    ):
        match = _place(places, profile.regions)
        if match is None:
            continue
        how, place, served = match
        served_words = region_words(_labelled(served))
        if how == "inside":
            text = f"{role} region {region_words(place)}" + (
                "" if place.code == served else f", in your region {served_words}"
            )
            found.append(Reason("region", text, inside))
        else:
            found.append(
                Reason("region", f"{role} region {region_words(place)} includes your {served_words}", around)
            )
    if facts.delivery_regions and not any(r.text.startswith("delivery") for r in found):
        where = ", ".join(region_words(place) for place in facts.delivery_regions[:2])
        found.append(Reason("region", f"delivered in {where}, outside your regions", DELIVERY_OUTSIDE))
    return found


def _labelled(code: str) -> Labelled:
    return Labelled(code, _itl_name(code))


def word_reasons(profile: Profile, facts: NoticeFacts) -> list[Reason]:
    """Keywords (phrases) and the description's words, in the title or the description."""
    title, text = stems(facts.title), stems(facts.description)
    found: list[Reason] = []
    total = 0.0
    for keyword in profile.keywords:
        where, weight = (
            ("title", KEYWORD_TITLE) if contains(title, keyword) else ("description", KEYWORD_TEXT)
        )
        if where == "description" and not contains(text, keyword):
            continue
        weight = min(weight, KEYWORDS_CAP - total)
        if weight <= 0:
            break
        total += weight
        found.append(Reason("keyword", f"'{keyword}' in the {where}", weight))
    keyword_stems = {s for keyword in profile.keywords for s in stems(keyword)}
    total = 0.0
    title_set, text_set = set(title), set(text)
    for word in profile.description_words:
        stemmed = stem(word)
        if stemmed in keyword_stems:
            continue
        if stemmed in title_set:
            where, weight = "title", WORD_TITLE
        elif stemmed in text_set:
            where, weight = "description", WORD_TEXT
        else:
            continue
        weight = min(weight, WORDS_CAP - total)
        if weight <= 0:
            break
        total += weight
        found.append(Reason("word", f"'{word}' (from what you do) in the {where}", weight))
    return found


def exclusion_reasons(profile: Profile, facts: NoticeFacts) -> list[Reason]:
    title, text = stems(facts.title), stems(facts.description)
    found: list[Reason] = []
    for excluded in profile.exclusions:
        digits = excluded.replace(" ", "")
        if digits.isdigit() and len(digits) >= 2:
            hit = next((code for code in facts.cpv if code.code.startswith(significant(digits))), None)
            if hit is not None:
                found.append(Reason("exclusion", f"CPV {hit.text()} is excluded by your profile", EXCLUDED))
            continue
        where = "title" if contains(title, excluded) else "description" if contains(text, excluded) else None
        if where:
            found.append(
                Reason("exclusion", f"'{excluded}' in the {where} is one of your exclusions", EXCLUDED)
            )
    return found


def _money(amount: float) -> str:
    return f"£{amount:,.0f}"


def value_reasons(profile: Profile, facts: NoticeFacts) -> list[Reason]:
    amount = facts.value_amount
    if amount is None or facts.value_currency not in {None, "GBP"}:
        return []
    if profile.value_min is not None and amount < profile.value_min:
        text = f"value {_money(amount)} is below your minimum {_money(profile.value_min)}"
        return [Reason("value", text, VALUE_BELOW)]
    if profile.value_max is not None and amount > profile.value_max:
        text = f"value {_money(amount)} is above your maximum {_money(profile.value_max)}"
        return [Reason("value", text, VALUE_ABOVE)]
    if profile.value_min is not None or profile.value_max is not None:
        return [Reason("value", f"value {_money(amount)} is within your range", VALUE_INSIDE)]
    return []


def suitability_reasons(profile: Profile, facts: NoticeFacts) -> list[Reason]:
    found: list[Reason] = []
    for wanted, stated, who in ((profile.sme, facts.sme, "SMEs"), (profile.vcse, facts.vcse, "VCSEs")):
        if not wanted or stated is None:
            continue
        if stated:
            found.append(Reason("suitability", f"suitable for {who}", SUITABLE))
        else:
            found.append(Reason("suitability", f"marked not suitable for {who}", NOT_SUITABLE))
    return found


def learned_reasons(weights: Mapping[str, float], facts: NoticeFacts) -> list[Reason]:
    """The learned weights of the notice's features: named when they matter, summed and capped."""
    present = sorted(
        ((feature, weights[feature]) for feature in features(facts) if weights.get(feature)),
        key=lambda pair: -abs(pair[1]),
    )
    total = sum(weight for _, weight in present)
    if not present:
        return []
    scale = min(1.0, LEARNED_CAP / abs(total)) if total else 1.0
    found: list[Reason] = []
    named = 0.0
    for feature, weight in present[:3]:
        if abs(weight) < LEARNED_SHOWN:
            break
        verdict = "relevant" if weight > 0 else "not relevant"
        found.append(
            Reason(
                "learned", f"you marked notices {describe_feature(feature, facts)} {verdict}", weight * scale
            )
        )
        named += weight * scale
    rest = total * scale - named
    if abs(rest) >= 0.01:
        verdict = "relevant" if rest > 0 else "not relevant"
        found.append(
            Reason("learned", f"other notices you marked {verdict} share its codes, words or places", rest)
        )
    return found


def score(profile: Profile, facts: NoticeFacts, weights: Mapping[str, float] | None = None) -> Match:
    """The fit of one notice to a profile (and the user's learned weights), with every reason."""
    reasons = [
        *cpv_reasons(profile, facts),
        *region_reasons(profile, facts),
        *word_reasons(profile, facts),
        *exclusion_reasons(profile, facts),
        *value_reasons(profile, facts),
        *suitability_reasons(profile, facts),
        *learned_reasons(weights or {}, facts),
    ]
    ordered = tuple(sorted(reasons, key=lambda reason: (reason.weight < 0, -abs(reason.weight))))
    total = round(sum(reason.weight for reason in reasons), 6)
    return Match(facts.ocid, total, ordered)


def rank(
    profile: Profile, candidates: list[NoticeFacts], weights: Mapping[str, float] | None = None
) -> list[Match]:
    """Candidates by score, highest first; ties keep the candidates' order (the search's)."""
    scored = [(score(profile, facts, weights), position) for position, facts in enumerate(candidates)]
    scored.sort(key=lambda pair: (-pair[0].score, pair[1]))
    return [match for match, _ in scored]
