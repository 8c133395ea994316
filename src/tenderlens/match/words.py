"""Matching words and phrases the way a reader would: case and accents ignored, plurals folded."""

from __future__ import annotations

from tenderlens.search.text import tokens

MIN_STEM = 4


def stem(word: str) -> str:
    """A light English stem, enough for ``victims`` to find ``victim`` (no dictionary needed)."""
    if len(word) > MIN_STEM and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > MIN_STEM and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) >= MIN_STEM and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def stems(text: str | None) -> tuple[str, ...]:
    return tuple(stem(token) for token in tokens(text))


def contains(haystack: tuple[str, ...], phrase: str) -> bool:
    """Whether the words of ``phrase`` appear together, in order, in ``haystack`` (stems)."""
    needle = stems(phrase)
    if not needle:
        return False
    size = len(needle)
    return any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))
