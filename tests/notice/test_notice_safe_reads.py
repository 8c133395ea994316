"""The type-checked reads: plain dicts take a fast path, any other mapping is still an object."""

from __future__ import annotations

from collections import OrderedDict
from types import MappingProxyType

import pytest

from tenderlens.notice.safe import EMPTY, obj, objs, path

MAPPINGS = [
    pytest.param(dict, id="dict"),
    pytest.param(OrderedDict, id="OrderedDict"),
    pytest.param(MappingProxyType, id="mappingproxy"),
]


@pytest.mark.parametrize("kind", MAPPINGS)
def test_any_mapping_is_an_object(kind: type) -> None:
    value = kind({"a": kind({"b": 1})})
    assert obj(value) is value
    assert objs([value, 1, "x", None]) == [value]
    assert objs((value, None)) == [value]  # a tuple, past the list and None fast paths
    assert objs(kind({"1": value, "2": "not an object"})) == [value]  # FTS's array keyed by position
    assert path(value, "a", "b") == 1


@pytest.mark.parametrize("odd", [None, 1, "text", ["a"], ("a",), True])
def test_anything_else_is_not(odd: object) -> None:
    assert obj(odd) is EMPTY
    assert objs(odd) == []  # a list of non-objects included
    assert path({"a": odd}, "a", "b") is None
    assert path(odd, "a") is None
