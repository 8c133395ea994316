"""tenderlens.compile against ocdsmerge's own Merger, on generated histories and on the shared data.

The oracle is ``ocdsmerge.Merger(merge_rules=MERGE_RULES)``, which sorts releases by the text
of ``date`` (a stable sort) before merging. So:

* when every date has the same format (all ``...Z``), text order is time order, and ties keep
  input order, so fed the releases in ingest order the oracle must agree with us exactly;
* when offsets are mixed, the oracle is fed the same releases with ``date`` rewritten to one
  UTC format (``utc_key``), which makes its text order time order again; its output must then
  equal ours once the rewritten dates are mapped back to the published ones.
"""

from __future__ import annotations

import collections
import copy
import json
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from ocdsmerge import Merger
from ocdsmerge.exceptions import OCDSMergeWarning

from tenderlens.compile import MERGE_RULES, compile_releases_with_warnings, order_releases
from tenderlens.ocds.dates import utc_key

OCID = "ocds-h6vhtk-0abcde"
VERSIONED_KEYS = frozenset({"releaseID", "releaseDate", "releaseTag", "value"})

DIFFERENTIAL = settings(max_examples=300, deadline=None, print_blob=True)


# --- the oracle and the comparison ---------------------------------------------------------------


def oracle(releases: list[dict[str, Any]]) -> tuple[dict, dict, list[str]]:
    merger = Merger(merge_rules=MERGE_RULES)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OCDSMergeWarning)
        compiled = merger.create_compiled_release(copy.deepcopy(releases))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OCDSMergeWarning)
        versioned = merger.create_versioned_release(copy.deepcopy(releases))
    return compiled, versioned, [str(w.message) for w in caught if issubclass(w.category, OCDSMergeWarning)]


def ours(releases: list[dict[str, Any]]) -> tuple[dict, dict, list[str]]:
    """tenderlens: releases are given in ingest order; their index is the ingest sequence."""
    compiled, versioned, messages = compile_releases_with_warnings(
        order_releases((release, seq) for seq, release in enumerate(releases))
    )
    return compiled, versioned, [message.split(": ", 1)[1] for message in messages]


def outcome(function, releases):
    try:
        return "ok", function(releases)
    except Exception as error:  # both sides must fail the same way (e.g. InconsistentTypeError)
        return "error", type(error)


def rewrite_dates_to_utc(releases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**release, "date": utc_key(release["date"])} for release in releases]


def restore_dates(result: tuple[dict, dict, list[str]], releases: list[dict[str, Any]]) -> tuple:
    """Map an oracle result over rewritten dates back to the published date texts."""
    compiled, versioned, messages = copy.deepcopy(result)
    # ocdsmerge's compiled date is the date of the last release of its stable text sort.
    # (max() would pick the first of equal keys; the stable sort's last is the one ocdsmerge applies last.)
    last = sorted(releases, key=lambda release: utc_key(release["date"]))[-1]  # noqa: FURB192
    compiled["date"] = last["date"]
    compiled["id"] = f"{last['ocid']}-{last['date']}"
    published = {release["id"]: release["date"] for release in releases}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if set(node) == VERSIONED_KEYS:
                node["releaseDate"] = published[node["releaseID"]]
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(versioned)
    return compiled, versioned, messages


# --- generated histories ---------------------------------------------------------------------------

word = st.sampled_from(["a", "b", "c"])
text = st.one_of(st.none(), word)  # leaf values, sometimes null
number = st.one_of(st.none(), st.integers(0, 3), st.sampled_from([1.5, 2.0]))
flag = st.one_of(st.none(), st.booleans())
ident = st.one_of(st.sampled_from(["1", "2", "3"]), st.sampled_from([1, 2]))  # 1 and "1" differ


def obj(required: dict | None = None, **optional: st.SearchStrategy) -> st.SearchStrategy:
    return st.fixed_dictionaries(required or {}, optional=optional)


