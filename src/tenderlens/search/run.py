"""Running a search: the text match per backend, filters, sorts, pages and facet counts.

The text match is FTS5 ``MATCH`` with bm25 ranking on SQLite and ``@@`` over the
``document`` tsvector with ``ts_rank`` on PostgreSQL. Both get the same tokens
(:mod:`tenderlens.search.text`) and the same boolean structure (:mod:`tenderlens.search.query`),
so they find the same records; only the ranking and the stemmer differ.

Facets are counted "disjunctively": each facet's counts apply every filter except its own,
so choosing a second value in the same facet shows how many it would add. Every query runs
under a time limit (:data:`TIME_LIMIT_SECONDS`); a search that hits it raises
:class:`SearchTimeoutError` instead of tying up the server.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    column,
    distinct,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.exc import OperationalError

from tenderlens.exceptions import TenderlensError
from tenderlens.search import facets as facet_labels
from tenderlens.search import frequent as frequent_words
from tenderlens.search.columns import columns_for, doc_column
from tenderlens.search.counts import (
    closing_candidates,
    combined,
    facet_counts,
    filter_masks,
    newest_candidates,
)
from tenderlens.search.engine import text_engine_for
from tenderlens.search.query import ParsedQuery, Term, fts5_excluded, fts5_match, parse_query
from tenderlens.search.request import CLOSING_PRESETS, NONE, VALUE_BANDS, SearchRequest
from tenderlens.search.tables import search_index, search_terms

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import tantivy
    from sqlalchemy import Connection, Engine, Select, TextClause

    from tenderlens.reference import Reference
    from tenderlens.search.columns import Snapshot
    from tenderlens.search.engine import TextEngine
    from tenderlens.search.facets import Facet

TIME_LIMIT_SECONDS: Final = 5.0
UK: Final = ZoneInfo("Europe/London")
TS_CONFIG: Final[ColumnElement[Any]] = literal_column("'tenderlens_english'::regconfig")
DOCUMENT: Final[ColumnElement[Any]] = literal_column("search_index.document")
ROWID: Final[ColumnElement[Any]] = literal_column("search_index.rowid")
FTS = table("search_fts", column("rowid"))
# bm25 weights in FTS5 column order: title, description, lots, items, buyer, other.
BM25: Final = "bm25(search_fts, 10.0, 2.0, 2.0, 1.0, 5.0, 1.0)"
HIT_COLUMNS = tuple(c for c in search_index.c)


class SearchTimeoutError(TenderlensError):
    """A search ran past the time limit (raised by :func:`run_search`; the web app answers 503)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: the ``search_index`` row (see :mod:`tenderlens.search.tables`)."""

    ocid: str
    source: str
    notice_type: str | None
    notice_type_name: str | None
    stage: str | None
    status: str | None
    status_words: str | None
    title: str | None
    excerpt: str | None
    buyer_key: str | None
    buyer_name: str | None
    sme: int | None
    vcse: int | None
    value_amount: float | None
    value_currency: str | None
    value_text: str | None
    published: str | None
    updated: str | None
    deadline: str | None
    future_notice: str | None
    contract_end: str | None
    award_date: str | None
    award_value: float | None
    published_raw: str | None
    deadline_raw: str | None
    future_notice_raw: str | None
    contract_end_raw: str | None


@dataclass(frozen=True, slots=True)
class SearchResult:
    request: SearchRequest
    query: ParsedQuery
    total: int
    hits: tuple[Hit, ...]
    facets: tuple[Facet, ...]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uk_midnight(day: Any) -> str:
    return utc_iso(datetime.combine(day, time(0), tzinfo=UK))


# -- the text match ---------------------------------------------------------------------------


def _tsquery_term(term: Term) -> Any:
    return func.phraseto_tsquery(TS_CONFIG, " ".join(term.tokens))


def _tsquery_any(terms: Sequence[Term]) -> Any:
    result = _tsquery_term(terms[0])
    for term in terms[1:]:
        result = func.tsquery_or(result, _tsquery_term(term))
    return result


def _tsquery(query: ParsedQuery) -> Any:
    """The tsquery as SQL functions over bound parameters: no user text is parsed as tsquery."""
    result = None
    for group in query.groups:
        any_of = _tsquery_any(group)
        result = any_of if result is None else func.tsquery_and(result, any_of)
    if query.excluded:
        left_out = func.tsquery_not(_tsquery_any(query.excluded))
        result = left_out if result is None else func.tsquery_and(result, left_out)
    return result


def _fts_rowids(expression: str) -> Select[Any]:
    return select(FTS.c.rowid).where(text("search_fts MATCH :fts").bindparams(fts=expression))


def _text_condition(query: ParsedQuery, dialect: str) -> ColumnElement[bool] | None:
    if query.is_empty:
        return None
    if dialect == "postgresql":
        return DOCUMENT.op("@@")(_tsquery(query))
    positive = fts5_match(query)
    if positive is not None:
        return ROWID.in_(_fts_rowids(positive))
    excluded = fts5_excluded(query)
    assert excluded is not None
    return ROWID.not_in(_fts_rowids(excluded))


# -- filters ------------------------------------------------------------------------------------


def _value_band() -> Any:
    amount = search_index.c.value_amount
    whens: list[tuple[Any, str]] = [(amount.is_(None), "none")]
    for key, (_, _low, high) in VALUE_BANDS.items():
        if key != "none":
            whens.append((amount < high, key) if high is not None else (amount >= 0, key))
    return case(*whens, else_="none")


def _single(column_: Any, values: Sequence[str]) -> ColumnElement[bool]:
    known = [value for value in values if value != NONE]
    parts: list[ColumnElement[bool]] = []
    if known:
        parts.append(column_.in_(known))
    if NONE in values:
        parts.append(column_.is_(None))
    return or_(*parts)


def _prefixes(facet: str, values: Sequence[str]) -> ColumnElement[bool]:
    """Records with a term of ``facet`` under any of the prefixes (validated: digits / ITL codes)."""
    matching = select(search_terms.c.ocid).where(
        search_terms.c.facet == facet,
        or_(*(func.substr(search_terms.c.value, 1, len(value)) == value for value in values)),
    )
    return search_index.c.ocid.in_(matching)


def _yes_no(column_: Any, value: str) -> ColumnElement[bool]:
    return column_ == (1 if value == "yes" else 0)  # type: ignore[no-any-return]


def _conditions(
    request: SearchRequest,
    query: ParsedQuery,
    now: datetime,
    dialect: str,
    skip: str | None = None,
    *,
    with_text: bool = True,
) -> list[ColumnElement[bool]]:
    """Every filter of the request as SQL, except the one named ``skip`` (for facet counts)."""
    found: list[ColumnElement[bool]] = []
    matched = _text_condition(query, dialect) if with_text else None
    if matched is not None:
        found.append(matched)
    c = search_index.c
    for name, column_ in (
        ("notice_type", c.notice_type),
        ("stage", c.stage),
        ("status", c.status),
        ("buyer", c.buyer_key),
        ("source", c.source),
    ):
        values = getattr(request, name)
        if values and name != skip:
            found.append(_single(column_, values))
    for name in ("cpv", "buyer_region", "delivery_region"):
        values = getattr(request, name)
        if values and name != skip:
            found.append(_prefixes(name, values))
    for name in ("sme", "vcse"):
        value = getattr(request, name)
        if value is not None and name != skip:
            found.append(_yes_no(getattr(c, name), value))
    if request.value and skip != "value":
        found.append(_value_band().in_(request.value))
    if request.published_from:
        found.append(c.published >= _uk_midnight(request.published_from))
    if request.published_to:
        found.append(c.published < _uk_midnight(request.published_to + timedelta(days=1)))
    if request.closing_within is not None and skip != "closing_within":
        found.append(c.deadline >= utc_iso(now))
        found.append(c.deadline <= utc_iso(now + timedelta(days=request.closing_within)))
    return found


# -- time limits ----------------------------------------------------------------------------


@contextlib.contextmanager
def time_limited(conn: Connection, seconds: float = TIME_LIMIT_SECONDS) -> Iterator[None]:
    """Abort any statement on ``conn`` that runs longer than ``seconds`` (SearchTimeoutError)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}"))
        try:
            yield
        except OperationalError as error:
            if "statement timeout" in str(error):
                raise SearchTimeoutError("the search took too long") from error
            raise
        return
    raw = conn.connection.driver_connection
    deadline = datetime.now(UTC) + timedelta(seconds=seconds)

    def stop() -> int:
        return int(datetime.now(UTC) > deadline)

    raw.set_progress_handler(stop, 10_000)  # type: ignore[union-attr]
    try:
        yield
    except OperationalError as error:
        if "interrupted" in str(error):
            raise SearchTimeoutError("the search took too long") from error
        raise
    finally:
        raw.set_progress_handler(None, 0)  # type: ignore[union-attr]


