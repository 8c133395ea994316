from __future__ import annotations

import contextlib
import copy
import gc
import json
from datetime import UTC, datetime
from types import MappingProxyType

import pytest
from ocdsmerge.exceptions import InconsistentTypeError

from tenderlens.compile import (
    MERGE_RULES,
    compile_history,
    compile_releases,
    compile_releases_with_warnings,
    extend_compiled,
    load_merge_rules,
    order_releases,
    release_order_key,
)

OCID = "ocds-h6vhtk-000001"


def release(rid: str, date: str, **fields) -> dict:
    return {"ocid": OCID, "id": rid, "date": date, "tag": ["tender"], **fields}


# --- ordering -----------------------------------------------------------------------------


def test_order_is_by_instant_not_text():
    # 12:00Z is 13:00 in BST; 12:30+01:00 is 11:30Z, so it comes first although its text sorts after.
    later = release("later", "2026-06-01T12:00:00Z")
    earlier = release("earlier", "2026-06-01T12:30:00+01:00")
    assert later["date"] < earlier["date"]  # the text order ocdsmerge would use
    ordered = order_releases([(later, 0), (earlier, 1)])
    assert [r["id"] for r in ordered] == ["earlier", "later"]


def test_order_key_is_utc_instant_then_ingest_seq():
    key = release_order_key(release("a", "2026-06-01T12:30:00+01:00"), 7)
    assert key == (datetime(2026, 6, 1, 11, 30, tzinfo=UTC), 7)
    assert key[0].utcoffset() is not None
    assert key[0].tzinfo is UTC


def test_same_instant_keeps_ingest_order():
    # Same instant written two ways, and the same text twice: ingest order decides.
    a = release("a", "2026-06-01T12:00:00Z")
    b = release("b", "2026-06-01T13:00:00+01:00")
    c = release("c", "2026-06-01T12:00:00Z")
    assert [r["id"] for r in order_releases([(c, 5), (a, 1), (b, 3)])] == ["a", "b", "c"]
    assert [r["id"] for r in order_releases([(c, 1), (a, 5), (b, 3)])] == ["c", "b", "a"]


def test_order_releases_does_not_mutate_and_returns_dicts():
    source = MappingProxyType({"ocid": OCID, "id": "a", "date": "2026-06-01T12:00:00Z"})
    ordered = order_releases([(source, 0)])
    assert ordered == [dict(source)]
    assert type(ordered[0]) is dict
    assert ordered[0] is not source


@pytest.mark.parametrize("date", [None, "", "not a date", 20260601, "2026-13-45T00:00:00Z"])
def test_order_key_rejects_a_release_without_a_usable_date(date):
    bad = release("x", "2026-06-01T12:00:00Z")
    bad["date"] = date
    with pytest.raises(ValueError, match=r"release 'x' of 'ocds-h6vhtk-000001' has no usable `date`"):
        release_order_key(bad, 0)


def test_order_key_rejects_a_missing_date():
    with pytest.raises(ValueError, match="no usable `date`"):
        release_order_key({"ocid": OCID, "id": "x"}, 0)


# --- compiled release --------------------------------------------------------------------------


def test_compiled_id_date_and_tag():
    releases = [
        release("r1", "2026-04-15T09:00:00Z", tender={"title": "one"}),
        release("r2", "2026-04-15T14:15:59+01:00", tag=["tenderUpdate"], tender={"title": "two"}),
    ]
    compiled, _ = compile_releases(releases)
    # id is ocid + the last release's date as published (not normalised to UTC).
    assert compiled["id"] == f"{OCID}-2026-04-15T14:15:59+01:00"
    assert compiled["date"] == "2026-04-15T14:15:59+01:00"
    assert compiled["tag"] == ["compiled"]
    assert compiled["ocid"] == OCID
    assert compiled["tender"] == {"title": "two"}


