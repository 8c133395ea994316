"""Incremental compile: compile(prefix) then extend(rest) == compile(all) == ocdsmerge, as JSON text.

The stored pair goes through a JSON round trip first, as the store keeps it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tenderlens.compile import (
    RecompileRequired,
    compile_history,
    compile_releases,
    extend_compiled,
    order_releases,
)
from tests.test_compile_differential import histories
from tests.test_compile_engines import appended, odd_histories


def stored(document: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(document))


def text(compiled: dict[str, Any], versioned: dict[str, Any], warnings: list[str]) -> str:
    return json.dumps((compiled, versioned, [message.split(": ", 1)[1] for message in warnings]))


def check_split(releases: list[dict[str, Any]], split: int) -> None:
    head, tail = releases[:split], releases[split:]
    expected = appended(releases)
    if expected[0] == "error":
        return
    whole = compile_history(releases)
    assert text(whole.compiled, whole.versioned, whole.warnings) == expected[1]
    prefix = compile_history(head)
    if not prefix.extendable:
        event("prefix irregular: the caller recompiles")
        assert not whole.extendable
        return
    before = copy.deepcopy(tail)
    try:
        compiled, versioned, warnings = extend_compiled(
            stored(prefix.compiled), stored(prefix.versioned), tail
        )
    except RecompileRequired:
        event("extend refuses: the history became irregular")
        assert not whole.extendable
        return
    event("extended")
    assert whole.extendable
    assert tail == before
    assert text(compiled, versioned, prefix.warnings + warnings) == expected[1]
    # and once more from what extend stored, one release at a time
    if len(tail) > 1:
        compiled, versioned, warnings = extend_compiled(
            stored(prefix.compiled), stored(prefix.versioned), tail[:1]
        )
        compiled, versioned, more = extend_compiled(stored(compiled), stored(versioned), tail[1:])
        assert text(compiled, versioned, prefix.warnings + warnings + more) == expected[1]


@settings(max_examples=200, deadline=None, print_blob=True)
@given(histories(styles=("Z",)), st.data())
def test_extend_equals_compiling_everything(releases, data):
    ordered = order_releases((release, seq) for seq, release in enumerate(releases))
    check_split(ordered, data.draw(st.integers(1, len(ordered) - 1)))


@settings(max_examples=150, deadline=None, print_blob=True)
@given(odd_histories(), st.data())
def test_extend_refuses_rather_than_guesses_on_odd_histories(releases, data):
    if len(releases) < 2:
        return
    check_split(releases, data.draw(st.integers(1, len(releases) - 1)))


def release(rid: str, date: str, **fields: Any) -> dict[str, Any]:
    return {"ocid": "ocds-h6vhtk-000001", "id": rid, "date": date, "tag": ["tender"], **fields}


def test_extend_updates_the_stored_pair_in_place():
    first = release("r1", "2026-06-01T00:00:00Z", tender={"title": "A", "items": [{"id": "1", "q": 1}]})
    second = release("r2", "2026-06-02T00:00:00Z", tender={"title": "B", "items": [{"id": "2"}]})
    compiled, versioned = (stored(document) for document in compile_releases([first]))
    result = extend_compiled(compiled, versioned, [second])
    assert result[0] is compiled
    assert result[1] is versioned
    assert (compiled, versioned) == compile_releases([first, second])
    assert compiled["id"] == "ocds-h6vhtk-000001-2026-06-02T00:00:00Z"


def test_extend_with_nothing_changes_nothing():
    compiled, versioned = compile_releases([release("r1", "2026-06-01T00:00:00Z", tender={"title": "A"})])
    assert extend_compiled(compiled, versioned, []) == (compiled, versioned, [])


def test_an_earlier_release_needs_a_recompile():
    compiled, versioned = compile_releases([release("r2", "2026-06-02T00:00:00Z")])
    with pytest.raises(ValueError, match="does not sort after the compiled release"):
        extend_compiled(compiled, versioned, [release("r1", "2026-06-01T00:00:00Z")])


def test_a_history_turning_irregular_needs_a_recompile():
    compiled, versioned = compile_releases([release("r1", "2026-06-01T00:00:00Z", awards=[{"id": 1}])])
    with pytest.raises(RecompileRequired, match="ids 1 and '1'"):
        extend_compiled(
            stored(compiled), stored(versioned), [release("r2", "2026-06-02T00:00:00Z", awards=[{"id": "1"}])]
        )


def test_a_pair_of_another_ocid_is_refused():
    compiled, versioned = compile_releases([release("r1", "2026-06-01T00:00:00Z")])
    other = release("r2", "2026-06-02T00:00:00Z")
    other["ocid"] = "ocds-h6vhtk-000002"
    with pytest.raises(RecompileRequired, match="another ocid"):
        extend_compiled(compiled, versioned, [other])


def test_a_dateless_compiled_release_is_refused():
    compiled, versioned = compile_releases(
        [{"ocid": "ocds-h6vhtk-000001", "id": "r1", "tender": {"title": "A"}}]
    )
    assert "date" not in compiled
    with pytest.raises(ValueError, match="does not sort after"):
        extend_compiled(compiled, versioned, [release("r2", "2026-06-02T00:00:00Z")])