# -- results ------------------------------------------------------------------------------------


def _order(request: SearchRequest, query: ParsedQuery, now: datetime, dialect: str) -> tuple[list[Any], Any]:
    """(ORDER BY terms, the rank column or None)."""
    c = search_index.c
    newest = [c.published.desc().nulls_last(), c.ocid]
    if request.sort == "closing":
        upcoming = case((c.deadline >= utc_iso(now), 0), else_=1)
        return [upcoming, c.deadline.asc().nulls_last(), *newest], None
    if request.sort == "value":
        return [c.value_amount.desc().nulls_last(), *newest], None
    if request.sort == "relevance" and query.groups:
        if dialect == "postgresql":
            rank = func.ts_rank(DOCUMENT, _tsquery(query)).label("rank")
            return [rank.desc(), *newest], rank
        rank = literal_column(BM25).label("rank")
        return [rank.asc(), *newest], rank
    return newest, None


def _hits_query(
    request: SearchRequest,
    query: ParsedQuery,
    now: datetime,
    dialect: str,
    within: list[int] | None = None,
) -> Select[Any]:
    """The results in order; ``within``: the row ids known to pass every filter but the text."""
    order, rank = _order(request, query, now, dialect)
    conditions: list[ColumnElement[bool] | TextClause]
    if within is not None:
        conditions = [_among(dialect, within, after_match=rank is not None)]
    else:
        conditions = list(_conditions(request, query, now, dialect, with_text=False))
    text_match = _text_condition(query, dialect)
    if rank is not None and dialect != "postgresql":
        # bm25() needs the FTS5 table joined and matched in the same SELECT.
        stmt = (
            select(*HIT_COLUMNS, rank)
            .select_from(search_index.join(FTS, FTS.c.rowid == ROWID))
            .where(text("search_fts MATCH :fts_rank").bindparams(fts_rank=fts5_match(query)), *conditions)
        )
    elif rank is not None:
        stmt = select(*HIT_COLUMNS, rank).where(
            *([text_match] if text_match is not None else []), *conditions
        )
    elif within is not None:
        stmt = select(*HIT_COLUMNS).where(*conditions)
    else:
        stmt = select(*HIT_COLUMNS).where(*([text_match] if text_match is not None else []), *conditions)
    return stmt.order_by(*order)


