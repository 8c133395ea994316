"""A tantivy text index beside the store, for relevance order without scoring every match.

FTS5's ``bm25()`` and PostgreSQL's ``ts_rank`` score every matching row before taking the
best 20 (hundreds of ms for a common word at 1M notices); tantivy's top-k collector skips
most of them. The index is derived data: one directory per store (``<db file>.search/`` for
SQLite, under the data directory keyed by database and schema for PostgreSQL), rebuilt from
the store whenever it is missing, incompatible, made from another store or too far behind.

It follows the ``search_changes`` log (migration 0005) like the facet columns do: the log
position it reflects is stored *inside* the index (a meta document with ``doc`` = :data:`META`),
so a searcher always sees documents and position from the same commit. A search uses the
index only when that position equals the one its own transaction sees; otherwise it syncs
(if it can take tantivy's single writer lock) or the caller uses the SQL ranking. The meta
document also holds the store's identity (``store_identity``, migration 0009): a store
deleted and created again at the same path, or another database put there, starts its log
again, so a position alone could match or run ahead of the new store's. An index made from
another store is never searched and never patched with changes: a sync rebuilds it.

Documents hold our own tokens (:func:`tenderlens.search.text.index_text`), split on spaces and
stemmed by tantivy's Snowball English stemmer; queries are built from :class:`ParsedQuery`
term by term, never through tantivy's query parser. PostgreSQL keeps no text, only the
``document`` tsvector, whose lexemes are already Snowball-stemmed: its index is built from
the lexemes in position order (one field per tsvector weight) and queries are stemmed by
PostgreSQL itself, so both sides use the same stemmer.

On PostgreSQL the index also answers which notices match (:meth:`TextEngine.matching`). A phrase
cannot be answered by the GIN index alone: it rechecks every candidate's tsvector in the heap
(250 ms for a two-word phrase at 1M notices). So each document also has an ``all`` field holding
the tsvector's lexemes at exactly their positions (a filler token where a position holds none),
which is what a ``<->`` chain compares; a document whose tsvector puts two lexemes at one
position (past PostgreSQL's last position, 16,383) is marked, and checked by SQL instead.
"""

from __future__ import annotations

import hashlib
import re
import threading
import weakref
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import tantivy
from sqlalchemy import select, text

from tenderlens.search.columns import TERM_LEVELS, doc_column, head, terms_of
from tenderlens.search.request import NONE
from tenderlens.search.tables import search_index

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import NDArray
    from sqlalchemy import Connection, Engine

    from tenderlens.search.query import ParsedQuery, Term
    from tenderlens.search.request import SearchRequest

VERSION: Final = 4  # bump when the schema or the way documents are made changes: forces a rebuild
META: Final = 2**63  # the ``doc`` of the meta document (row ids are far below)
# FTS5 column weights (tenderlens.search.run.BM25) as boosts. PostgreSQL's tsvector keeps only
# the weight class of each word (tenderlens.search.index.TS_WEIGHTS): A title, B buyer,
# C description and lots, D items and other; those go to title, buyer, description and other.
BOOSTS: Final = {"title": 10.0, "description": 2.0, "lots": 2.0, "items": 1.0, "buyer": 5.0, "other": 1.0}
PG_FIELDS: Final = {"A": "title", "B": "buyer", "C": "description", "D": "other"}
HEAP: Final = 64_000_000  # writer memory
CHUNK: Final = 5_000  # rows per fetch while building
MAX_SYNC: Final = 50_000  # more logged changes than this: rebuild instead
MAX_SEARCH_REBUILD: Final = 50_000  # a search rebuilds a missing index of up to this many rows itself
# Facet values in the "facets" field, as ``name:value`` terms: the single-valued facets whole,
# the many-valued ones cut to their top level (a CPV division, an ITL1 region). Enough to
# narrow a filtered search inside tantivy to a superset of what the filters keep.
SINGLE_FACETS: Final = ("notice_type", "stage", "status", "source")  # request fields = column names
FILLER: Final = "_"  # a position of ``all`` with no lexeme: never a lexeme (tokens hold no "_")
UNCERTAIN: Final = "tl:uncertain"  # in "facets": ``all`` cannot mirror this tsvector's positions
MAX_UNCERTAIN: Final = 2_000  # more marked documents than this among the matches: let SQL match


