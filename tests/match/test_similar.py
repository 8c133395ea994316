"""Similarity between two notices: what they share, in words and weights, however it is called."""

from __future__ import annotations

from tenderlens.match.facts import Labelled, NoticeFacts
from tenderlens.match.similar import THRESHOLD, similar, similarity

NOTICE = NoticeFacts(
    ocid="a",
    title="Cleaning services for council offices",
    buyer_key="GB-1",
    buyer_name="Northshire",
    cpv=(Labelled("90910000", "Cleaning services"), Labelled("90911200", "Building-cleaning services")),
    delivery_regions=(Labelled("TLC1", "Tees Valley"),),
)

OTHERS = (
    # the same codes: both, capped
    NoticeFacts(ocid="codes", cpv=NOTICE.cpv),
    # no shared code, one in the same class (9091)
    NoticeFacts(ocid="class", cpv=(Labelled("90919000", "Office cleaning"),)),
    # only the division (90)
    NoticeFacts(ocid="division", cpv=(Labelled("90500000", "Refuse services"),)),
    NoticeFacts(ocid="buyer", buyer_key="GB-1", buyer_name="Northshire"),
    NoticeFacts(ocid="region", delivery_regions=(Labelled("TLC1", "Tees Valley"),)),
    NoticeFacts(ocid="words", title="Office cleaning contract"),
    NoticeFacts(ocid="nothing", title="Road resurfacing", cpv=(Labelled("45233000"),)),
)


def _reasons(other: NoticeFacts) -> list[tuple[str, str, float]]:
    return [(reason.kind, reason.text, reason.weight) for reason in similarity(NOTICE, other).reasons]


def test_each_kind_of_shared_key_gives_its_reason() -> None:
    by_ocid = {other.ocid: _reasons(other) for other in OTHERS}
    assert by_ocid["codes"] == [
        ("cpv", "both have CPV 90910000 Cleaning services, 90911200 Building-cleaning services", 4.0)
    ]
    assert by_ocid["class"] == [("cpv", "CPV 90919000 Office cleaning is in the same class", 1.0)]
    [(kind, words, weight)] = by_ocid["division"]
    assert (kind, weight) == ("cpv", 0.5)
    assert words.startswith("same CPV division 90")
    assert by_ocid["buyer"] == [("buyer", "same buyer: Northshire", 2.0)]
    assert by_ocid["region"] == [("region", "both delivered in Tees Valley (TLC1)", 1.0)]
    assert by_ocid["words"] == [("term", "both titles mention 'cleaning', 'office'", 1.0)]
    assert by_ocid["nothing"] == []


def test_similar_scores_every_candidate_as_similarity_does_one_at_a_time() -> None:
    """``similar`` works out the notice's keys once for all candidates: the same matches as one by one."""
    expected = sorted(
        (match for match in (similarity(NOTICE, other) for other in OTHERS) if match.score >= THRESHOLD),
        key=lambda match: -match.score,
    )
    assert similar(NOTICE, OTHERS, limit=len(OTHERS)) == expected
    assert [match.ocid for match in expected] == ["codes", "buyer"]


def test_the_notice_itself_is_never_similar() -> None:
    assert similar(NOTICE, [NOTICE, *OTHERS]) == similar(NOTICE, OTHERS)