def _among(dialect: str, ids: list[int], *, after_match: bool = False) -> TextClause:
    """The row id is one of ``ids``: one bound parameter however many (a JSON array / an array).

    ``after_match``: a check on the FTS5 ``MATCH`` rows, not the way in. SQLite would otherwise
    walk the ids and probe FTS5 for each (30 s instead of 70 ms for 14k ids at 100k notices);
    ``rowid + 0`` keeps the constraint away from the planner.
    """
    if dialect == "postgresql":
        return text("search_index.doc = ANY(:within)").bindparams(within=ids)
    rowid = "(search_index.rowid + 0)" if after_match else "search_index.rowid"
    within = text(f"{rowid} IN (SELECT value FROM json_each(:within))")  # noqa: S608 - constants only
    return within.bindparams(within=json.dumps(ids))


def hit_from_row(row: Any) -> Hit:
    return Hit(**{c.name: row._mapping[c.name] for c in HIT_COLUMNS})  # noqa: SLF001 - SQLAlchemy's API


def run_search(
    engine: Engine,
    request: SearchRequest,
    now: datetime,
    reference: Reference | None = None,
    *,
    with_facets: bool = True,
    in_memory: bool = True,
) -> SearchResult:
    """One page of results (and the facet counts) for a validated request.

    Counts and facets come from the in-memory facet columns (:mod:`tenderlens.search.columns`)
    when they are at the state this search's transaction sees; otherwise (or with
    ``in_memory=False``) from SQL alone. Both give the same answer.
    """
    query = parse_query(request.q)
    dialect = engine.dialect.name
    with engine.connect() as conn:
        if dialect == "postgresql":
            # One snapshot for the change-log head, the text match and the rows.
            conn = conn.execution_options(isolation_level="REPEATABLE READ")  # noqa: PLW2901
        # Outside the time limit: the first search of a process loads the columns (seconds at 1M).
        snapshot = columns_for(engine).at(conn) if in_memory else None
        ranker = None
        # Relevance order from the text index; on PostgreSQL, in any order, the match set too.
        if snapshot is not None and query.groups and (request.sort == "relevance" or dialect == "postgresql"):
            text_engine = text_engine_for(engine)
            searcher = text_engine.ready(conn) if text_engine is not None else None
            ranker = (text_engine, searcher) if text_engine is not None and searcher is not None else None
        with time_limited(conn):
            if snapshot is not None:
                return _search_in_memory(
                    conn,
                    snapshot,
                    request,
                    query,
                    now,
                    reference=reference,
                    with_facets=with_facets,
                    ranker=ranker if request.sort == "relevance" else None,
                    matcher=ranker,
                )
            total = int(
                conn.execute(
                    select(func.count())
                    .select_from(search_index)
                    .where(*_conditions(request, query, now, dialect))
                ).scalar_one()
            )
            stmt = _hits_query(request, query, now, dialect)
            stmt = stmt.limit(request.per_page).offset((request.page - 1) * request.per_page)
            hits = tuple(hit_from_row(row) for row in conn.execute(stmt))
            facets = _facets(conn, request, query, now, reference) if with_facets else ()
    return SearchResult(request=request, query=query, total=total, hits=hits, facets=facets)


