"""Match sets of the most frequent words, kept as bitmaps beside the facet columns.

Counting a common word's matches in FTS5 is cheap; handing them to numpy is not: about
0.4 µs per match for ``group_concat(rowid)`` and the parse, so 40-260 ms for one word at 1M
notices, the slowest step of a search once tantivy ranks. So the words that at least
:data:`MIN_DOCS` notices contain keep their match set as a packed bitmap over the snapshot's
positions. It is built when the columns load and patched from the change log with them; a
query whose every term is such a word is answered from the bitmaps, any other from FTS5.

Exact by construction: FTS5 itself decides what each bitmap holds. The load asks FTS5 for the
matches of each indexed term (taken from its own vocabulary, ``fts5vocab``); a patch re-reads
only the changed rows into an in-memory FTS5 table with the same tokenizer and asks it the
same. A query word is stemmed by that same tokenizer too, so it finds the bitmap of exactly
the term FTS5 would look up. Terms that the tokenizer would stem again (``MATCH`` stems its
argument) are left to FTS5.

PostgreSQL: the same bitmaps per lexeme, taken from the ``document`` tsvectors themselves
(``ts_stat`` for the frequent ones, one pass of ``unnest`` for their rows; patches read the
changed rows' lexemes). A query word is turned into its lexeme by ``phraseto_tsquery`` with the
index's configuration, the function the SQL match uses, so ``@@`` and the bitmap agree.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from sqlalchemy import text

from tenderlens.search.bits import unpack

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray
    from sqlalchemy import Connection

    from tenderlens.search.query import ParsedQuery, Term

    Mask = NDArray[np.bool_]

TOKENIZE: Final = "porter unicode61 remove_diacritics 2"  # search_fts's (migration 0003)
FTS_COLUMNS: Final = ("title", "description", "lots", "items", "buyer", "other")
MIN_DOCS: Final = 5_000  # fewer matches than this cost FTS5 under 2 ms to hand over: no bitmap
MAX_TERMS: Final = 512  # bitmaps kept at most (1M notices: 125 kB each)
VOCABULARY: Final = "temp.tenderlens_fts_vocabulary"


@dataclass(frozen=True, slots=True)
class FrequentTerms:
    """Per FTS5 term, the positions of the notices that contain it (packed, little-endian bits)."""

    bits: dict[str, NDArray[np.uint8]]
    size: int  # positions covered (the snapshot's length)
    dialect: str = "sqlite"

    def mask(self, term: str) -> Mask:
        return unpack(self.bits[term], self.size)


class _Tokenizer:
    """FTS5's tokenizer on its own: an in-memory FTS5 table with search_fts's settings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        columns = ", ".join(FTS_COLUMNS)
        self._db.execute(f"CREATE VIRTUAL TABLE words USING fts5({columns}, tokenize = '{TOKENIZE}')")
        self._db.execute("CREATE VIRTUAL TABLE words_seen USING fts5vocab(words, 'instance')")

    @functools.lru_cache(maxsize=10_000)  # noqa: B019 - one tokenizer per process, never freed
    def terms(self, text: str) -> tuple[str, ...]:
        """The FTS5 terms of ``text``, in order."""
        with self._lock:
            self._db.execute("DELETE FROM words")
            self._db.execute("INSERT INTO words(rowid, title) VALUES (1, ?)", (text,))
            found = self._db.execute("SELECT term FROM words_seen ORDER BY offset").fetchall()
            self._db.execute("DELETE FROM words")
        return tuple(term for (term,) in found)

    def matching(self, rows: Sequence[Sequence[Any]], terms: Sequence[str]) -> dict[str, list[int]]:
        """Of these (rowid, *FTS_COLUMNS) rows, the rowids each term matches."""
        with self._lock:
            self._db.execute("DELETE FROM words")
            placeholders = ", ".join("?" * (len(FTS_COLUMNS) + 1))
            self._db.executemany(
                f"INSERT INTO words(rowid, {', '.join(FTS_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )
            found = {
                term: [
                    rowid
                    for (rowid,) in self._db.execute(
                        "SELECT rowid FROM words WHERE words MATCH ?", (f'"{term}"',)
                    )
                ]
                for term in terms
            }
            self._db.execute("DELETE FROM words")
        return found


@functools.cache
def tokenizer() -> _Tokenizer:
    return _Tokenizer()


def _raw(conn: Connection) -> sqlite3.Connection:
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _packed(positions: NDArray[np.int64], size: int) -> NDArray[np.uint8]:
    mask = np.zeros(size, dtype=np.bool_)
    mask[positions] = True
    return np.packbits(mask, bitorder="little")


def _positions(where: NDArray[np.int32], rowids: NDArray[np.int64]) -> NDArray[np.int64]:
    inside = rowids[(rowids >= 0) & (rowids < len(where))]
    found = where[inside].astype(np.int64)
    return found[found >= 0]


def load(conn: Connection, where: NDArray[np.int32], size: int) -> FrequentTerms:
    """The bitmaps of the :data:`MAX_TERMS` most frequent terms, in this transaction's state."""
    if conn.dialect.name == "postgresql":
        return _load_postgresql(conn, where, size)
    raw = _raw(conn)
    raw.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY} USING fts5vocab(main, search_fts, 'row')")
    frequent = raw.execute(
        f"SELECT term FROM {VOCABULARY} WHERE doc >= ? ORDER BY doc DESC LIMIT ?",  # noqa: S608 - a constant
        (MIN_DOCS, MAX_TERMS),
    ).fetchall()
    words = tokenizer()
    bits: dict[str, NDArray[np.uint8]] = {}
    for (term,) in frequent:
        if words.terms(term) != (term,):
            continue  # MATCH would look up another term
        (joined,) = raw.execute(
            "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH ?", (f'"{term}"',)
        ).fetchone()
        rowids = np.fromstring(joined or "", dtype=np.int64, sep=",") if joined else np.zeros(0, np.int64)
        bits[term] = _packed(_positions(where, rowids), size)
    return FrequentTerms(bits, size)


