"""Words for the search index: one tokenizer in Python, so SQLite and PostgreSQL index the same tokens.

FTS5's ``unicode61`` tokenizer and PostgreSQL's text-search parser split text differently
(PostgreSQL keeps e-mail addresses, URLs, hyphenated words and version numbers whole). We
split both the indexed text and the user's query here — Unicode letters and digits, case
folded, accents removed — and hand each backend plain space-separated tokens. The only
difference left is the stemmer (FTS5 ``porter``, PostgreSQL's Snowball ``english``), and no
stop words are dropped on either side ("IT" is a word in procurement).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_TOKEN: Final = re.compile(r"[^\W_]+")
MAX_TOKEN_CHARS: Final = 60  # longer "words" are identifiers or junk; PostgreSQL rejects > 2047 bytes
MAX_FIELD_CHARS: Final = 100_000  # a tsvector is limited to 1 MB; a notice's text is far less


def fold(text: str) -> str:
    """Case folded, accents removed: ``Café`` → ``cafe``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def tokens(text: str | None) -> list[str]:
    """The searchable words of ``text``, in order."""
    if not text:
        return []
    return [token for token in _TOKEN.findall(fold(text[:MAX_FIELD_CHARS])) if len(token) <= MAX_TOKEN_CHARS]


def index_text(*parts: str | None) -> str:
    """Several pieces of text as one space-separated token string, ready for FTS5 or ``to_tsvector``."""
    return " ".join(token for part in parts for token in tokens(part))