def _analyzer(*, stem: bool) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in BOOSTS:
        builder.add_text_field(name, tokenizer_name="tl_words", index_option="position")
    builder.add_text_field("all", tokenizer_name="whitespace", index_option="position")  # PostgreSQL
    builder.add_text_field("facets", tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("doc", indexed=True, fast=True)
    builder.add_unsigned_field("seq", fast=True)
    builder.add_unsigned_field("version", fast=True)
    builder.add_bytes_field("store", stored=True)  # the meta document's store identity (0009)
    return builder.build()


def directory_for(engine: Engine) -> Path | None:
    """Where this store's index lives; None for an in-memory SQLite database (no index)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return None
        return Path(url.database).with_name(Path(url.database).name + ".search")
    from tenderlens.settings import default_data_dir  # noqa: PLC0415 - only PostgreSQL needs it

    schema = engine.dialect.default_schema_name or "public"
    key = f"{url.host}:{url.port}/{url.database}/{schema}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return default_data_dir() / "search-index" / f"{url.database}-{schema}-{digest}"


@dataclass(frozen=True, slots=True)
class Ranked:
    """Top hits of the text: row ids and scores, best first, and how many documents matched."""

    docs: NDArray[np.int64]
    scores: NDArray[np.float64]
    count: int


class TextEngine:
    """One store's tantivy index in one process: open, sync under a lock, search."""

    def __init__(self, directory: Path, dialect: str) -> None:
        self.directory = directory
        self.dialect = dialect
        self._lock = threading.Lock()
        self._index: tantivy.Index | None = None
        self._identity: str | None = None  # the store's, read once: it never changes
        self._schema = _schema()
        self._stem = _analyzer(stem=True)

    # -- opening -------------------------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        if self._index is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            index = tantivy.Index(self._schema, path=str(self.directory), reuse=True)
            index.register_tokenizer("tl_words", _analyzer(stem=self.dialect != "postgresql"))
            self._index = index
        return self._index

    def identity(self, conn: Connection) -> str:
        """The store's identity (migration 0009), read on first use and then kept."""
        if self._identity is None:
            self._identity = str(conn.execute(text("SELECT identity FROM store_identity")).scalar_one())
        return self._identity

    def _position(self, searcher: tantivy.Searcher) -> tuple[int, str, int] | None:
        """(version, store identity, seq) from the meta document of this searcher's commit, or None."""
        found = searcher.search(tantivy.Query.term_query(self._schema, "doc", META), 1, count=False).hits
        if not found:
            return None
        address = found[0][1]
        version = searcher.fast_field_values("version", [address])[0]
        seq = searcher.fast_field_values("seq", [address])[0]
        store = searcher.doc(address).get_first("store")
        if version is None or seq is None or not isinstance(store, bytes):
            return None
        return int(version), store.decode(), int(seq)

    def searcher_at(self, conn: Connection) -> tantivy.Searcher | None:
        """A searcher whose commit reflects the store and log head ``conn``'s transaction sees, or None."""
        return self._searcher_at(self.identity(conn), head(conn))

    def _searcher_at(self, identity: str, seq: int) -> tantivy.Searcher | None:
        try:
            index = self._open()
            index.reload()
            searcher = index.searcher()
        except (OSError, ValueError):
            return None
        return searcher if self._position(searcher) == (VERSION, identity, seq) else None

    # -- keeping up ----------------------------------------------------------------------------

    def ready(self, conn: Connection, *, wait: bool = False) -> tantivy.Searcher | None:
        """A searcher at the log head ``conn``'s transaction sees, syncing first if need be.

        None when the index is ahead of this transaction, or behind and the writer lock is
        held elsewhere (``wait=False``): the caller then ranks with SQL.
        """
        identity, position = self.identity(conn), head(conn)
        found = self._searcher_at(identity, position)
        if found is not None:
            return found
        if not self._lock.acquire(blocking=wait):
            return None
        try:
            found = self._searcher_at(identity, position)
            if found is None and self.sync(conn, position, rebuild=_small(conn)):
                found = self._searcher_at(identity, position)
            return found
        finally:
            self._lock.release()

    def sync(
        self,
        conn: Connection,
        position: int,
        progress: Callable[[int, int], None] | None = None,
        *,
        rebuild: bool = True,
    ) -> bool:
        """Bring the index to ``position`` (read in ``conn``'s transaction); False if it cannot now.

        ``rebuild=False``: only apply logged changes (a search must not spend minutes rebuilding).
        An index made from another store (another identity) is always rebuilt, never updated.
        """
        identity = self.identity(conn)
        try:
            index = self._open()
            index.reload()
            current = self._position(index.searcher())
        except (OSError, ValueError):
            current = None
            index = self._recreate()
        if current == (VERSION, identity, position):
            return True  # in step already: no writer, no commit
        ours = current is not None and current[:2] == (VERSION, identity)
        if ours and current is not None and current[2] > position:
            return False  # another process's newer state: never go back
        try:
            writer = index.writer(HEAP, 1)
        except ValueError:
            return False  # another writer holds the lock
        try:
            changed = None
            if ours and current is not None:
                changed = _changed_since(conn, current[2], position)
            if changed is None and not rebuild:
                writer.rollback()
                return False
            if changed is None:
                writer.delete_all_documents()
                self._add_rows(writer, conn, None, progress)
            elif changed:
                # By query, not delete_documents_by_term: that one makes an i64 term from a
                # Python int, which never matches this u64 field.
                stale = tantivy.Query.term_set_query(self._schema, "doc", changed)
                writer.delete_documents_by_query(stale)
                self._add_rows(writer, conn, changed, None)
            writer.delete_documents_by_query(tantivy.Query.term_query(self._schema, "doc", META))
            meta = tantivy.Document()
            meta.add_unsigned("doc", META)
            meta.add_unsigned("seq", position)
            meta.add_unsigned("version", VERSION)
            meta.add_bytes("store", identity.encode())
            writer.add_document(meta)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        return True

    def _recreate(self) -> tantivy.Index:
        """An empty index in place of an unreadable one (the index is derived: nothing is lost)."""
        import shutil  # noqa: PLC0415

        self._index = None
        shutil.rmtree(self.directory, ignore_errors=True)
        return self._open()

    def _add_rows(
        self,
        writer: tantivy.IndexWriter,
        conn: Connection,
        docs: Sequence[int] | None,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        total = None
        if progress is not None:
            total = int(conn.execute(text("SELECT count(*) FROM search_index")).scalar_one())
        done = 0
        for chunk in _rows(conn, docs):
            facets = _facet_terms(conn, [doc for doc, _ in chunk])
            for doc, fields in chunk:
                document = tantivy.Document()
                document.add_unsigned("doc", doc)
                for name, words in fields.items():
                    if words:
                        document.add_text(name, words)
                for term in facets.get(doc, ()):
                    document.add_text("facets", term)
                writer.add_document(document)
            done += len(chunk)
            if progress is not None and total is not None:
                progress(done, total)

    # -- searching -----------------------------------------------------------------------------

    def stemmed(self, conn: Connection, words: Sequence[str]) -> dict[str, str]:
        """Each query token as the index holds it (PostgreSQL's stemmer for a PostgreSQL store)."""
        unique = list(dict.fromkeys(words))
        if self.dialect != "postgresql":
            return {word: (self._stem.analyze(word) or [word])[0] for word in unique}
        rows = conn.execute(
            text(
                "SELECT w, coalesce((ts_lexize('tenderlens_english_stem', w))[1], w) "
                "FROM unnest(CAST(:words AS text[])) AS w"
            ),
            {"words": unique},
        )
        return {str(word): str(stem) for word, stem in rows}

    def query(self, conn: Connection, parsed: ParsedQuery) -> tantivy.Query:
        """The parsed query as tantivy queries: every group must match, no excluded term may."""
        stems = self.stemmed(conn, [token for term in _all_terms(parsed) for token in term.tokens])
        must = tantivy.Occur.Must
        clauses = [(must, self._any([self._term(term, stems) for term in group])) for group in parsed.groups]
        if not clauses:
            clauses.append((must, tantivy.Query.all_query()))
        clauses.extend((tantivy.Occur.MustNot, self._term(term, stems)) for term in parsed.excluded)
        clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_query(self._schema, "doc", META)))
        return tantivy.Query.boolean_query(clauses)

    def _any(self, queries: list[tantivy.Query]) -> tantivy.Query:
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, query) for query in queries])

    def _term(self, term: Term, stems: dict[str, str]) -> tantivy.Query:
        """One word or phrase in any field, each field's match boosted by its weight."""
        words: list[str | tuple[int, str]] = [stems[token] for token in term.tokens]
        fields = PG_FIELDS.values() if self.dialect == "postgresql" else BOOSTS
        found = []
        for name in fields:
            if len(words) == 1:
                one = tantivy.Query.term_query(self._schema, name, stems[term.tokens[0]])
            else:
                one = tantivy.Query.phrase_query(self._schema, name, words)
            found.append((tantivy.Occur.Should, tantivy.Query.boost_query(one, BOOSTS[name])))
        return tantivy.Query.boolean_query(found)

    def matching(
        self, conn: Connection, searcher: tantivy.Searcher, parsed: ParsedQuery
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
        """PostgreSQL: the row ids ``document @@ tsquery`` matches, from the ``all`` field.

        Returns the matches among the documents ``all`` mirrors, and the marked
        (:data:`UNCERTAIN`) documents, which the caller checks with SQL. None (the caller
        matches with SQL) for a query of exclusions only, a term whose tsquery is not a plain
        ``<->`` chain of lexemes, or too many marked documents.
        """
        if self.dialect != "postgresql" or not parsed.groups:
            return None
        chains = self._chains(conn, _all_terms(parsed))
        if chains is None:
            return None

        def one(term: Term) -> tantivy.Query:
            lexemes = chains[term.tokens]
            if len(lexemes) == 1:
                return tantivy.Query.term_query(self._schema, "all", lexemes[0])
            return tantivy.Query.phrase_query(self._schema, "all", list(lexemes))

        must, must_not = tantivy.Occur.Must, tantivy.Occur.MustNot
        clauses = [(must, self._any([one(term) for term in group])) for group in parsed.groups]
        clauses.extend((must_not, one(term)) for term in parsed.excluded)
        marked_query = tantivy.Query.term_query(self._schema, "facets", UNCERTAIN)
        marked = _every_doc(searcher, marked_query)
        if len(marked) > MAX_UNCERTAIN:
            return None
        clauses.append((must_not, marked_query))
        return _every_doc(searcher, tantivy.Query.boolean_query(clauses)), marked

    def _chains(
        self, conn: Connection, terms: Sequence[Term]
    ) -> dict[tuple[str, ...], tuple[str, ...]] | None:
        """Each term's lexemes as ``phraseto_tsquery`` chains them; None if any is not a chain."""
        unique = list(dict.fromkeys(" ".join(term.tokens) for term in terms))
        rows = conn.execute(
            text(
                "SELECT t, CAST(phraseto_tsquery('tenderlens_english', t) AS text) "
                "FROM unnest(CAST(:terms AS text[])) AS t"
            ),
            {"terms": unique},
        )
        made = {}
        for words, tsquery in rows:
            parts = str(tsquery).split(" <-> ")
            found = [_LEXEME.fullmatch(part) for part in parts]
            if not all(found):
                return None
            made[tuple(str(words).split(" "))] = tuple(match.group(1) for match in found if match)
        return made

    def top(self, searcher: tantivy.Searcher, query: tantivy.Query, limit: int) -> Ranked:
        """The best ``limit`` matches (row ids and scores), and how many matched in all."""
        result = searcher.search(query, max(1, limit), count=True)
        addresses = [address for _, address in result.hits]
        docs = np.array(searcher.fast_field_values("doc", addresses) if addresses else [], dtype=np.int64)
        scores = np.array([score for score, _ in result.hits], dtype=np.float64)
        return Ranked(docs, scores, int(getattr(result, "count", 0) or 0))

    def narrowed(self, request: SearchRequest, query: tantivy.Query) -> tantivy.Query | None:
        """``query`` limited to the notices with the request's facet values (at their top level).

        A superset of what the filters keep (the caller still checks each hit against them),
        scored as ``query`` alone; None when no filter can be put this way.
        """
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        wanted: dict[str, set[str]] = {}
        for name in SINGLE_FACETS:
            values = getattr(request, name)
            if values and NONE not in values:
                wanted[name] = set(values)
        for name, sizes in TERM_LEVELS.items():
            values = getattr(request, name)
            if values and all(len(value) >= sizes[0] for value in values):
                wanted[name] = {value[: sizes[0]] for value in values}
        for name, values in wanted.items():
            term = tantivy.Query.term_query
            terms = [term(self._schema, "facets", f"{name}:{value}") for value in sorted(values)]
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(self._any(terms), 0.0)))
        if not clauses:
            return None
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), *clauses])

    def within(self, schema_docs: Sequence[int], query: tantivy.Query) -> tantivy.Query:
        """``query`` limited to these row ids (for a small filtered set)."""
        only = tantivy.Query.term_set_query(self._schema, "doc", list(schema_docs))
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)])