MAX_CANDIDATES: Final = 5_000  # more rows than this for one page: let SQL order them
RANK_SPARE: Final = 50  # rows ranked beyond the page, for ties at its edge and stale FTS rows
MAX_WITHIN: Final = 200_000  # filtered matches handed to SQL as ids, at most


def _text_ids(conn: Connection, query: ParsedQuery) -> Any:
    """The row ids the full-text index matches (for a query of exclusions only: the excluded ones).

    As one comma-separated text built by the database: fetching a row per match costs more
    than the match itself once there are tens of thousands.
    """
    if conn.dialect.name == "postgresql":
        stmt: Select[Any] = (
            select(func.string_agg(literal_column("search_index.doc::text"), literal_column("','")))
            .select_from(search_index)
            .where(DOCUMENT.op("@@")(_tsquery(query)))
        )
        joined = conn.execute(stmt).scalar()
    else:
        expression = fts5_match(query) or fts5_excluded(query)
        found = conn.exec_driver_sql(
            "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH ?", (expression,)
        )
        joined = found.scalar()
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


def _engine_text_ids(
    conn: Connection, matcher: tuple[TextEngine, tantivy.Searcher], query: ParsedQuery
) -> Any | None:
    """PostgreSQL: :func:`_text_ids` from the text index, or None (then ask SQL).

    The same set: the index mirrors each tsvector's positions, and the few documents it
    cannot mirror are matched here by SQL.
    """
    text_engine, searcher = matcher
    found = text_engine.matching(conn, searcher, query)
    if found is None:
        return None
    certain, marked = found
    if not len(marked):
        return certain
    checked = conn.execute(
        select(doc_column("postgresql"))
        .select_from(search_index)
        .where(text("search_index.doc = ANY(:marked)").bindparams(marked=marked.tolist()))
        .where(DOCUMENT.op("@@")(_tsquery(query)))
    ).scalars()
    return np.concatenate([certain, np.fromiter(checked, dtype=np.int64)])


