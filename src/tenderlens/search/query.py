"""The search box's syntax, parsed by us, so no user text ever reaches FTS5 or tsquery as syntax.

Syntax (documented in ``docs/web.md``):

- words: every word must match (stemmed: "nurse" finds "nursing");
- ``"a phrase"``: the words next to each other, in order (an unclosed quote runs to the end);
- ``-word`` or ``-"a phrase"``: leave out notices that match;
- ``a OR b`` (upper case): either; ``OR`` binds tighter than the implied AND, so
  ``cleaning windows OR gutters`` is cleaning AND (windows OR gutters).

Anything else (``*``, ``NEAR(``, brackets, SQL) is just text: it is split into words like the
indexed text (:mod:`tenderlens.search.text`), so a word such as ``e-mail`` becomes the phrase
"e mail". Control characters are dropped; very long queries are cut to a bounded number of
terms, so a query can never be slow to parse or to run because of its length.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

from tenderlens.search.text import tokens

MAX_QUERY_CHARS: Final = 1000
MAX_TERMS: Final = 16
MAX_PHRASE_TOKENS: Final = 12


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase, as index tokens; ``text`` is how to show it back to the user."""

    tokens: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """All ``groups`` must match (each group: any of its terms); no ``excluded`` term may."""

    raw: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]
    notes: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded

    @property
    def text(self) -> str:
        """The query as we understood it, in the same syntax."""
        parts = [" OR ".join(term.text for term in group) for group in self.groups]
        parts.extend(f"-{term.text}" for term in self.excluded)
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class _Item:
    kind: str  # "term", "or"
    term: Term | None = None
    negated: bool = False


def _clean(raw: str) -> str:
    """Control and format characters become spaces; everything else is kept for the lexer."""
    return "".join(" " if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} else char for char in raw)


def _term(text: str, *, quoted: bool) -> Term | None:
    found = tokens(text)[:MAX_PHRASE_TOKENS]
    if not found:
        return None
    shown = " ".join(found)
    return Term(tuple(found), f'"{shown}"' if quoted or len(found) > 1 else shown)


def _lex(text: str, notes: list[str]) -> list[_Item]:
    items: list[_Item] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        negated = char == "-" and i + 1 < size and not text[i + 1].isspace()
        if negated:
            i += 1
            char = text[i]
        if char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                notes.append("an unclosed quote: the phrase runs to the end of the query")
                end = size
            term = _term(text[i + 1 : end], quoted=True)
            i = end + 1
        else:
            end = i
            while end < size and not text[end].isspace() and text[end] != '"':
                end += 1
            word = text[i:end]
            i = end
            if word == "OR" and not negated:
                items.append(_Item("or"))
                continue
            term = _term(word, quoted=False)
        if term is not None:
            items.append(_Item("term", term, negated))
    return items


def parse_query(raw: str | None) -> ParsedQuery:
    """The user's query as groups of terms. Never raises; odd input gives fewer terms and a note."""
    raw = raw or ""
    notes: list[str] = []
    text = _clean(raw)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"the query was cut to its first {MAX_QUERY_CHARS} characters")
    items = _lex(text, notes)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # the previous item was OR, after a positive term
    count = 0
    for item in items:
        if item.kind == "or":
            joining = bool(groups)
            continue
        assert item.term is not None
        if count >= MAX_TERMS:
            notes.append(f"only the first {MAX_TERMS} words or phrases were used")
            break
        count += 1
        if item.negated:
            if item.term not in excluded:
                excluded.append(item.term)
            joining = False
            continue
        if joining and groups:
            if item.term not in groups[-1]:
                groups[-1].append(item.term)
        elif [item.term] not in groups:
            groups.append([item.term])
        joining = False
    return ParsedQuery(
        raw=raw,
        groups=tuple(tuple(group) for group in groups),
        excluded=tuple(excluded),
        notes=tuple(dict.fromkeys(notes)),
    )


def _fts5_term(term: Term) -> str:
    # Tokens are letters and digits only, so a double-quoted FTS5 string cannot hold syntax.
    return '"' + " ".join(term.tokens) + '"'


def _fts5_any(terms: tuple[Term, ...]) -> str:
    inner = " OR ".join(_fts5_term(term) for term in terms)
    return f"({inner})" if len(terms) > 1 else inner


def fts5_match(query: ParsedQuery) -> str | None:
    """The FTS5 MATCH expression for the positive part (with exclusions), or None if there is none."""
    if not query.groups:
        return None
    positive = " AND ".join(_fts5_any(group) for group in query.groups)
    if query.excluded:
        return f"({positive}) NOT {_fts5_any(query.excluded)}"
    return positive


def fts5_excluded(query: ParsedQuery) -> str | None:
    """For a query of exclusions only: the FTS5 expression of what to leave out."""
    return _fts5_any(query.excluded) if query.excluded else None