def _ids(joined: str | None) -> NDArray[np.int64]:
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


def _load_postgresql(conn: Connection, where: NDArray[np.int32], size: int) -> FrequentTerms:
    """Per frequent lexeme, the rows whose tsvector holds it: one pass over the tsvectors."""
    words = [
        str(word)
        for (word,) in conn.execute(
            text(
                "SELECT word FROM ts_stat('SELECT document FROM search_index') "
                "WHERE ndoc >= :least ORDER BY ndoc DESC, word LIMIT :most"
            ),
            {"least": MIN_DOCS, "most": MAX_TERMS},
        )
    ]
    bits = {word: _packed(np.zeros(0, dtype=np.int64), size) for word in words}
    if words:
        rows = conn.execute(
            text(
                "SELECT u.lexeme, string_agg(i.doc::text, ',') FROM search_index AS i, "
                "unnest(i.document) AS u(lexeme, positions, weights) "
                "WHERE u.lexeme = ANY(:words) GROUP BY u.lexeme"
            ).execution_options(yield_per=1),
            {"words": words},
        )
        for word, joined in rows:
            bits[str(word)] = _packed(_positions(where, _ids(joined)), size)
    return FrequentTerms(bits, size, "postgresql")


def _changed_terms(conn: Connection, docs: Sequence[int], terms: Sequence[str]) -> dict[str, list[int]]:
    """Of the rows ``docs``, the row ids each term matches (by the backend's own tokenizer)."""
    if not docs or not terms:
        return {}
    if conn.dialect.name == "postgresql":
        wanted = set(terms)
        found: dict[str, list[int]] = {}
        lexemes_of = conn.execute(
            text("SELECT doc, tsvector_to_array(document) FROM search_index WHERE doc = ANY(:docs)"),
            {"docs": list(docs)},
        )
        for doc, lexemes in lexemes_of:
            for lexeme in wanted.intersection(lexemes or ()):
                found.setdefault(lexeme, []).append(int(doc))
        return found
    rows = (
        _raw(conn)
        .execute(
            f"SELECT rowid, {', '.join(FTS_COLUMNS)} FROM search_fts "  # noqa: S608 - constants
            "WHERE rowid IN (SELECT value FROM json_each(?))",
            (json.dumps(list(docs)),),
        )
        .fetchall()
    )
    return tokenizer().matching(rows, terms) if rows else {}