def _best_by_bm25(  # noqa: PLR0917 - one step of _search_in_memory
    conn: Connection, snapshot: Snapshot, query: ParsedQuery, matched: Any, wanted: int, filtered: bool
) -> list[Hit] | None:
    """The ``wanted`` best matches by bm25, as the SQL ``ORDER BY`` ranks them, or None.

    bm25 is worked out in the FTS5 table alone (no join to ``search_index`` per match, which
    costs as much again), for the best ``wanted`` plus some spare; then only those rows are
    read and put in the SQL order (score, newest, ocid) in Python. None (the caller runs the
    plain SQL) when ties at the edge, or rows the index no longer holds, use up the spare.
    """
    fetch = wanted + RANK_SPARE
    sql = f"SELECT rowid, {BM25} FROM search_fts WHERE search_fts MATCH ?"  # noqa: S608 - constants only
    params: list[Any] = [fts5_match(query)]
    if filtered:
        sql += " AND (rowid + 0) IN (SELECT value FROM json_each(?))"  # see _among
        params.append(json.dumps(snapshot.doc[matched].tolist()))
    rows = conn.exec_driver_sql(f"{sql} ORDER BY 2 LIMIT ?", (*params, fetch)).all()
    truncated = len(rows) == fetch
    scores = {
        int(rowid): float(score)
        for rowid, score in rows
        if 0 <= rowid < len(snapshot.where) and snapshot.where[rowid] >= 0 and matched[snapshot.where[rowid]]
    }
    ordered = sorted(scores.values())
    if len(ordered) > wanted:
        edge = ordered[wanted - 1]
        if truncated and ordered[-1] == edge:
            return None
        keep = [rowid for rowid, score in scores.items() if score <= edge]
    elif truncated:
        return None
    else:
        keep = list(scores)
    read = conn.execute(select(*HIT_COLUMNS, ROWID.label("doc")).where(_among("sqlite", keep)))
    found = [(hit_from_row(row), scores[row.doc]) for row in read]
    found.sort(key=lambda pair: pair[0].ocid)
    found.sort(key=lambda pair: pair[0].published or "", reverse=True)
    found.sort(key=lambda pair: pair[0].published is None)
    found.sort(key=lambda pair: pair[1])
    return [hit for hit, _ in found[:wanted]]


SMALL_FILTERED: Final = 20_000  # filtered matches few enough to hand tantivy as a set of row ids
MAX_TOP: Final = 100_000  # tantivy hits to read before handing the ranking back to SQL


def _best_by_engine(  # noqa: PLR0917 - one step of _search_in_memory
    conn: Connection,
    ranker: tuple[TextEngine, tantivy.Searcher],
    snapshot: Snapshot,
    request: SearchRequest,
    query: ParsedQuery,
    matched: Any,
    text_matches: int,
    wanted: int,
) -> list[Hit] | None:
    """The ``wanted`` best matches by tantivy's score (then newest, then ocid), or None.

    Top-k over the text alone, oversampled by how much the filters keep (``matched`` against
    ``text_matches``) and widened until enough hits pass the filters; a small filtered set is
    given to tantivy as row ids instead. None (the caller ranks with SQL) when the hits run
    out before the page is full (the two indexes disagree) or ties need more than MAX_TOP.
    """
    text_engine, searcher = ranker
    total = int(matched.sum())
    fetch = wanted + RANK_SPARE
    tantivy_query = text_engine.query(conn, query)
    narrowed = text_engine.narrowed(request, tantivy_query) if total < text_matches else None
    if narrowed is not None:
        tantivy_query = narrowed  # its matches: about as many as pass the filters
        limit = fetch * 2
    elif total < text_matches and total <= SMALL_FILTERED:
        tantivy_query = text_engine.within(snapshot.doc[matched].tolist(), tantivy_query)
        limit = fetch
    else:
        limit = min(MAX_TOP, int(fetch * text_matches / max(1, total) * 1.5) + fetch)
    while True:
        top = text_engine.top(searcher, tantivy_query, limit)
        truncated = top.count > len(top.docs)
        inside = (top.docs >= 0) & (top.docs < len(snapshot.where))
        positions = np.full(len(top.docs), -1, dtype=np.int64)
        positions[inside] = snapshot.where[top.docs[inside]]
        keep = positions >= 0
        keep[keep] = matched[positions[keep]]
        docs, scores = top.docs[keep], top.scores[keep]
        if len(docs) >= wanted:
            edge = scores[wanted - 1]
            if not truncated or top.scores[-1] < edge:
                chosen = scores >= edge
                docs, scores = docs[chosen], scores[chosen]
                break
        elif not truncated:
            if len(docs) < min(wanted, total):
                return None
            break
        if limit >= MAX_TOP:
            return None
        passing = max(1, len(docs)) / max(1, len(top.docs))  # how many hits pass the filters
        limit = min(MAX_TOP, max(limit * 4, int(fetch / passing * 1.5)))
    score_of = dict(zip(docs.tolist(), scores.tolist(), strict=True))
    dialect = conn.dialect.name
    read = conn.execute(
        select(*HIT_COLUMNS, doc_column(dialect).label("doc")).where(_among(dialect, list(score_of)))
    )
    found = [(hit_from_row(row), score_of[row.doc]) for row in read]
    found.sort(key=lambda pair: pair[0].ocid)
    found.sort(key=lambda pair: pair[0].published or "", reverse=True)
    found.sort(key=lambda pair: pair[0].published is None)
    found.sort(key=lambda pair: pair[1], reverse=True)
    return [hit for hit, _ in found[:wanted]]