_LEXEME: Final = re.compile(r"'([^'\\\s]+)'")  # one lexeme of a tsquery's text, unescaped


def _every_doc(searcher: tantivy.Searcher, query: tantivy.Query) -> NDArray[np.int64]:
    """The row ids of every document ``query`` matches (tantivy keeps them as the ``doc`` fast field)."""
    count = int(getattr(searcher.search(query, 1, count=True), "count", 0) or 0)
    if not count:
        return np.zeros(0, dtype=np.int64)
    hits = searcher.search(query, count, count=False, order_by_field="doc").hits
    return np.fromiter(map(itemgetter(0), hits), dtype=np.int64, count=len(hits))  # no Python loop


def _small(conn: Connection) -> bool:
    count = conn.execute(text("SELECT count(*) FROM search_index")).scalar_one()
    return int(count) <= MAX_SEARCH_REBUILD


def _all_terms(parsed: ParsedQuery) -> list[Term]:
    return [*(term for group in parsed.groups for term in group), *parsed.excluded]


def _changed_since(conn: Connection, applied: int, position: int) -> list[int] | None:
    """The row ids logged after ``applied`` up to ``position``; None if the log no longer reaches back."""
    if applied == position:
        return []
    oldest = conn.execute(text("SELECT min(seq) FROM search_changes")).scalar()
    if oldest is None or int(oldest) > applied + 1:
        return None
    rows = conn.execute(
        text("SELECT DISTINCT doc FROM search_changes WHERE seq > :applied AND seq <= :position"),
        {"applied": applied, "position": position},
    ).all()
    if len(rows) > MAX_SYNC:
        return None
    return sorted(int(doc) for (doc,) in rows)