def test_compile_applies_exactly_the_given_order():
    # compile_releases does not sort: the caller's order wins even against the dates.
    first = release("r1", "2026-06-02T00:00:00Z", tender={"title": "A"})
    second = release("r2", "2026-06-01T00:00:00Z", tender={"title": "B"})
    compiled, _ = compile_releases([first, second])
    assert compiled["tender"]["title"] == "B"
    assert compiled["date"] == "2026-06-01T00:00:00Z"


def test_null_removes_a_field_and_leaves_siblings():
    compiled, versioned = compile_releases(
        [
            release("r1", "2026-06-01T00:00:00Z", tender={"title": "T", "description": "D"}),
            release("r2", "2026-06-02T00:00:00Z", tender={"description": None}),
        ]
    )
    assert compiled["tender"] == {"title": "T"}
    assert [v["value"] for v in versioned["tender"]["description"]] == ["D", None]


def test_null_object_does_not_remove_nested_fields():
    # ocdsmerge: only leaf nulls delete (DOMAIN.md §3); "tender": null is a no-op for nested fields.
    compiled, _ = compile_releases(
        [
            release("r1", "2026-06-01T00:00:00Z", tender={"title": "T"}),
            release("r2", "2026-06-02T00:00:00Z", tender=None),
        ]
    )
    assert compiled["tender"] == {"title": "T"}


def test_null_object_then_fields_cannot_be_versioned():
    # ocdsmerge keeps the null as a versioned value at /tender, then cannot descend into it.
    # Kept as is (docs/compile.md, "Edge cases"); no shared data nulls whole objects.
    null_first = [
        release("r1", "2026-06-01T00:00:00Z", tender=None),
        release("r2", "2026-06-02T00:00:00Z", tender={"title": "T"}),
    ]
    with pytest.raises(InconsistentTypeError, match="/tender"):
        compile_releases(null_first)
    # The other way round compiles, and the object null leaves no trace in either result.
    compiled, versioned = compile_releases(
        [
            release("r1", "2026-06-01T00:00:00Z", tender={"title": "T"}),
            release("r2", "2026-06-02T00:00:00Z", tender=None),
        ]
    )
    assert compiled["tender"] == {"title": "T"}
    assert versioned["tender"] == {
        "title": [
            {"releaseID": "r1", "releaseDate": "2026-06-01T00:00:00Z", "releaseTag": ["tender"], "value": "T"}
        ]
    }


def test_empty_objects_and_arrays_change_nothing():
    first = release(
        "r1", "2026-06-01T00:00:00Z", tender={"title": "T", "items": [{"id": "1"}]}, parties=[{"id": "p"}]
    )
    compiled, versioned = compile_releases(
        [first, release("r2", "2026-06-02T00:00:00Z", tender={"items": []}, parties=[], planning={})]
    )
    only_first, only_first_versioned = compile_releases([first])
    assert {k: v for k, v in compiled.items() if k not in {"id", "date"}} == {
        k: v for k, v in only_first.items() if k not in {"id", "date"}
    }
    assert versioned == only_first_versioned


def test_identifier_merge_and_whole_list_merge():
    assert MERGE_RULES[("tender", "submissionMethod")] == "wholeListMerge"
    assert ("tender", "items") not in MERGE_RULES
    compiled, _ = compile_releases(
        [
            release(
                "r1",
                "2026-06-01T00:00:00Z",
                tender={
                    "submissionMethod": ["electronicSubmission", "written"],
                    "items": [{"id": "1", "description": "a", "additionalClassifications": [{"id": "x"}]}],
                },
            ),
            release(
                "r2",
                "2026-06-02T00:00:00Z",
                tender={
                    "submissionMethod": ["inPerson"],
                    "items": [
                        {"id": "1", "quantity": 3, "additionalClassifications": [{"id": "y"}]},
                        {"id": "2", "description": "b"},
                    ],
                },
            ),
        ]
    )
    assert compiled["tender"]["submissionMethod"] == ["inPerson"]
    assert compiled["tender"]["items"] == [
        {"id": "1", "description": "a", "quantity": 3, "additionalClassifications": [{"id": "y"}]},
        {"id": "2", "description": "b"},
    ]


