"""The modules the install compiles with mypyc, and running them as plain Python instead.

``pip install`` (also ``-e``) builds :data:`COMPILED` with mypyc (the hatch-mypyc hook in
``pyproject.toml``): an extension module beside the ``.py`` file, which Python imports in its
place. The ``.py`` file stays the source, and the fallback: when no extension was built (no C
compiler, ``HATCH_BUILD_NO_HOOKS=true``), or when ``TENDERLENS_PURE_PYTHON=1`` is set before
``tenderlens`` is first imported (to compare the two, or to debug with a Python traceback).
See ``docs/compile.md``, "Compiled with mypyc".
"""

from __future__ import annotations

import importlib.util
import os
import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

COMPILED: Final = (
    "tenderlens.merge",
    # The listing and search document (benchmarks/RESULTS.md, fourteenth measurement).
    "tenderlens.search.listing",
    "tenderlens.search.text",
    "tenderlens.search.document",
    "tenderlens.notice.safe",
    "tenderlens.notice.context",
    "tenderlens.notice.parts",
    "tenderlens.notice.parties",
    "tenderlens.notice.words",
    "tenderlens.notice.history",
    # The stage rule, from notice.build (benchmarks/RESULTS.md, twentieth measurement).
    "tenderlens.notice.stages",
    # What changed, on the notice page (benchmarks/RESULTS.md, sixteenth measurement).
    "tenderlens.notice.changes",
    "tenderlens.notice.when",
    "tenderlens.ocds.dates",
)
PURE_PYTHON_ENV: Final = "TENDERLENS_PURE_PYTHON"
PACKAGE_DIR: Final = Path(__file__).resolve().parent


def pure_python_requested() -> bool:
    """True when ``TENDERLENS_PURE_PYTHON`` is set to anything but empty or ``0``."""
    return os.environ.get(PURE_PYTHON_ENV, "") not in {"", "0"}


def source_path(name: str) -> Path:
    """The ``.py`` file of a module of :data:`COMPILED` (``tenderlens.merge`` → ``.../merge.py``)."""
    return PACKAGE_DIR.joinpath(*name.split(".")[1:]).with_suffix(".py")


def is_compiled(module: ModuleType) -> bool:
    """True when ``module`` was loaded from an extension module (the mypyc build), not from source."""
    return (module.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))


def built_extensions(name: str) -> list[Path]:
    """The extension files the install built for ``name`` beside its source (none: not compiled)."""
    source = source_path(name)
    return sorted(path for suffix in EXTENSION_SUFFIXES for path in source.parent.glob(source.stem + suffix))


class _SourceFinder(MetaPathFinder):
    """Finds the modules of :data:`COMPILED` as their ``.py`` files, ahead of any extension."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        del path, target
        if fullname not in COMPILED:
            return None
        return importlib.util.spec_from_file_location(fullname, source_path(fullname))


def use_python_source() -> None:
    """Import the modules of :data:`COMPILED` from source from now on (not those imported already)."""
    if not any(isinstance(finder, _SourceFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SourceFinder())
