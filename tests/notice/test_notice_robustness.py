"""Publishers send junk: build_notice (and the JSON twin and renderer) must never raise on it."""

from __future__ import annotations

import copy
import io
from typing import TYPE_CHECKING, Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from notice_support import NOW, cf_releases, fts_releases, reference, seed_compiled
from rich.console import Console

from tenderlens.notice import Notice, build_notice, render_notice

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.shared

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "   ",
            "2026-13-45",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-12:00",
            "2026-06-04",
            "UK",
            "UKC11",
            "UKZZZ",
            "South East",
            "GB-NIR",
            "UK2",
            "F03",
            "sme",
            "CPV",
            "8512000",
            "compiled",
            "[bold]markup[/bold]",
        ]
    ),
    st.lists(st.integers(), max_size=3),
    st.lists(st.text(max_size=4), max_size=3),
    st.lists(st.none(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["1", "id", "region", "amount"]), st.text(max_size=4), max_size=2),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside a JSON value (object keys and array indexes)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, member in value.items():
            found.extend(_paths(member, (*prefix, key)))
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found.extend(_paths(member, (*prefix, index)))
    return found


def _replace(document: Any, path: tuple[Any, ...], junk: Any, delete: bool) -> None:
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = junk


@pytest.fixture(scope="module")
def bases(shared_data: Path) -> list[dict[str, Any]]:
    wanted = {"029664-2025", "083563-2026", "083674-2026", "002109-2021", "083685-2026", "083253-2026"}
    found = [seed_compiled(shared_data)]
    found += [release for release in fts_releases(shared_data) if release["id"] in wanted]
    found += cf_releases(shared_data)[:3]
    return found


def _exercise(notice: Notice, render: bool = True) -> None:
    """The JSON twin serialises, and (if asked) the terminal page renders."""
    orjson.dumps(notice.to_dict())
    if render:  # rendering costs ~40 ms, so the bulk test checks it on fewer examples
        render_notice(notice, Console(file=io.StringIO(), width=100))


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_releases_never_raise(bases: list[dict[str, Any]], data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(bases), label="base")
    document = copy.deepcopy(base)
    paths = _paths(document)
    for _ in range(data.draw(st.integers(min_value=1, max_value=10), label="mutations")):
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        try:
            _replace(document, path, data.draw(JUNK, label="junk"), data.draw(st.booleans(), label="delete"))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path's parent
        paths = _paths(document)
    history = data.draw(st.sampled_from(["none", "self", "junk"]), label="history")
    releases: list[Any] = {"none": [], "self": [document], "junk": [document, "junk", 7, {"id": None}]}[
        history
    ]
    _exercise(build_notice(document, releases, reference(), NOW))


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(junk=JUNK)
def test_junk_in_every_top_level_section(bases: list[dict[str, Any]], junk: Any) -> None:
    for key in (
        "tender",
        "planning",
        "awards",
        "contracts",
        "parties",
        "buyer",
        "bids",
        "tag",
        "ocid",
        "date",
        "id",
    ):
        document = copy.deepcopy(bases[0])
        document[key] = junk
        _exercise(build_notice(document, [document], reference(), NOW), render=False)
        _exercise(build_notice(document, [], reference(), NOW), render=key == "tender")


def test_empty_and_minimal_inputs() -> None:
    for compiled in ({}, {"ocid": "ocds-h6vhtk-000000"}, {"tender": {"title": "x"}}):
        notice = build_notice(compiled, [], reference(), NOW)
        assert notice.summary
        assert notice.procurement.notice_type.determined is False
        _exercise(notice)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_notice({}, [], reference(), NOW.replace(tzinfo=None))