def nullable(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


def small_list(strategy: st.SearchStrategy, size: int = 3) -> st.SearchStrategy:
    return st.lists(strategy, max_size=size)


def release_bodies(*, object_nulls: bool) -> st.SearchStrategy:
    """Release content; ``object_nulls`` lets whole objects be null (``"tender": null``).

    Nulled objects are kept to some histories only: ocdsmerge cannot build a versioned release
    once an object was null and a later release gives it fields (InconsistentTypeError), so
    allowing them everywhere would spend most examples on that one failure.
    """

    def maybe_null(strategy: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(st.none(), strategy, strategy) if object_nulls else strategy

    value = maybe_null(obj(amount=number, currency=st.one_of(st.none(), st.just("GBP")), amountGross=number))
    period = maybe_null(obj(startDate=text, endDate=text, durationInDays=number))
    classification = obj(scheme=text, id=text, description=text)
    identifier = obj(scheme=word, id=word, legalName=text)
    document = obj(
        {"id": ident}, documentType=text, url=text, relatedLots=small_list(word, 2), noticeType=text
    )
    item = obj(
        {"id": ident},
        description=text,
        quantity=number,
        classification=maybe_null(classification),
        additionalClassifications=nullable(small_list(classification, 2)),  # wholeListMerge
        unit=maybe_null(obj(name=text, value=value)),
    )
    item_without_id = obj(description=text, quantity=number)  # appended, never merged
    lot = obj(
        {"id": ident},
        title=text,
        value=value,
        suitability=maybe_null(obj(sme=flag, vcse=flag)),
        awardCriteria=obj(criteria=small_list(obj(type=word, name=text), 2)),  # criteria: wholeListMerge
        coveredBy=small_list(word, 2),  # wholeListMerge (array of strings)
    )
    amendment = obj(
        {"id": ident},
        description=text,
        rationaleClassifications=small_list(classification, 2),  # wholeListMerge (UK)
        changes=small_list(obj(property=word, former_value=text), 2),  # wholeListMerge (1.1, no id)
    )
    tender = obj(
        id=text,
        title=text,
        status=st.one_of(st.none(), st.sampled_from(["planned", "active", "complete"])),
        value=value,
        tenderPeriod=period,
        submissionMethod=nullable(small_list(word)),  # wholeListMerge
        items=small_list(st.one_of(item, item, item_without_id)),
        lots=small_list(lot),
        documents=small_list(document),
        amendments=small_list(amendment, 2),
        specialRegime=small_list(word, 2),  # wholeListMerge (UK)
    )
    organization = obj(
        {"id": ident},
        name=text,
        roles=small_list(st.sampled_from(["buyer", "supplier", "tenderer"]), 2),  # wholeListMerge
        identifier=maybe_null(identifier),
        additionalIdentifiers=small_list(identifier, 2),  # wholeListMerge
        details=maybe_null(obj(scale=text, vcse=flag)),
    )
    award = obj(
        {"id": ident},
        status=text,
        value=value,
        suppliers=small_list(obj({"id": ident}, name=text), 2),
        items=small_list(item, 2),
        documents=small_list(document, 2),
    )
    contract = obj(
        {"id": ident},
        awardID=st.one_of(st.none(), ident),
        value=value,
        amendments=small_list(amendment, 2),
        implementation=obj(
            transactions=small_list(obj({"id": ident}, value=value), 2),
            performanceFailures=small_list(
                obj({"id": ident}, category=text, suppliers=small_list(obj(name=text), 2))  # suppliers: no id
            ),
        ),
    )
    return obj(
        tag=st.lists(
            st.sampled_from(["planning", "tender", "tenderUpdate", "award", "contract"]),
            min_size=1,
            max_size=2,
        ),
        initiationType=st.one_of(st.none(), st.just("tender")),
        language=text,
        buyer=maybe_null(obj(id=ident, name=text)),
        planning=st.one_of(st.just({}), obj(rationale=text, budget=obj(amount=value))),
        tender=maybe_null(tender),  # "tender": null does not remove nested fields
        parties=st.one_of(st.just([]), small_list(organization)),
        awards=small_list(award, 2),
        contracts=small_list(contract, 2),
        links=small_list(obj(rel=word, href=text), 2),  # no id: wholeListMerge (Links extension)
        # extensions not in the schema
        extObject=maybe_null(obj(a=text, nested=maybe_null(obj(b=text)), empty=st.just({}))),
        extObjects=small_list(st.one_of(obj({"id": ident}, v=text), obj(v=text))),  # by id, or appended
        extStrings=nullable(small_list(word)),
        extEmptyList=st.just([]),
    )


BODIES = release_bodies(object_nulls=False)
BODIES_WITH_OBJECT_NULLS = release_bodies(object_nulls=True)

BASE = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
BST = timedelta(hours=1)


def published(instant: datetime, style: str) -> str:
    if style == "Z":
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "+00:00":
        return instant.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return (instant + BST).strftime("%Y-%m-%dT%H:%M:%S+01:00")


@st.composite
def histories(draw: st.DrawFn, *, styles: tuple[str, ...]) -> list[dict[str, Any]]:
    """2 to 8 releases of one ocid, in ingest order, with a few distinct instants (so, ties)."""
    bodies = draw(st.sampled_from([BODIES, BODIES, BODIES, BODIES_WITH_OBJECT_NULLS]))
    releases = []
    for index in range(draw(st.integers(2, 8))):
        instant = BASE + timedelta(minutes=30 * draw(st.integers(0, 4)))
        date = published(instant, draw(st.sampled_from(styles)))
        releases.append({"ocid": OCID, "id": f"r{index}", "date": date, **draw(bodies)})
    return releases


def describe(releases, result) -> None:
    """Hypothesis statistics (pytest --hypothesis-show-statistics): what the examples covered."""
    instants = [utc_key(release["date"]) for release in releases]
    event(f"ties: {len(set(instants)) < len(instants)}")
    event(
        f"text order is time order: {sorted(instants) == [utc_key(d) for d in sorted(r['date'] for r in releases)]}"
    )
    if result[0] == "error":
        event(f"both raise {result[1].__name__}")
    else:
        event(f"ocdsmerge warnings: {bool(result[1][2])}")


@DIFFERENTIAL
@given(histories(styles=("Z",)))
def test_one_offset_format_equals_ocdsmerge_exactly(releases):
    before = copy.deepcopy(releases)
    result = outcome(ours, releases)
    describe(releases, result)
    theirs = outcome(oracle, releases)
    assert result == theirs
    if result[0] == "ok":  # and as JSON text: key order, 2 vs 2.0
        assert json.dumps(result[1]) == json.dumps(theirs[1])
    assert releases == before


@DIFFERENTIAL
@given(histories(styles=("Z", "+01:00", "+00:00")))
def test_mixed_offsets_equal_ocdsmerge_over_utc_dates(releases):
    before = copy.deepcopy(releases)
    theirs = outcome(oracle, rewrite_dates_to_utc(releases))
    if theirs[0] == "ok":
        theirs = ("ok", restore_dates(theirs[1], releases))
    result = outcome(ours, releases)
    describe(releases, result)
    assert result == theirs
    assert releases == before


# --- where ocdsmerge's text sort and time order part ----------------------------------------------


def test_ocdsmerge_text_sort_differs_from_time_order():
    # 12:00Z is 13:00 BST; 12:30+01:00 is 11:30Z. Text sorts "…12:00:00Z" < "…12:30:00+01:00".
    bst = {
        "ocid": OCID,
        "id": "083001-2026",
        "date": "2026-06-01T12:30:00+01:00",
        "tender": {"status": "active"},
    }
    utc = {
        "ocid": OCID,
        "id": "083002-2026",
        "date": "2026-06-01T12:00:00Z",
        "tender": {"status": "cancelled"},
    }
    releases = [bst, utc]  # ingest order = time order

    compiled, versioned, _ = ours(releases)
    assert compiled["tender"]["status"] == "cancelled"  # the later release wins
    assert compiled["id"] == f"{OCID}-2026-06-01T12:00:00Z"
    assert [v["releaseID"] for v in versioned["tender"]["status"]] == ["083001-2026", "083002-2026"]

    text_sorted, text_versioned, _ = oracle(releases)
    assert text_sorted["tender"]["status"] == "active"  # the earlier release wins
    assert text_sorted["id"] == f"{OCID}-2026-06-01T12:30:00+01:00"
    assert [v["releaseID"] for v in text_versioned["tender"]["status"]] == ["083002-2026", "083001-2026"]


# --- every ocid in the shared data -----------------------------------------------------------------


def shared_releases(data) -> dict[str, list[dict[str, Any]]]:
    """All releases under ocds/, grouped by ocid, de-duplicated by (ocid, id), in file order."""
    by_ocid: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for path in sorted((data / "ocds").rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(document, list):  # CF EnglishData: a bare array of releases
            releases = document
        else:
            releases = document.get("releases", [])
            releases += [r for record in document.get("records", []) for r in record.get("releases", [])]
        for release in releases:
            if "date" not in release:  # linked releases in a record: nothing to merge
                continue
            key = (release["ocid"], release["id"])
            if key not in seen:
                seen.add(key)
                by_ocid[release["ocid"]].append(release)
    return by_ocid


@pytest.mark.shared
def test_every_shared_ocid_equals_ocdsmerge(shared_data):
    by_ocid = shared_releases(shared_data)
    assert len(by_ocid) == 190 + 15  # Contracts Finder + FTS, per PROVENANCE.md
    multi = {ocid: releases for ocid, releases in by_ocid.items() if len(releases) > 1}
    assert len(multi) == 10

    exact = 0
    for ocid, releases in by_ocid.items():
        time_ordered = [r["id"] for r in order_releases((r, i) for i, r in enumerate(releases))]
        text_ordered = [r["id"] for r in sorted(releases, key=lambda r: r["date"])]
        if time_ordered == text_ordered:
            exact += 1
            assert ours(releases) == oracle(releases), ocid
        else:
            expected = restore_dates(oracle(rewrite_dates_to_utc(releases)), releases)
            assert ours(releases) == expected, ocid
        if ocid in multi:
            # the files list newest first; compiling must not depend on that
            assert ours(releases) == ours(list(reversed(releases))), ocid
    assert exact == len(by_ocid)  # no ocid in the shared data mixes offsets
