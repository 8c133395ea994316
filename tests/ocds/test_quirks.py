"""Publisher quirk repairs: the release-level table and the leading-zero byte filter."""

from __future__ import annotations

import io
import json
from typing import Any

import ijson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenderlens.ocds.quirks import (
    LEADING_ZERO_MARK,
    QUIRKS,
    LeadingZeroFilter,
    OutOfRangeNumber,
    delivery_addresses_as_array,
    repair_numbers,
    repair_release,
)


class Trickle:
    """A byte source that returns at most ``step`` bytes per read, like a slow pipe."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = io.BytesIO(data)
        self._step = step

    def read(self, size: int = -1, /) -> bytes:
        return self._data.read(self._step if size < 0 else min(size, self._step))


def filtered(
    data: bytes, *, chunk: int = 64 * 1024, step: int | None = None, read_size: int = 65536
) -> tuple[bytes, int]:
    source = Trickle(data, step) if step else io.BytesIO(data)
    stream = LeadingZeroFilter(source, chunk)
    parts = []
    while part := stream.read(read_size):
        parts.append(part)
    return b"".join(parts), stream.repairs


def parse(data: bytes) -> Any:
    (value,) = ijson.items(io.BytesIO(data), "", use_float=True)
    return value


# --- release-level quirks ---------------------------------------------------------------------


def test_quirk_table():
    assert (repair_numbers, delivery_addresses_as_array) == QUIRKS


def test_delivery_addresses_object_form_becomes_an_array():
    release = {
        "tender": {
            "items": [{"id": "1", "deliveryAddresses": {"1": {"region": "UKJ36"}, "2": {"region": "UKJ37"}}}]
        },
        "awards": [
            {"items": [{"id": "a", "deliveryAddresses": {"region": "UKL", "postalCode": "CF10 1AA"}}]}
        ],
        "contracts": [{"items": [{"id": "c", "deliveryAddresses": [{"region": "UKM"}]}]}, "junk"],
    }
    repairs = repair_release(release)
    assert release["tender"]["items"][0]["deliveryAddresses"] == [{"region": "UKJ36"}, {"region": "UKJ37"}]
    assert release["awards"][0]["items"][0]["deliveryAddresses"] == [
        {"region": "UKL", "postalCode": "CF10 1AA"}
    ]
    assert release["contracts"][0]["items"][0]["deliveryAddresses"] == [{"region": "UKM"}]
    assert repairs == [
        "tender.items[0].deliveryAddresses: object form converted to an array",
        "awards[0].items[0].deliveryAddresses: single address object wrapped in an array",
    ]


@pytest.mark.parametrize(
    "release",
    [
        {},
        {"tender": None},
        {"tender": {"items": None}},
        {"tender": {"items": ["x", {"id": "1"}]}},
        {"tender": {"items": [{"deliveryAddresses": []}]}},
        {"awards": {"items": []}},
    ],
)
def test_delivery_addresses_leaves_other_shapes_alone(release):
    before = json.dumps(release)
    assert repair_release(release) == []
    assert json.dumps(release) == before


def test_out_of_range_numbers_are_removed_with_their_paths():
    release = {
        "ocid": "o",
        "tender": {"value": {"amount": OutOfRangeNumber("1E+9999"), "currency": "GBP"}},
        "planning": {"budget": {"amounts": [1, OutOfRangeNumber("-1E+400"), 2, OutOfRangeNumber("9" * 25)]}},
        "parties": [{"id": "1", "details": {"scale": OutOfRangeNumber("1e999")}}],
    }
    repairs = repair_release(release)
    assert release == {
        "ocid": "o",
        "tender": {"value": {"currency": "GBP"}},
        "planning": {"budget": {"amounts": [1, 2]}},
        "parties": [{"id": "1", "details": {}}],
    }
    assert repairs == [
        "tender.value.amount: number 1E+9999 is out of range; removed",
        "planning.budget.amounts[1]: number -1E+400 is out of range; removed",
        f"planning.budget.amounts[3]: number {'9' * 25} is out of range; removed",
        "parties[0].details.scale: number 1e999 is out of range; removed",
    ]


def test_leading_zero_markers_become_numbers():
    release = {
        "a": LEADING_ZERO_MARK + "000",
        "b": [LEADING_ZERO_MARK + "-007.50", LEADING_ZERO_MARK + "0012", "0012"],
        "c": LEADING_ZERO_MARK + "00" + "9" * 25,
        "d": LEADING_ZERO_MARK + "01e9999",
    }
    repairs = repair_release(release)
    assert release == {"a": 0, "b": [-7.5, 12, "0012"]}
    assert isinstance(release["a"], int)
    assert repairs == [
        "a: number 000 has leading zeros (invalid JSON); read as 0",
        "b[0]: number -007.50 has leading zeros (invalid JSON); read as -7.5",
        "b[1]: number 0012 has leading zeros (invalid JSON); read as 12",
        f"c: number 00{'9' * 25} is out of range; removed",
        "d: number 01e9999 is out of range; removed",
    ]


def test_scan_numbers_false_skips_the_walk():
    release = {"n": OutOfRangeNumber("1E+9999")}
    assert repair_release(release, scan_numbers=False) == []
    assert isinstance(release["n"], OutOfRangeNumber)
    assert repair_release(release) == ["n: number 1E+9999 is out of range; removed"]
    assert release == {}


# --- the leading-zero filter ------------------------------------------------------------------

QUIRKY = (
    b'{"a": 000, "s": "x: 000, y", "b": [-007.50, 0012, 0.5, 10, -0, 0e0],\n'
    b' "c": {"d":00}, "e": "\\": 000,", "f": "\\\\", "g": 0001e2, "h": "\\\\\\": 01,"}'
)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 64, 65536])
@pytest.mark.parametrize("step", [None, 1, 7])
def test_filter_rewrites_only_numbers_outside_strings(chunk, step):
    out, rewrites = filtered(QUIRKY, chunk=chunk, step=step, read_size=3)
    value = parse(out)
    assert rewrites == 5
    assert repair_numbers(value) == [
        "a: number 000 has leading zeros (invalid JSON); read as 0",
        "b[0]: number -007.50 has leading zeros (invalid JSON); read as -7.5",
        "b[1]: number 0012 has leading zeros (invalid JSON); read as 12",
        "c.d: number 00 has leading zeros (invalid JSON); read as 0",
        "g: number 0001e2 has leading zeros (invalid JSON); read as 100.0",
    ]
    assert value == {
        "a": 0,
        "s": "x: 000, y",
        "b": [-7.5, 12, 0.5, 10, 0, 0.0],
        "c": {"d": 0},
        "e": '": 000,',
        "f": "\\",
        "g": 100.0,
        "h": '\\": 01,',
    }


def test_filter_counts_each_rewrite_once():
    _, repairs = filtered(b'{"a": 000, "b": [00, 01], "c": "000"}')
    assert repairs == 3


def test_filter_passes_prose_with_thousands_separators_untouched():
    data = json.dumps({"description": "circa £131,000,000 (one hundred), ref: 0012, at 09:05"}).encode()
    assert filtered(data, chunk=4, step=3) == (data, 0)


json_text = st.one_of(
    st.text(),
    st.sampled_from(
        [
            '": 000,',
            ": 000,",
            ", 007]",
            "\\",
            '\\"',
            '"',
            "£131,000,000",
            "[00]",
            "{0: 01}",
            "\n",
            " 000,",
            "-01,",
        ]
    ),
)
json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), json_text
    ),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(json_text, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(
    value=json_values,
    indent=st.sampled_from([None, 0, 2]),
    ascii_only=st.booleans(),
    chunk=st.integers(1, 40),
    step=st.integers(1, 40),
)
def test_filter_never_changes_valid_json(value, indent, ascii_only, chunk, step):
    data = json.dumps({"v": value}, indent=indent, ensure_ascii=ascii_only).encode()
    assert filtered(data, chunk=chunk, step=step, read_size=chunk) == (data, 0)
