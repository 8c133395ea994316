"""``fold`` and ``index_text`` work on whole strings now; they must give the tokens they always gave.

The reference below is the per-character implementation they replaced, kept here verbatim.
"""

from __future__ import annotations

import sys
import unicodedata
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenderlens.search.text import _TOKEN, MAX_FIELD_CHARS, MAX_TOKEN_CHARS, fold, index_text, tokens
from tests.helpers import shared_releases

if TYPE_CHECKING:
    from pathlib import Path


def old_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def old_tokens(text: str | None) -> list[str]:
    if not text:
        return []
    found = _TOKEN.findall(old_fold(text[:MAX_FIELD_CHARS]))
    return [token for token in found if len(token) <= MAX_TOKEN_CHARS]


def old_index_text(*parts: str | None) -> str:
    return " ".join(token for part in parts for token in old_tokens(part))


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [found for member in value.values() for found in strings_in(member)]
    if isinstance(value, list):
        return [found for member in value for found in strings_in(member)]
    return []


def test_fold_equals_the_old_fold_for_every_character() -> None:
    characters = (chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)
    differing = [char for char in characters if fold(char) != old_fold(char)]
    assert differing == []


@pytest.mark.parametrize(
    "parts",
    [
        ("Café", None, "Nurse-led"),
        ("İstanbul ǅemal ﬁle", "", "Ⅻ ½ x\u0301"),
        ("a" * 61, "b" * 60, "\u0301start", "end\u0301"),
        ("x" * (MAX_FIELD_CHARS + 5) + " tail", "next"),
        (None, None),
        ("ÅNGSTRÖM straße ΣΊΣΥΦΟΣ", "日本語 テキスト"),
        ("Snake_case, CamelCase; tab\there\nnew-line\x00nul\x7fdel ~`!@#$%^&*()+={}[]|\\:\"'<>?,./",),
        ("A1b2 ZZ9 " + "q" * 60 + " " + "r" * 61, "0x1F v2.3.4"),
    ],
)
def test_index_text_equals_the_old_one_on_awkward_text(parts: tuple[str | None, ...]) -> None:
    assert index_text(*parts) == old_index_text(*parts)


@pytest.mark.shared
def test_index_text_equals_the_old_one_on_real_data(shared_data: Path) -> None:
    texts = [found for release in shared_releases(shared_data / "ocds") for found in strings_in(release)]
    assert len(texts) > 1000
    assert any(not found.isascii() for found in texts)
    assert [fold(found) for found in texts] == [old_fold(found) for found in texts]
    for start in range(0, len(texts), 7):
        parts = texts[start : start + 7]
        assert index_text(*parts) == old_index_text(*parts)


# Every ASCII character, and a few others so that the non-ASCII path is also taken.
_TEXT = st.text(
    alphabet=st.sampled_from([chr(code) for code in range(128)] + ["é", "ß", "\u0301"]), max_size=80
)


@given(st.lists(st.one_of(st.none(), _TEXT), max_size=4))
def test_index_text_and_tokens_equal_the_old_ones_on_any_ascii_text(parts: list[str | None]) -> None:
    """The byte table for ASCII text gives what the regular expression gave."""
    assert index_text(*parts) == old_index_text(*parts)
    assert [tokens(part) for part in parts] == [old_tokens(part) for part in parts]


def test_the_reference_is_not_trivially_equal() -> None:
    """The old fold really drops accents and folds case, so agreeing with it means something."""
    assert old_fold("Ĉafé ÅB") == "cafe ab"
    assert old_index_text("Ĉafé", "Nurse-led") == "cafe nurse led"
