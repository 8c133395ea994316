"""Every module the install compiles with mypyc is built, imported, and can be run from source instead.

``tests/test_merge_compiled.py`` checks the merge engine in depth (compiled == source on
Hypothesis histories); the listing modules' equivalence is ``tests/test_records_listing.py``,
which ``scripts/test`` also runs with ``TENDERLENS_PURE_PYTHON=1``. Here: the build list and
:data:`tenderlens.compiled.COMPILED` are the same list, and the switch covers all of it.
"""

from __future__ import annotations

import os
import tomllib

import pytest

from tenderlens.compiled import COMPILED, PACKAGE_DIR, PURE_PYTHON_ENV, built_extensions, source_path
from tests.helpers import compiled_modules_in_child


def test_the_build_compiles_exactly_the_listed_modules() -> None:
    pyproject = tomllib.loads((PACKAGE_DIR.parent.parent / "pyproject.toml").read_text())
    include = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]
    named = [path.removeprefix("src/").removesuffix(".py").replace("/", ".") for path in include]
    assert sorted(named) == sorted(COMPILED)
    assert all(source_path(name).is_file() for name in COMPILED)


def test_the_install_compiled_every_listed_module_and_imports_it() -> None:
    missing = [name for name in COMPILED if not built_extensions(name)]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"scripts/bootstrap did not compile {missing} (see pyproject: hooks.mypyc)")
        pytest.skip(f"not compiled in this install: {missing}")
    imported = compiled_modules_in_child()
    assert imported == {name: (str(built_extensions(name)[0]), True) for name in COMPILED}


def test_the_environment_variable_imports_every_listed_module_from_source() -> None:
    imported = compiled_modules_in_child(**{PURE_PYTHON_ENV: "1"})
    assert imported == {name: (str(source_path(name)), False) for name in COMPILED}
