"""The search box's syntax: words, phrases, -exclusions, OR; and hostile input that must stay harmless."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenderlens.search.query import MAX_TERMS, fts5_excluded, fts5_match, parse_query
from tenderlens.search.text import index_text, tokens

# What an FTS5 expression we build may contain: quoted tokens, AND/OR/NOT, brackets, spaces.
SAFE_FTS5 = re.compile(r'^(?:"[^\W_]+(?: [^\W_]+)*"|AND|OR|NOT|[() ])+$')


def words(query: str) -> list[list[str]]:
    return [[" ".join(term.tokens) for term in group] for group in parse_query(query).groups]


def test_words_are_all_required() -> None:
    assert words("school cleaning") == [["school"], ["cleaning"]]
    assert fts5_match(parse_query("school cleaning")) == '"school" AND "cleaning"'


def test_a_quoted_phrase_is_one_term() -> None:
    parsed = parse_query('"domestic abuse" support')
    assert words('"domestic abuse" support') == [["domestic abuse"], ["support"]]
    assert fts5_match(parsed) == '"domestic abuse" AND "support"'


def test_minus_excludes_words_and_phrases() -> None:
    parsed = parse_query('cleaning -windows -"gutter clearing"')
    assert [" ".join(t.tokens) for t in parsed.excluded] == ["windows", "gutter clearing"]
    assert fts5_match(parsed) == '("cleaning") NOT ("windows" OR "gutter clearing")'


def test_exclusions_alone_are_kept_for_a_not_in_query() -> None:
    parsed = parse_query("-windows")
    assert parsed.groups == ()
    assert fts5_match(parsed) is None
    assert fts5_excluded(parsed) == '"windows"'


def test_or_binds_tighter_than_the_implied_and() -> None:
    assert words("cleaning windows OR gutters") == [["cleaning"], ["windows", "gutters"]]
    assert fts5_match(parse_query("cleaning windows OR gutters")) == '"cleaning" AND ("windows" OR "gutters")'
    assert words("a OR b OR c") == [["a", "b", "c"]]


def test_lower_case_or_and_dangling_or_are_words_or_ignored() -> None:
    assert words("tea or coffee") == [["tea"], ["or"], ["coffee"]]
    assert words("OR tea OR") == [["tea"]]


def test_a_hyphenated_word_is_a_phrase_of_its_parts() -> None:
    assert words("e-mail") == [["e mail"]]
    assert parse_query("e-mail").groups[0][0].text == '"e mail"'


def test_an_unclosed_quote_runs_to_the_end_with_a_note() -> None:
    parsed = parse_query('"social care')
    assert words('"social care') == [["social care"]]
    assert any("unclosed" in note for note in parsed.notes)


def test_accents_and_case_fold_like_the_index() -> None:
    assert tokens("Café ÉCOLE") == ["cafe", "ecole"]
    assert index_text("Café", None, "Nurse-led") == "cafe nurse led"


@pytest.mark.parametrize(
    "hostile",
    [
        "NEAR(a b, 2)",
        "*",
        '"',
        '""""',
        "title:foo",
        "a AND OR NOT b",
        "'; DROP TABLE records; --",
        "^start",
        "(((",
        "\x00\x01\x1f",
        "\u202e\u200b",
        "-",
        "--",
        "OR",
        "x" * 10_000,
        "a " * 5000,
    ],
)
def test_hostile_queries_give_safe_fts5(hostile: str) -> None:
    parsed = parse_query(hostile)
    expression = fts5_match(parsed) or fts5_excluded(parsed)
    assert expression is None or SAFE_FTS5.match(expression), expression
    assert sum(len(group) for group in parsed.groups) + len(parsed.excluded) <= MAX_TERMS


def test_long_queries_are_cut_with_a_note() -> None:
    parsed = parse_query("word " * 100)
    assert any("first 16" in note for note in parsed.notes)
    assert "the query was cut" in " ".join(parse_query("y" * 5000).notes)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_to_safe_fts5(text: str) -> None:
    parsed = parse_query(text)
    for expression in (fts5_match(parsed), fts5_excluded(parsed)):
        assert expression is None or SAFE_FTS5.match(expression), expression
