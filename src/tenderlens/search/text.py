"""Words for the search index: one tokenizer in Python, so SQLite and PostgreSQL index the same tokens.

FTS5's ``unicode61`` tokenizer and PostgreSQL's text-search parser split text differently
(PostgreSQL keeps e-mail addresses, URLs, hyphenated words and version numbers whole). We
split both the indexed text and the user's query here — Unicode letters and digits, case
folded, accents removed — and hand each backend plain space-separated tokens. The only
difference left is the stemmer (FTS5 ``porter``, PostgreSQL's Snowball ``english``), and no
stop words are dropped on either side ("IT" is a word in procurement).
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from typing import Final

_TOKEN: Final = re.compile(r"[^\W_]+")
MAX_TOKEN_CHARS: Final = 60  # longer "words" are identifiers or junk; PostgreSQL rejects > 2047 bytes
MAX_FIELD_CHARS: Final = 100_000  # a tsvector is limited to 1 MB; a notice's text is far less
# For ASCII text, what ``_TOKEN`` and ``fold`` come to as one byte table: letters and digits
# lower-cased, every other byte a space. ``bytes.translate`` and ``split`` run in C, twice as
# fast as ``findall`` over a notice's text (benchmarks/RESULTS.md, fourteenth measurement).
_ASCII_WORDS: Final = (
    bytes(
        (code | 0x20 if chr(code).isalpha() else code) if chr(code).isalnum() else 0x20 for code in range(128)
    )
    + b" " * 128
)


@functools.cache
def _combining() -> dict[int, None]:
    """Every combining mark, for ``str.translate`` to drop (built once, on the first non-ASCII text)."""
    return {code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))}


def fold(text: str) -> str:
    """Case folded, accents removed: ``Café`` → ``cafe``.

    Whole-string operations in C: ASCII text (most of it) is only lower-cased, which is what
    NFKD, dropping marks and ``casefold`` come to for ASCII.
    """
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_combining()).casefold()


def tokens(text: str | None) -> list[str]:
    """The searchable words of ``text``, in order."""
    if not text:
        return []
    return [token for token in _words(text[:MAX_FIELD_CHARS]) if len(token) <= MAX_TOKEN_CHARS]


def _words(text: str) -> list[str]:
    """``_TOKEN.findall(fold(text))``, by the byte table when ``text`` is ASCII."""
    if text.isascii():
        return text.encode().translate(_ASCII_WORDS).decode().split()
    return _TOKEN.findall(fold(text))


def index_text(*parts: str | None) -> str:
    """Several pieces of text as one space-separated token string, ready for FTS5 or ``to_tsvector``.

    The same tokens as :func:`tokens` of each part in turn, folded and split in one pass: a
    space between parts ends a token, and folding is per character (a space blocks NFKD's
    reordering of marks), so joining first changes nothing.
    """
    present = [part[:MAX_FIELD_CHARS] for part in parts if part]
    if not present:
        return ""
    found = _words(" ".join(present))
    if max(map(len, found), default=0) > MAX_TOKEN_CHARS:
        found = [token for token in found if len(token) <= MAX_TOKEN_CHARS]
    return " ".join(found)