def _search_in_memory(
    conn: Connection,
    snapshot: Snapshot,
    request: SearchRequest,
    query: ParsedQuery,
    now: datetime,
    *,
    reference: Reference | None,
    with_facets: bool,
    ranker: tuple[TextEngine, tantivy.Searcher] | None = None,
    matcher: tuple[TextEngine, tantivy.Searcher] | None = None,
) -> SearchResult:
    dialect = conn.dialect.name
    common = None
    if snapshot.frequent is not None:
        common = frequent_words.text_mask(snapshot.frequent, query, snapshot.alive, conn)
    if query.is_empty:
        base = snapshot.alive
    elif common is not None:
        base = common
    elif dialect != "postgresql" and not query.groups:
        base = snapshot.alive & ~snapshot.mask_of(_text_ids(conn, query))
    else:
        ids = _engine_text_ids(conn, matcher, query) if matcher is not None else None
        base = snapshot.mask_of(_text_ids(conn, query) if ids is None else ids)
    masks = filter_masks(snapshot, request, now)
    matched = combined(base, masks)
    total = int(matched.sum())
    offset = (request.page - 1) * request.per_page
    newest = request.sort == "newest" or (request.sort == "relevance" and not query.groups)
    candidates = None
    if newest:
        candidates = newest_candidates(snapshot, matched, offset + request.per_page)
    elif request.sort == "closing":
        candidates = closing_candidates(snapshot, matched, offset + request.per_page, now)
    ranked = None
    if ranker is not None and total:
        ranked = _best_by_engine(
            conn, ranker, snapshot, request, query, matched, int(base.sum()), offset + request.per_page
        )
    if ranked is None and request.sort == "relevance" and query.groups and dialect == "sqlite" and total:
        ranked = _best_by_bm25(
            conn, snapshot, query, matched, offset + request.per_page, filtered=bool(masks)
        )
    if ranked is not None:
        return SearchResult(
            request=request,
            query=query,
            total=total,
            hits=tuple(ranked[offset:]),
            facets=facet_counts(snapshot, request, now, base, masks, reference=reference)
            if with_facets
            else (),
        )
    if candidates is not None and len(candidates) <= MAX_CANDIDATES:
        order, _ = _order(request, query, now, dialect)
        stmt = select(*HIT_COLUMNS).where(_among(dialect, candidates.tolist())).order_by(*order)
    elif masks and total <= MAX_WITHIN:
        # The filters are answered already: hand SQL the matching ids instead of the filters.
        stmt = _hits_query(request, query, now, dialect, within=snapshot.doc[matched].tolist())
    else:
        stmt = _hits_query(request, query, now, dialect)
    hits = tuple(hit_from_row(row) for row in conn.execute(stmt.limit(request.per_page).offset(offset)))
    facets = facet_counts(snapshot, request, now, base, masks, reference=reference) if with_facets else ()
    return SearchResult(request=request, query=query, total=total, hits=hits, facets=facets)


def iter_hits(engine: Engine, request: SearchRequest, now: datetime, limit: int) -> Iterator[Hit]:
    """Up to ``limit`` results in the request's order, ignoring its page (for exports and feeds)."""
    query = parse_query(request.q)
    dialect = engine.dialect.name
    with engine.connect() as conn, time_limited(conn, TIME_LIMIT_SECONDS * 2):
        stmt = _hits_query(request, query, now, dialect).limit(limit)
        rows = list(conn.execute(stmt))
    for row in rows:
        yield hit_from_row(row)


# -- facets ---------------------------------------------------------------------------------------


