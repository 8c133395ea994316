"""The two merge engines against ocdsmerge, as JSON text (values, key order, int vs float).

``merge_regular`` is the fast engine; ``merge_exact`` models ocdsmerge's flat paths for the
histories the fast one refuses. Both must equal ocdsmerge wherever they answer, and the regular
engine must refuse (never guess) when a history leaves its ground. The histories here add what
``test_compile_differential`` keeps rare: paths that change shape (value, null, object, array),
ids that are null, floats, booleans or objects, and containers that are not plain dicts.
"""

from __future__ import annotations

import copy
import gc
import json
import warnings
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from ocdsmerge import CompiledRelease, VersionedRelease
from ocdsmerge.exceptions import InconsistentTypeError, OCDSMergeWarning

from tenderlens.compile import MERGE_RULES, RULE_TREE, compile_history
from tenderlens.merge import IrregularHistory, merge_exact, merge_regular
from tests.test_compile_differential import BODIES, OCID

ENGINES = settings(max_examples=150, deadline=None, print_blob=True)


def appended(releases: list[Any]) -> tuple[str, Any]:
    """ocdsmerge fed as tenderlens feeds it: one ``append`` each, in the given order, from plain copies."""
    compiled = CompiledRelease(merge_rules=MERGE_RULES)
    versioned = VersionedRelease(merge_rules=MERGE_RULES)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", OCDSMergeWarning)
            for release in releases:
                compiled.append(plain(release))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OCDSMergeWarning)
            for release in releases:
                versioned.append(plain(release))
        result = (compiled.asdict(), versioned.asdict(), [str(w.message) for w in caught])
    except Exception as error:
        return "error", (type(error), str(error))
    return "ok", json.dumps(result)


def plain(value: Any) -> Any:
    if isinstance(value, dict | MappingProxyType):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def as_text(merged: Any) -> str:
    return json.dumps((merged.compiled, merged.versioned, [message for _, message in merged.warnings]))


def exact(releases: list[Any]) -> tuple[str, Any]:
    try:
        return "ok", as_text(merge_exact(releases, MERGE_RULES))
    except Exception as error:
        return "error", (type(error), str(error))


# --- histories whose paths change shape -----------------------------------------------------------

scalar = st.one_of(st.none(), st.sampled_from(["a", "b"]), st.sampled_from([1, 1.0, True, 0, -0.0]))
odd_id = st.one_of(st.sampled_from(["1", "2", "None", "True"]), st.sampled_from([1, None, 1.0, True]))
shape = st.deferred(
    lambda: st.one_of(
        scalar,
        st.lists(st.sampled_from(["x", "y"]), max_size=2),
        st.fixed_dictionaries({}, optional={"a": scalar, "b": shape}),
        st.lists(st.fixed_dictionaries({}, optional={"id": odd_id, "a": scalar, "b": shape}), max_size=3),
    )
)
ODD_BODIES = st.fixed_dictionaries(
    {},
    optional={
        "tag": st.one_of(st.just(["tender"]), st.just("tender"), st.none()),
        "tender": st.one_of(st.none(), st.fixed_dictionaries({}, optional={"x": shape, "items": shape})),
        "parties": shape,
        "x": shape,
        "links": shape,  # wholeListMerge, whatever shape it has
    },
)


@st.composite
def odd_histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    bodies = draw(st.sampled_from([ODD_BODIES, ODD_BODIES, BODIES]))
    count = draw(st.integers(1, 5))
    return [
        {"ocid": OCID, "id": f"r{index}", "date": f"2026-06-0{index + 1}T00:00:00Z", **draw(bodies)}
        for index in range(count)
    ]


@ENGINES
@given(odd_histories())
def test_exact_engine_equals_ocdsmerge_in_every_case(releases):
    expected = appended(releases)
    event(f"ocdsmerge: {expected[0]}{' ' + expected[1][0].__name__ if expected[0] == 'error' else ''}")
    assert exact(releases) == expected  # errors: the same class and the same message


@ENGINES
@given(odd_histories())
def test_regular_engine_equals_ocdsmerge_or_refuses(releases):
    before = copy.deepcopy(releases)
    expected = appended(releases)
    try:
        merged = merge_regular(releases, RULE_TREE)
    except IrregularHistory as refusal:
        event(f"regular engine refuses: {str(refusal).split(':')[0]}")
    else:
        event("regular engine answers")
        assert expected == ("ok", as_text(merged))
    assert releases == before


@ENGINES
@given(odd_histories())
def test_compile_history_says_which_engine_answered(releases):
    try:
        merge_regular(copy.deepcopy(releases), RULE_TREE)
        regular = True
    except IrregularHistory:
        regular = False
    expected = appended(releases)
    if expected[0] == "error":
        with pytest.raises(expected[1][0]):
            compile_history(releases)
        return
    history = compile_history(releases)
    assert history.extendable is regular
    assert json.dumps((history.compiled, history.versioned)) == json.dumps(json.loads(expected[1])[:2])