_SQLITE_ROWS: Final = (
    "SELECT i.rowid, f.title, f.description, f.lots, f.items, f.buyer, f.other "
    "FROM search_index AS i JOIN search_fts AS f ON f.rowid = i.rowid"
)
_PG_ROWS: Final = (
    "SELECT i.doc, l.lexeme, l.positions, l.weights FROM search_index AS i, "
    "LATERAL unnest(i.document) AS l(lexeme, positions, weights)"
)


def _rows(conn: Connection, docs: Sequence[int] | None) -> Any:
    """Chunks of (row id, {field: space-separated words}) for these row ids (None: every row)."""
    if conn.dialect.name != "postgresql":
        sql = _SQLITE_ROWS + (  # noqa: S608 - constants only
            " WHERE i.rowid IN (SELECT value FROM json_each(:docs))" if docs is not None else ""
        )
        params: dict[str, Any] = {}
        if docs is not None:
            import json  # noqa: PLC0415

            params["docs"] = json.dumps(list(docs))
        # The size must be given: a text() statement's yield_per does not reach partitions(),
        # which then yields one row at a time (and the facet terms cost a query per row).
        result = conn.execute(text(sql).execution_options(yield_per=CHUNK), params)
        for chunk in result.partitions(CHUNK):
            yield [(int(row[0]), dict(zip(BOOSTS, row[1:], strict=True))) for row in chunk]
        return
    # PostgreSQL: one row per (notice, lexeme); put each notice's lexemes back in position order.
    where = " WHERE i.doc = ANY(:docs)" if docs is not None else ""
    sql = "SELECT i.doc FROM search_index AS i" + where  # noqa: S608 - constants only
    ids = [int(doc) for (doc,) in conn.execute(text(sql), {"docs": list(docs)} if docs is not None else {})]
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        found: dict[int, dict[str, list[tuple[int, str]]]] = {doc: {} for doc in part}
        rows = conn.execute(text(_PG_ROWS + " WHERE i.doc = ANY(:docs)"), {"docs": part})
        for doc, lexeme, positions, weights in rows:
            fields = found[int(doc)]
            for where, weight in zip(positions or [], weights or [], strict=True):
                fields.setdefault(PG_FIELDS[weight], []).append((int(where), str(lexeme)))
        yield [(doc, _pg_fields(fields)) for doc, fields in found.items()]