def _matching(request: SearchRequest, query: ParsedQuery, now: datetime, dialect: str, skip: str) -> Any:
    return select(search_index.c.ocid).where(*_conditions(request, query, now, dialect, skip))


def _facets(
    conn: Connection, request: SearchRequest, query: ParsedQuery, now: datetime, reference: Reference | None
) -> tuple[Facet, ...]:
    dialect = conn.dialect.name
    c = search_index.c

    def grouped(name: str, key: Any, label: Any = None) -> list[tuple[str, str | None, int]]:
        columns = [key, func.max(label) if label is not None else key, func.count()]
        stmt = select(*columns).where(*_conditions(request, query, now, dialect, name)).group_by(key)
        rows = conn.execute(stmt)
        return [(NONE if value is None else str(value), shown, int(n)) for value, shown, n in rows]

    def terms(name: str, levels: tuple[int, ...], *, skip_group_zero: bool) -> list[facet_labels.TermCount]:
        """Counts for the top level, and for the levels under each selected prefix."""
        matching = _matching(request, query, now, dialect, name)
        selected = getattr(request, name)
        found: list[facet_labels.TermCount] = []
        for depth, size in enumerate(levels, start=1):
            parents = None
            if depth > 1:
                parents = {v[: levels[depth - 2]] for v in selected if len(v) >= levels[depth - 2]}
                if not parents:
                    break
            prefix = func.substr(search_terms.c.value, 1, size)
            where: list[Any] = [
                search_terms.c.facet == name,
                search_terms.c.ocid.in_(matching),
                func.length(search_terms.c.value) >= size,
            ]
            if parents:
                parent = func.substr(search_terms.c.value, 1, levels[depth - 2])
                where.append(parent.in_(sorted(parents)))
            if skip_group_zero and depth == 2:
                where.append(func.substr(search_terms.c.value, size, 1) != "0")
            label = func.max(search_terms.c.label) if depth == len(levels) else literal_column("NULL")
            count = func.count(distinct(search_terms.c.ocid))
            stmt = select(prefix, count, label).where(*where).group_by(prefix)
            found.extend(
                facet_labels.TermCount(str(value), int(n), depth, shown)
                for value, n, shown in conn.execute(stmt)
            )
        return found

    out: list[Facet] = []
    out.append(facet_labels.notice_type(grouped("notice_type", c.notice_type, c.notice_type_name), request))
    out.append(facet_labels.stage(grouped("stage", c.stage), request))
    out.append(facet_labels.status(grouped("status", c.status, c.status_words), request))
    out.append(facet_labels.cpv(terms("cpv", (2, 3, 8), skip_group_zero=True), request, reference))
    buyers = sorted(grouped("buyer", c.buyer_key, c.buyer_name), key=facet_labels.buyer_order)
    out.append(facet_labels.buyer(buyers, request))
    for name, title in (("buyer_region", "Buyer region"), ("delivery_region", "Delivery region")):
        counts = terms(name, (3, 4, 5), skip_group_zero=False)
        out.append(facet_labels.region(name, title, counts, request))
    out.append(facet_labels.yes_no("sme", "Suitable for SMEs", grouped("sme", c.sme), request))
    out.append(facet_labels.yes_no("vcse", "Suitable for VCSEs", grouped("vcse", c.vcse), request))
    band = _value_band()
    out.append(facet_labels.value(grouped("value", band), request))
    out.append(facet_labels.closing(_closing_counts(conn, request, query, now), request))
    out.append(facet_labels.source(grouped("source", c.source), request))
    return tuple(facet for facet in out if facet.values)


def _closing_counts(
    conn: Connection, request: SearchRequest, query: ParsedQuery, now: datetime
) -> list[tuple[int, int]]:
    c = search_index.c
    start = utc_iso(now)
    sums = [
        func.sum(
            case((and_(c.deadline >= start, c.deadline <= utc_iso(now + timedelta(days=days))), 1), else_=0)
        )
        for days in CLOSING_PRESETS
    ]
    conditions = _conditions(request, query, now, conn.dialect.name, "closing_within")
    row = conn.execute(select(*sums).where(*conditions)).one()
    return [(days, int(n or 0)) for days, n in zip(CLOSING_PRESETS, row, strict=True)]
