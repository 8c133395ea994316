"""The fast helpers behind facet counts agree with the plain numpy/Python they replace."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenderlens.search import counts as counts_module
from tenderlens.search.bits import pack, unpack
from tenderlens.search.columns import Vocabulary
from tenderlens.search.counts import kth_largest


@given(st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=400), st.data())
def test_kth_largest_is_what_partition_gives(values: list[int], data: st.DataObject) -> None:
    counts = np.array(values, dtype=np.int64)
    k = data.draw(st.integers(min_value=1, max_value=len(values)))
    assert kth_largest(counts, k) == np.partition(counts, len(counts) - k)[len(counts) - k]


def _plain_prefix_labels(words: Vocabulary, size: int) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for value, label in zip(words.values, words.labels, strict=True):
        if value is not None and len(value) >= size and label is not None:
            prefix = value[:size]
            current = found.get(prefix)
            if current is None or label > current:
                found[prefix] = label
    return found


def test_prefix_labels_follow_every_change_of_the_vocabulary() -> None:
    words = Vocabulary()
    words.code("45000000", "Construction work")
    words.code("45200000", None)
    assert words.prefix_labels(2) == {"45": "Construction work"} == _plain_prefix_labels(words, 2)
    words.code("45210000", "Zoned building work")  # a new value with a greater label
    assert words.prefix_labels(2) == {"45": "Zoned building work"} == _plain_prefix_labels(words, 2)
    words.code("45200000", "Works for complete or part construction")  # a label on a known value
    assert words.prefix_labels(3) == _plain_prefix_labels(words, 3)
    copied = words.copy()
    copied.code("90000000", "Sewage")
    assert "90" in copied.prefix_labels(2)
    assert "90" not in words.prefix_labels(2)


@given(st.lists(st.booleans(), max_size=300))
def test_unpack_undoes_pack_and_bit_p_is_position_p(values: list[bool]) -> None:
    mask = np.array(values, dtype=np.bool_)
    packed = pack(mask)
    assert len(packed) == (len(values) + 63) // 64
    assert unpack(packed, len(values)).tolist() == values
    for position, value in enumerate(values):
        assert bool((int(packed[position >> 6]) >> (position & 63)) & 1) == value


@given(
    st.lists(st.tuples(st.sampled_from(["Ann", "Bo", None]), st.booleans()), max_size=40),
    st.integers(min_value=1, max_value=12),
)
def test_the_first_codes_in_name_order_are_the_smallest_ranks_marked(
    buyers: list[tuple[str | None, bool]], wanted: int
) -> None:
    words = Vocabulary()
    for number, (label, _) in enumerate(buyers):
        words.code(f"GB-{number:03d}", label)
    keep = np.array([False] + [marked for _, marked in buyers], dtype=np.bool_)
    expected = [code for code in _by_name(words) if keep[code]][:wanted]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(counts_module, "NAME_ORDER_BLOCK", 3)  # several blocks, and a partial one
        found = counts_module._first_in_name_order(words, keep, wanted)
    assert found.tolist() == expected
    words.code("GB-999", "Aardvark")  # a change: the cached order follows it
    assert words.name_order().tolist() == _by_name(words)


def _by_name(words: Vocabulary) -> list[int]:
    return sorted(
        range(len(words.values)), key=lambda code: (words.labels[code] or "", words.values[code] or "")
    )
