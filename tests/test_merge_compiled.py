"""The mypyc build of tenderlens.merge: it is what is imported, and its Python source is the fallback.

The differential tests (tests/test_compile*.py, test_merge_rules.py, ...) test whatever
``import tenderlens.merge`` loads: the compiled module after ``scripts/bootstrap``. scripts/test
runs the merge tests once more with ``TENDERLENS_PURE_PYTHON=1``, against the source. Here:
that the switch works, that the build is in use, and that build and source agree.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import os
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tenderlens.merge
from tenderlens.compile import MERGE_RULES, RULE_TREE
from tenderlens.compiled import (
    PURE_PYTHON_ENV,
    built_extensions,
    is_compiled,
    pure_python_requested,
    source_path,
)
from tests.helpers import compiled_modules_in_child
from tests.test_compile_differential import histories
from tests.test_compile_engines import odd_histories

if TYPE_CHECKING:
    from types import ModuleType


def imported_in_child(**env: str) -> tuple[str, str]:
    """(file, compiled?) of tenderlens.merge in a fresh interpreter with ``env`` added."""
    file, compiled = compiled_modules_in_child(**env)["tenderlens.merge"]
    return file, str(compiled)


def test_the_environment_variable_imports_the_python_source():
    file, compiled = imported_in_child(**{PURE_PYTHON_ENV: "1"})
    assert (file, compiled) == (str(source_path("tenderlens.merge")), "False")


def test_zero_does_not_ask_for_python(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(PURE_PYTHON_ENV, "0")
    assert not pure_python_requested()
    monkeypatch.setenv(PURE_PYTHON_ENV, "1")
    assert pure_python_requested()


def test_the_install_compiled_merge_and_it_is_what_is_imported():
    built = built_extensions("tenderlens.merge")
    if not built:
        if os.environ.get("CI") == "true":
            pytest.fail("scripts/bootstrap did not compile tenderlens.merge (see pyproject: hooks.mypyc)")
        pytest.skip("tenderlens.merge is not compiled in this install (no mypyc build)")
    file, compiled = imported_in_child()
    assert (file, compiled) == (str(built[0]), "True")
    assert is_compiled(tenderlens.merge) != pure_python_requested()


@functools.cache
def python_source_module() -> ModuleType:
    """merge.py loaded under another name, beside whichever tenderlens.merge this process has."""
    spec = importlib.util.spec_from_file_location("tenderlens_merge_source", source_path("tenderlens.merge"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outcome(engine, releases):
    """What an engine gives for ``releases``: its result as JSON text, or its error's class name and text."""
    try:
        merged = engine(copy.deepcopy(releases))
    except Exception as error:
        return ("error", type(error).__name__, str(error))
    return ("merged", json.dumps(merged))


@settings(max_examples=200, deadline=None, print_blob=True)
@given(st.one_of(odd_histories(), histories(styles=("Z", "+01:00"))))
def test_the_compiled_engines_equal_their_python_source(releases):
    if not is_compiled(tenderlens.merge):
        pytest.skip("tenderlens.merge is the Python source here: nothing to compare it with")
    source = python_source_module()
    source_tree = source.rule_tree(MERGE_RULES)
    assert outcome(lambda r: tenderlens.merge.merge_regular(r, RULE_TREE), releases) == outcome(
        lambda r: source.merge_regular(r, source_tree), releases
    )
    assert outcome(lambda r: tenderlens.merge.merge_exact(r, MERGE_RULES), releases) == outcome(
        lambda r: source.merge_exact(r, MERGE_RULES), releases
    )