def _pg_fields(fields: dict[str, list[tuple[int, str]]]) -> dict[str, str]:
    """One notice's lexemes as tantivy text: each weight's in position order, and ``all``.

    ``all`` puts every lexeme at its tsvector position (token ``p - 1``), with :data:`FILLER`
    where the tsvector holds none, so a tantivy phrase matches where a ``<->`` chain does. When
    no text can do that (two lexemes at one position, or a lexeme that tantivy's whitespace
    tokenizer would split), the notice gets the :data:`UNCERTAIN` facet term instead.
    """
    made = {name: " ".join(word for _, word in sorted(pairs)) for name, pairs in fields.items()}
    placed: dict[int, str] = {}
    for pairs in fields.values():
        for where, word in pairs:
            if where in placed or where < 1 or word == FILLER or len(word.split()) != 1:
                made["facets"] = UNCERTAIN
                return made
            placed[where] = word
    if placed:
        made["all"] = " ".join(placed.get(where, FILLER) for where in range(1, max(placed) + 1))
    return made


def _facet_terms(conn: Connection, docs: Sequence[int]) -> dict[int, list[str]]:
    """Per row id, its ``name:value`` facet terms (see :data:`SINGLE_FACETS`)."""
    if not docs:
        return {}
    dialect = conn.dialect.name
    doc = doc_column(dialect)
    c = search_index.c
    found: dict[int, set[str]] = {}
    singles = select(doc, *(c[name] for name in SINGLE_FACETS)).where(doc.in_(list(docs)))
    for row in conn.execute(singles):
        pairs = zip(SINGLE_FACETS, row[1:], strict=True)
        found[int(row[0])] = {f"{name}:{value}" for name, value in pairs if value}
    for row_doc, facet, value in conn.execute(terms_of(dialect, list(docs))):
        found.setdefault(int(row_doc), set()).add(f"{facet}:{str(value)[: TERM_LEVELS[facet][0]]}")
    return {key: sorted(terms) for key, terms in found.items()}


_ENGINES: weakref.WeakKeyDictionary[Engine, TextEngine | None] = weakref.WeakKeyDictionary()
_ENGINES_LOCK = threading.Lock()


def text_engine_for(engine: Engine) -> TextEngine | None:
    """This process's text index for ``engine`` (None when the store has no place for one)."""
    with _ENGINES_LOCK:
        if engine not in _ENGINES:
            directory = directory_for(engine)
            _ENGINES[engine] = None if directory is None else TextEngine(directory, engine.dialect.name)
        return _ENGINES[engine]


def sync_engine(
    engine: Engine, progress: Callable[[int, int], None] | None = None, *, full: bool = False
) -> bool:
    """Bring the store's text index to the store's state (the end of ingest and ``search reindex``).

    Waits for the writer lock of this process; False when another process holds tantivy's.
    """
    found = text_engine_for(engine)
    if found is None:
        return False
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")  # noqa: PLW2901
        with found._lock:  # noqa: SLF001 - this module's own lock
            if full:
                found._recreate()  # noqa: SLF001
            return found.sync(conn, head(conn), progress)