# --- cases pinned by hand -----------------------------------------------------------------------------


def history(*bodies: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "ocid": OCID,
            "id": f"r{index}",
            "date": f"2026-06-0{index + 1}T00:00:00Z",
            "tag": ["tender"],
            **body,
        }
        for index, body in enumerate(bodies)
    ]


def test_a_null_then_refilled_field_keeps_its_first_place():
    releases = history({"tender": {"a": 1, "b": 2}}, {"tender": {"a": None}}, {"tender": {"a": 3}})
    merged = merge_regular(releases, RULE_TREE)
    assert list(merged.compiled["tender"]) == ["a", "b"]
    assert appended(releases) == ("ok", as_text(merged))


def test_equal_values_of_another_type_replace_the_compiled_value_only():
    # 2 == 2.0 == True-ish comparisons: the versioned history keeps the first, compiled the last.
    releases = history({"tender": {"n": 2, "f": True}}, {"tender": {"n": 2.0, "f": 1}})
    merged = merge_regular(releases, RULE_TREE)
    assert json.dumps(merged.compiled["tender"]) == '{"n": 2.0, "f": 1}'
    assert [entry["value"] for entry in merged.versioned["tender"]["n"]] == [2]
    assert appended(releases) == ("ok", as_text(merged))


def test_repeated_ids_in_one_release_merge_like_one_flat_dict():
    releases = history(
        {"tender": {"items": [{"id": "1", "a": "x"}]}},
        {"tender": {"items": [{"id": "1", "a": None, "b": 1}, {"id": "2"}, {"id": "1", "a": "x"}]}},
    )
    merged = merge_regular(releases, RULE_TREE)
    assert [entry["value"] for entry in merged.versioned["tender"]["items"][0]["a"]] == ["x"]
    assert merged.warnings == [("r1", "Multiple objects have the `id` value '1' in the `tender.items` array")]
    assert appended(releases) == ("ok", as_text(merged))


def test_an_unchanged_part_with_repeated_ids_still_warns_in_every_release():
    parties = [{"id": "p", "name": "A"}, {"id": "p", "name": "B"}]
    releases = history({"parties": parties}, {"parties": copy.deepcopy(parties)})
    merged = merge_regular(releases, RULE_TREE)
    assert [release_id for release_id, _ in merged.warnings] == ["r0", "r1"]
    assert appended(releases) == ("ok", as_text(merged))


def test_a_merge_leaves_its_output_to_reference_counting_not_the_cyclic_collector():
    # The engine's nested functions form a cycle with the scope they share; it must not keep the
    # compiled and versioned releases (thousands of containers per record) alive once dropped.
    releases = history(
        {
            "tender": {"title": "T", "items": [{"id": "1", "quantity": 1}]},
            "parties": [{"id": "p", "name": "A"}],
        },
        {"tender": {"title": "U", "items": [{"id": "1", "quantity": 2}, {"id": "2"}]}},
    )
    enabled = gc.isenabled()
    gc.disable()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        merged = merge_regular(releases, RULE_TREE)
        assert merged.versioned["tender"]["items"][0]["quantity"][1]["value"] == 2
        del merged
        gc.collect()
        # Empty containers are what the cycle holds now; anything with content would be output.
        left = [found for found in gc.garbage if type(found) in {dict, list} and found]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert left == []


@pytest.mark.parametrize(
    ("bodies", "reason"),
    [
        (({"tender": None}, {"tender": {"title": "T"}}), "an object where there was a value"),
        (({"awards": [{"id": 1, "a": 1}]}, {"awards": [{"id": "1", "b": 2}]}), "ids 1 and '1'"),
        (({"awards": [{"id": None}]},), "an id that is not a string or an integer"),
        (({"tender": {"x": "v"}}, {"tender": {"x": [{"id": "1"}]}}), "an array of objects where there was"),
        (({"tender": MappingProxyType({"title": "T"})},), "a value that is not plain JSON"),
    ],
)
def test_the_regular_engine_refuses_what_needs_flat_paths(bodies, reason):
    releases = history(*bodies)
    with pytest.raises(IrregularHistory, match=reason):
        merge_regular(releases, RULE_TREE)
    assert exact(releases) == appended(releases)


def test_exact_engine_raises_ocdsmergees_error_and_message():
    releases = history({"tender": None}, {"tender": {"title": "T"}})
    status, (kind, message) = exact(releases)
    assert (status, kind) == ("error", InconsistentTypeError)
    assert message.startswith("An earlier release had the value [{'releaseID': 'r0'")
    assert message.endswith("for /tender, but the current release has an object with a 'title' key")
    assert appended(releases) == (status, (kind, message))