def test_versioned_history_only_on_change():
    compiled, versioned = compile_releases(
        [
            release(
                "r1", "2026-06-01T00:00:00Z", tag=["planning"], tender={"title": "T", "status": "planned"}
            ),
            release("r2", "2026-06-02T00:00:00Z", tag=["tender"], tender={"title": "T", "status": "active"}),
            release(
                "r3", "2026-06-03T00:00:00Z", tag=["tenderUpdate"], tender={"title": "T", "status": "active"}
            ),
        ]
    )
    assert compiled["tender"] == {"title": "T", "status": "active"}
    assert versioned["ocid"] == OCID  # not versioned
    assert "id" not in versioned
    assert "date" not in versioned
    assert "tag" not in versioned
    assert versioned["tender"]["title"] == [
        {"releaseID": "r1", "releaseDate": "2026-06-01T00:00:00Z", "releaseTag": ["planning"], "value": "T"}
    ]
    assert versioned["tender"]["status"] == [
        {
            "releaseID": "r1",
            "releaseDate": "2026-06-01T00:00:00Z",
            "releaseTag": ["planning"],
            "value": "planned",
        },
        {
            "releaseID": "r2",
            "releaseDate": "2026-06-02T00:00:00Z",
            "releaseTag": ["tender"],
            "value": "active",
        },
    ]


def test_inputs_are_not_mutated_and_leaf_lists_are_shared_as_ocdsmerge_does():
    # The engine never writes into a value it takes from a release; outputs are read-only views.
    releases = [
        release(
            "r1", "2026-06-01T00:00:00Z", tender={"submissionMethod": ["written"], "items": [{"id": "1"}]}
        ),
        release("r2", "2026-06-02T00:00:00Z", parties=[{"id": "p", "roles": ["buyer"]}]),
        release("r3", "2026-06-03T00:00:00Z", parties=[{"id": "p", "roles": None}], tender={"items": None}),
    ]
    before = copy.deepcopy(releases)
    compiled, versioned = compile_releases(releases)
    assert releases == before
    assert versioned["parties"][0]["roles"][0]["value"] is releases[1]["parties"][0]["roles"]
    assert compiled["tender"]["submissionMethod"] is releases[0]["tender"]["submissionMethod"]
    assert "roles" not in compiled["parties"][0]
    # Containers the engine builds are its own: changing them cannot reach the inputs.
    compiled["tender"]["items"].append({"id": "2"})
    versioned["parties"].clear()
    assert releases == before


def test_mappings_that_are_not_dicts_are_merged_like_dicts():
    frozen = MappingProxyType(
        {"ocid": OCID, "id": "r1", "date": "2026-06-01T00:00:00Z", "tender": MappingProxyType({"title": "T"})}
    )
    compiled, _ = compile_releases([frozen])
    assert compiled["tender"] == {"title": "T"}
    json.dumps(compiled)  # plain JSON types only


def test_duplicate_ids_are_reported_not_raised():
    # pytest runs with -W error: a DuplicateIdValueWarning escaping would fail this test.
    releases = [
        release("r1", "2026-06-01T00:00:00Z", tender={"items": [{"id": "1", "a": 1}, {"id": "1", "a": 2}]}),
        release("r2", "2026-06-02T00:00:00Z", tender={"title": "T"}),
    ]
    compiled, versioned, warnings = compile_releases_with_warnings(releases)
    assert compiled["tender"]["items"] == [{"id": "1", "a": 2}]
    assert warnings == ["release 'r1': Multiple objects have the `id` value '1' in the `tender.items` array"]
    assert compile_releases(releases) == (compiled, versioned)


