"""Scores and their reasons: CPV by code and hierarchy, ITL up the hierarchy, words, exclusions."""

from __future__ import annotations

import pytest

from tenderlens.match.facts import Labelled, NoticeFacts
from tenderlens.match.profile import Profile, cpv_code, significant
from tenderlens.match.score import EXCLUDED, rank, score

VICTIM_SUPPORT = Profile.from_mapping(
    {
        "description": "Support for victims of crime, counselling and restorative practice.",
        "cpv_codes": ["85312320-8", "85000000"],
        "keywords": ["victim"],
        "exclusions": ["construction", "45"],
        "regions": ["tlc"],
        "sme": True,
        "vcse": True,
    }
)


def notice(**changes: object) -> NoticeFacts:
    base: dict[str, object] = {
        "ocid": "ocds-test-1",
        "title": "Victim Support & Restorative Practice",
        "description": "A local victim support service for Cleveland.",
        "buyer_key": "GB-PPON-1",
        "buyer_name": "Cleveland OPCC",
        "cpv": (Labelled("85312320", "Counselling services"),),
        "delivery_regions": (Labelled("TLC1", "Tees Valley and Durham"),),
        "buyer_regions": (Labelled("TLC11", "Hartlepool and Stockton-on-Tees"),),
    }
    base.update(changes)
    return NoticeFacts(**base)  # type: ignore[arg-type]


def texts(facts: NoticeFacts, profile: Profile = VICTIM_SUPPORT) -> list[str]:
    return [reason.text for reason in score(profile, facts).reasons]


def test_profile_reads_forms_and_rows() -> None:
    assert VICTIM_SUPPORT.cpv == ("85312320", "85000000")
    assert VICTIM_SUPPORT.regions == ("TLC",)
    assert Profile.from_mapping({"cpv_codes": "85, nonsense, 123456789", "regions": "TLC, XX"}).cpv == ("85",)
    assert Profile.from_mapping({"regions": "TLC, XX"}).regions == ("TLC",)
    assert cpv_code("85312320-8") == "85312320"
    assert significant("85000000") == "85"
    assert significant("80000000") == "80"
    assert Profile().is_empty


def test_the_seed_notice_is_explained_in_words() -> None:
    found = score(VICTIM_SUPPORT, notice())
    reasons = [reason.text for reason in found.reasons]
    assert reasons[0] == "CPV 85312320 Counselling services matches your profile"
    assert "delivery region Tees Valley and Durham (TLC1), in your region North East (TLC)" in reasons
    assert "'victim' in the title" in reasons
    assert "buyer region Hartlepool and Stockton-on-Tees (TLC11), in your region North East (TLC)" in reasons
    assert found.score == pytest.approx(sum(reason.weight for reason in found.reasons))
    assert found.level == "Strong match"


@pytest.mark.parametrize(
    ("code", "expected", "weight"),
    [
        ("85312320", "CPV 85312320 Counselling services matches your profile", 3.0),
        ("85312300", "CPV 85312300 X covers your 85312320", 2.0),
        ("85312100", "CPV 85312100 X is in the same category as your 85312320", 2.0),
        ("85311000", "CPV 85311000 X is in the same class as your 85312320", 1.5),
        ("85320000", "CPV 85320000 X is in the same group as your 85312320", 1.0),
        ("85100000", "CPV 85100000 X is in the same division as your 85312320", 0.6),
    ],
)
def test_cpv_by_code_and_hierarchy(code: str, expected: str, weight: float) -> None:
    profile = Profile(cpv=("85312320",))
    label = "Counselling services" if code == "85312320" else "X"
    found = score(profile, notice(cpv=(Labelled(code, label),), title="", description=""))
    assert [(r.text, r.weight) for r in found.reasons] == [(expected, weight)]


def test_cpv_prefixes_of_a_profile_take_in_their_codes() -> None:
    profile = Profile(cpv=("85",))
    found = score(profile, notice(cpv=(Labelled("85120000", "Medical practice"),), title="", description=""))
    assert found.reasons[0].text == (
        "CPV 85120000 Medical practice is in division 85 (Health and social work services) of your profile"
    )
    wider = score(Profile(cpv=("85312320",)), notice(cpv=(Labelled("85000000", "Health"),)))
    assert wider.reasons[0].text == "CPV 85000000 Health covers your 85312320"
    unrelated = score(Profile(cpv=("85312320",)), notice(cpv=(Labelled("45000000", "Works"),), title=""))
    assert not [r for r in unrelated.reasons if r.kind == "cpv"]


def test_itl_matches_up_the_hierarchy() -> None:
    for code in ("TLC", "TLC1", "TLC11"):
        found = score(Profile(regions=("TLC",)), notice(delivery_regions=(Labelled(code),), buyer_regions=()))
        assert found.score == 2.0, code
    served_narrower = score(
        Profile(regions=("TLC11",)), notice(delivery_regions=(Labelled("TLC"),), buyer_regions=())
    )
    assert served_narrower.reasons[0].text.startswith("delivery region North East (TLC) includes your")
    elsewhere = score(
        Profile(regions=("TLC",)), notice(delivery_regions=(Labelled("TLI3"),), buyer_regions=())
    )
    assert elsewhere.score < 0
    assert "outside your regions" in elsewhere.reasons[0].text


def test_exclusions_push_down_with_a_reason() -> None:
    works = notice(title="Construction of a victim support centre", cpv=(Labelled("45210000", "Building"),))
    found = score(VICTIM_SUPPORT, works)
    excluded = [reason for reason in found.reasons if reason.kind == "exclusion"]
    assert [r.text for r in excluded] == [
        "'construction' in the title is one of your exclusions",
        "CPV 45210000 Building is excluded by your profile",
    ]
    assert all(r.weight == EXCLUDED for r in excluded)
    assert found.score < score(VICTIM_SUPPORT, notice()).score - 9


def test_value_range_and_suitability() -> None:
    profile = Profile(value_min=10_000, value_max=500_000, sme=True, vcse=True)
    assert texts(notice(value_amount=5000.0, sme=True, vcse=False), profile) == [
        "suitable for SMEs",
        "value £5,000 is below your minimum £10,000",
        "marked not suitable for VCSEs",
    ]
    assert texts(notice(value_amount=900_000.0), profile) == ["value £900,000 is above your maximum £500,000"]
    assert texts(notice(value_amount=50_000.0), profile) == ["value £50,000 is within your range"]
    assert texts(notice(value_amount=50_000.0, value_currency="EUR"), profile) == []


def test_words_from_the_description_and_plurals() -> None:
    profile = Profile(description="We counsel victims and run restorative practice")
    found = texts(notice(title="Restorative practice for a victim"), profile)
    assert "'victims' (from what you do) in the title" in found
    assert "'restorative' (from what you do) in the title" in found
    assert not any("'run'" in text or "'and'" in text for text in found)


def test_rank_orders_by_score_and_keeps_ties_in_search_order() -> None:
    good = notice(ocid="good")
    tie_a = notice(ocid="tie-a", title="", description="", cpv=(), delivery_regions=(), buyer_regions=())
    tie_b = notice(ocid="tie-b", title="", description="", cpv=(), delivery_regions=(), buyer_regions=())
    assert [m.ocid for m in rank(VICTIM_SUPPORT, [tie_a, good, tie_b])] == ["good", "tie-a", "tie-b"]
    assert score(VICTIM_SUPPORT, tie_a).summary == "Nothing in your profile matches this notice"