def patch(  # noqa: PLR0917 - the old bitmaps, the new snapshot and what changed
    frequent: FrequentTerms,
    conn: Connection,
    where: NDArray[np.int32],
    size: int,
    changed: NDArray[np.int64],
    docs: Sequence[int],
) -> FrequentTerms:
    """``frequent`` after the logged changes: the ``changed`` positions re-read (the rows ``docs``).

    Every bitmap gets the changed positions cleared, then set again where the row (if it is
    still there) holds the term. New positions (beyond the old size) start clear.
    """
    matched = _changed_terms(conn, docs, list(frequent.bits))
    length = (size + 7) // 8
    clear = changed[changed < size]
    clear_bytes, clear_bits = clear >> 3, (1 << (clear & 7)).astype(np.uint8)
    bits = {}
    for term, old in frequent.bits.items():
        grown = np.zeros(length, dtype=np.uint8)
        grown[: min(len(old), length)] = old[:length]
        np.bitwise_and.at(grown, clear_bytes, ~clear_bits)
        found = _positions(where, np.array(matched.get(term, []), dtype=np.int64))
        np.bitwise_or.at(grown, found >> 3, (1 << (found & 7)).astype(np.uint8))
        bits[term] = grown
    return FrequentTerms(bits, size, frequent.dialect)


_PG_LEXEMES: dict[str, tuple[str, ...]] = {}  # query word → its lexemes, per process
_SINGLE_LEXEME = re.compile(r"'([^']+)'")


def _lexemes(conn: Connection, word: str) -> tuple[str, ...]:
    """The lexemes PostgreSQL's ``phraseto_tsquery`` makes of one query word (run.py's match)."""
    found = _PG_LEXEMES.get(word)
    if found is None:
        query = conn.execute(
            text("SELECT phraseto_tsquery('tenderlens_english'::regconfig, :word)::text"), {"word": word}
        ).scalar()
        single = _SINGLE_LEXEME.fullmatch(str(query or "").strip())
        found = (single.group(1),) if single else ()
        if len(_PG_LEXEMES) < 10_000:
            _PG_LEXEMES[word] = found
    return found


def _term_mask(frequent: FrequentTerms, term: Term, conn: Connection | None) -> Mask | None:
    if len(term.tokens) != 1:
        return None  # a phrase needs the positions the full-text index keeps
    if frequent.dialect == "postgresql":
        if conn is None:
            return None
        found = _lexemes(conn, term.tokens[0])
    else:
        found = tokenizer().terms(term.tokens[0])
    if len(found) != 1 or found[0] not in frequent.bits:
        return None
    return frequent.mask(found[0])


def _any(frequent: FrequentTerms, terms: Sequence[Term], conn: Connection | None) -> Mask | None:
    out: Mask | None = None
    for term in terms:
        mask = _term_mask(frequent, term, conn)
        if mask is None:
            return None
        out = mask.copy() if out is None else out | mask
    return out


def text_mask(
    frequent: FrequentTerms, query: ParsedQuery, alive: Mask, conn: Connection | None = None
) -> Mask | None:
    """The positions ``query``'s text matches, from the bitmaps alone; None if a term has none.

    ``conn``: for PostgreSQL, to turn query words into lexemes.
    """
    if query.is_empty or len(alive) != frequent.size:
        return None
    out = alive.copy()
    for group in query.groups:
        mask = _any(frequent, group, conn)
        if mask is None:
            return None
        out &= mask
    if query.excluded:
        mask = _any(frequent, query.excluded, conn)
        if mask is None:
            return None
        out &= ~mask
    return out