def test_int_and_str_ids_are_distinct_objects():
    compiled, _ = compile_releases(
        [
            release("r1", "2026-06-01T00:00:00Z", awards=[{"id": 1, "title": "int"}]),
            release("r2", "2026-06-02T00:00:00Z", awards=[{"id": "1", "status": "active"}]),
        ]
    )
    assert compiled["awards"] == [{"id": 1, "title": "int"}, {"id": "1", "status": "active"}]


def test_empty_and_mixed_inputs_are_rejected():
    with pytest.raises(ValueError, match="no releases"):
        compile_releases([])
    other = release("r2", "2026-06-02T00:00:00Z")
    other["ocid"] = "ocds-h6vhtk-000002"
    with pytest.raises(ValueError, match="different ocids"):
        compile_releases([release("r1", "2026-06-01T00:00:00Z"), other])


# --- merge rules file --------------------------------------------------------------------------


def test_merge_rules_loaded_from_package():
    assert MERGE_RULES[("tag",)] == "omitWhenMerged"
    assert set(MERGE_RULES.values()) == {"omitWhenMerged", "wholeListMerge"}
    assert all(isinstance(key, tuple) and all(isinstance(p, str) for p in key) for key in MERGE_RULES)


def test_load_merge_rules_rejects_conflicts_and_unknown_rules():
    doc = {
        "groups": [
            {"rules": {"a/b": "wholeListMerge"}},
            {"rules": {"a/b": "wholeListMerge", "c": "omitWhenMerged"}},
        ]
    }
    assert load_merge_rules(doc) == {("a", "b"): "wholeListMerge", ("c",): "omitWhenMerged"}
    with pytest.raises(ValueError, match="conflicting"):
        load_merge_rules({"groups": [{"rules": {"a": "wholeListMerge"}}, {"rules": {"a": "omitWhenMerged"}}]})
    with pytest.raises(ValueError, match="not one of"):
        load_merge_rules({"groups": [{"rules": {"a": "ocdsVersion"}}]})


# --- the cyclic collector during a merge ---------------------------------------------------


def _big_history() -> list[dict]:
    """Enough versioned values (a dict and a list each) to cross gen0's threshold many times."""
    return [
        release(
            f"r{n}",
            f"2026-06-{n + 1:02d}T00:00:00Z",
            tender={"title": f"t{n}", "items": [{"id": str(i), "quantity": i + n} for i in range(1000)]},
        )
        for n in range(5)
    ]


@pytest.fixture
def collections():
    """The collections that run while the test runs (generation of each)."""
    seen: list[int] = []

    def count(phase, info):
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(count)
    try:
        yield seen
    finally:
        gc.callbacks.remove(count)


def test_the_merge_runs_without_collections_and_collection_resumes(collections, monkeypatch):
    history = _big_history()

    def collections_during(run):
        gc.collect()
        collections.clear()
        run()
        return len(collections)

    def merges():
        compile_history(history)
        compiled, versioned = compile_releases(history[:2])
        extend_compiled(compiled, versioned, history[2:])

    paused = collections_during(merges)
    assert gc.isenabled()
    monkeypatch.setattr("tenderlens.compile.cyclic_gc_paused", contextlib.nullcontext)
    unpaused = collections_during(merges)
    # The output is still alive after each merge, so one collection may follow each of the
    # three merges; without
    # pause the collector also runs inside them, many times.
    assert paused <= 3
    assert unpaused > 3 * paused


def test_a_caller_that_turned_collection_off_keeps_it_off():
    gc.disable()
    try:
        compile_history(_big_history())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_collection_resumes_when_a_merge_raises():
    bad = [
        release("a", "2026-06-01T00:00:00Z", tender={"x": {"a": 1}}),
        release("b", "2026-06-02T00:00:00Z", tender={"x": [{"id": "1"}]}),
    ]
    with pytest.raises(InconsistentTypeError):
        compile_releases(bad)
    assert gc.isenabled()
