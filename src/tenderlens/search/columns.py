"""Facet counts in memory: the index's facet columns as numpy arrays, kept in step with the store.

Counting eleven facets "disjunctively" costs one GROUP BY per facet over the whole match set
in SQL (seconds at 1M notices). Here each single-valued facet is an array of small integer
codes, one per notice, and each many-valued facet (CPV, regions) is a list of (notice, code)
pairs with, for every level of its hierarchy, the prefix code and a flag marking the first
pair of each (notice, prefix). A search becomes boolean masks (one per filter, one for the
text match, whose ids the database's full-text index returns) and one ``bincount`` per facet.

The arrays are a cache of ``search_index`` / ``search_terms``, never the truth. Migration 0005
logs every written or deleted ``search_index`` row in ``search_changes`` (triggers, in the
write transaction), so a snapshot knows the log position it reflects. Each search reads the
log's head inside its own read transaction and uses a snapshot only when it is at exactly that
position: it applies the logged changes first (or reloads everything if it fell behind the
pruned log), and if it cannot, the caller falls back to SQL. So a search never sees a state
the store was not in, in any number of processes, after any crash.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field, replace
from datetime import UTC
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from sqlalchemy import column, func, literal_column, select, table

from tenderlens.search.request import VALUE_BANDS
from tenderlens.search.tables import search_index, search_terms

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from numpy.typing import NDArray
    from sqlalchemy import ColumnElement, Connection, Engine

    Mask = NDArray[np.bool_]

SINGLE: Final = ("notice_type", "stage", "status", "buyer", "source")
SINGLE_COLUMNS: Final = {
    "notice_type": ("notice_type", "notice_type_name"),
    "stage": ("stage", None),
    "status": ("status", "status_words"),
    "buyer": ("buyer_key", "buyer_name"),
    "source": ("source", None),
}
TERM_LEVELS: Final[dict[str, tuple[int, ...]]] = {
    "cpv": (2, 3, 8),
    "buyer_region": (3, 4, 5),
    "delivery_region": (3, 4, 5),
}
BANDS: Final = tuple(VALUE_BANDS)  # band codes are positions in this tuple
MAX_DELTA: Final = 50_000  # more logged changes than this: reload instead of patching
NULL_TIME: Final = np.iinfo(np.int64).min
CHANGES = table("search_changes", column("seq"), column("doc"))


def doc_column(dialect: str) -> ColumnElement[Any]:
    """The integer id of a ``search_index`` row: SQLite's rowid, PostgreSQL's ``doc`` (0005)."""
    return literal_column("search_index.rowid" if dialect == "sqlite" else "search_index.doc")


def epoch_seconds(values: Sequence[str | None]) -> NDArray[np.int64]:
    """UTC ISO instants (``2026-06-08T22:59:59Z``) as seconds, NULL_TIME for None.

    Raises ValueError for any other shape, because only that shape compares as text the way
    seconds compare (the SQL filters compare text).
    """
    out = np.full(len(values), NULL_TIME, dtype=np.int64)
    known = [i for i, value in enumerate(values) if value is not None]
    if known:
        texts = [value for value in values if value is not None]
        if any(len(value) != 20 or value[-1] != "Z" or value[10] != "T" for value in texts):
            msg = "an instant not in the index's UTC text form"
            raise ValueError(msg)
        stamps = np.array([value[:19] for value in texts], dtype="datetime64[s]")
        out[known] = stamps.astype(np.int64)
    return out


def instant(value: str) -> int:
    """One UTC ISO instant as seconds (the bounds the filters compare with)."""
    return int(epoch_seconds([value])[0])


def value_band(amounts: NDArray[np.float64]) -> NDArray[np.int8]:
    """The VALUE_BANDS code of each amount, as the SQL ``CASE`` in run.py decides it (NaN is NULL)."""
    out = np.full(len(amounts), BANDS.index("none"), dtype=np.int8)
    decided = np.isnan(amounts)
    for key, (_, _low, high) in VALUE_BANDS.items():
        if key == "none":
            continue
        hit = ~decided & ((amounts < high) if high is not None else (amounts >= 0))
        out[hit] = BANDS.index(key)
        decided |= hit
    return out


@dataclass(slots=True)
class Vocabulary:
    """Facet values ↔ codes (code 0 is NULL) and, per value, the greatest label seen (as SQL max)."""

    values: list[str | None] = field(default_factory=lambda: [None])
    codes: dict[str | None, int] = field(default_factory=lambda: {None: 0})
    labels: list[str | None] = field(default_factory=lambda: [None])

    def code(self, value: str | None, label: str | None = None) -> int:
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.values)
            self.values.append(value)
            self.labels.append(label)
        elif label is not None and (self.labels[found] is None or label > self.labels[found]):  # type: ignore[operator]
            self.labels[found] = label
        return found

    def copy(self) -> Vocabulary:
        return Vocabulary(list(self.values), dict(self.codes), list(self.labels))


@dataclass(slots=True)
class Level:
    """One level of a many-valued facet: per pair, the prefix code (-1: too short) and a first flag."""

    size: int
    prefixes: Vocabulary
    code: NDArray[np.int32]
    first: Mask  # the first live pair of its (notice, prefix): counting these counts notices


@dataclass(slots=True)
class Terms:
    """A many-valued facet as (position, value code) pairs; dead pairs belong to rewritten notices."""

    values: Vocabulary
    position: NDArray[np.int32]
    value: NDArray[np.int32]
    alive: Mask
    levels: tuple[Level, ...]


@dataclass(slots=True)
class Snapshot:
    """The facet columns at one position of ``search_changes`` (``seq``)."""

    seq: int
    doc: NDArray[np.int64]  # the row id at each position
    where: NDArray[np.int32]  # row id → position (-1: none)
    alive: Mask
    single: dict[str, NDArray[np.int32]]
    vocab: dict[str, Vocabulary]
    sme: NDArray[np.int8]  # the stored value, -1 for NULL
    vcse: NDArray[np.int8]
    band: NDArray[np.int8]
    published: NDArray[np.int64]
    deadline: NDArray[np.int64]
    terms: dict[str, Terms]

    @property
    def size(self) -> int:
        return int(self.alive.sum())

    def positions(self, docs: NDArray[np.int64]) -> NDArray[np.int32]:
        """Positions of these row ids (ids the snapshot does not hold are dropped)."""
        inside = docs[(docs >= 0) & (docs < len(self.where))]
        found = self.where[inside]
        return found[found >= 0]

    def mask_of(self, docs: NDArray[np.int64]) -> Mask:
        mask = np.zeros(len(self.doc), dtype=np.bool_)
        mask[self.positions(docs)] = True
        return mask & self.alive


# -- loading -------------------------------------------------------------------------------------

ROW_COLUMNS: Final = (
    "notice_type",
    "notice_type_name",
    "stage",
    "status",
    "status_words",
    "buyer_key",
    "buyer_name",
    "source",
    "sme",
    "vcse",
    "value_amount",
    "published",
    "deadline",
)


def _rows_query(dialect: str, docs: Sequence[int] | None = None) -> Any:
    c = search_index.c
    doc = doc_column(dialect).label("doc")
    stmt = select(doc, *(c[name] for name in ROW_COLUMNS))
    if docs is not None:
        stmt = stmt.where(doc_column(dialect).in_(docs))
    return stmt


def _terms_query(dialect: str, docs: Sequence[int] | None = None) -> Any:
    doc = doc_column(dialect)
    t = search_terms.c
    stmt = (
        select(doc.label("doc"), t.facet, t.value, t.label)
        .select_from(search_terms.join(search_index, search_index.c.ocid == t.ocid))
        .where(t.facet.in_(tuple(TERM_LEVELS)))
    )
    if docs is not None:
        stmt = stmt.where(doc.in_(docs))
    return stmt


def head(conn: Connection) -> int:
    """The last logged change (0 for none yet)."""
    return int(conn.execute(select(func.coalesce(func.max(CHANGES.c.seq), 0))).scalar_one())


def _level_codes(values: Vocabulary, size: int, prefixes: Vocabulary) -> NDArray[np.int32]:
    """For each value code, its prefix code at ``size`` (-1 if the value is shorter)."""
    out = np.full(len(values.values), -1, dtype=np.int32)
    for code, value in enumerate(values.values):
        if value is not None and len(value) >= size:
            out[code] = prefixes.code(value[:size])
    return out


def _first_flags(position: NDArray[np.int32], prefix: NDArray[np.int32], alive: Mask) -> Mask:
    """True on the first live pair of each (position, prefix) with a prefix."""
    first = np.zeros(len(position), dtype=np.bool_)
    usable = np.flatnonzero(alive & (prefix >= 0))
    if len(usable):
        keys = position[usable].astype(np.int64) * (int(prefix.max()) + 1) + prefix[usable]
        _, index = np.unique(keys, return_index=True)
        first[usable[index]] = True
    return first


def _terms(
    values: Vocabulary,
    position: NDArray[np.int32],
    value: NDArray[np.int32],
    alive: Mask,
    sizes: tuple[int, ...],
) -> Terms:
    levels = []
    for size in sizes:
        prefixes = Vocabulary()
        by_value = _level_codes(values, size, prefixes)
        code = by_value[value] if len(value) else np.zeros(0, dtype=np.int32)
        levels.append(Level(size, prefixes, code, _first_flags(position, code, alive)))
    return Terms(values, position, value, alive, tuple(levels))


def load(conn: Connection) -> Snapshot:
    """Every row of the index, at the log position read in the same transaction."""
    dialect = conn.dialect.name
    seq = head(conn)
    rows = conn.execute(_rows_query(dialect)).all()
    term_rows = conn.execute(_terms_query(dialect)).all()
    return _build(seq, rows, term_rows)


def _build(seq: int, rows: Sequence[Any], term_rows: Sequence[Any]) -> Snapshot:
    count = len(rows)
    doc = np.fromiter((row[0] for row in rows), dtype=np.int64, count=count)
    where = np.full(int(doc.max()) + 1 if count else 0, -1, dtype=np.int32)
    where[doc] = np.arange(count, dtype=np.int32)
    vocab = {name: Vocabulary() for name in SINGLE}
    single = {}
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(ROW_COLUMNS) + 1)]
    named = dict(zip(("doc", *ROW_COLUMNS), columns, strict=True))
    for name, (value_column, label_column) in SINGLE_COLUMNS.items():
        labels = named[label_column] if label_column else [None] * count
        words = vocab[name]
        single[name] = np.fromiter(
            (words.code(value, label) for value, label in zip(named[value_column], labels, strict=True)),
            dtype=np.int32,
            count=count,
        )
    amounts = np.array([np.nan if v is None else v for v in named["value_amount"]], dtype=np.float64)
    terms = _load_terms(term_rows, where, TERM_LEVELS)
    return Snapshot(
        seq=seq,
        doc=doc,
        where=where,
        alive=np.ones(count, dtype=np.bool_),
        single=single,
        vocab=vocab,
        sme=_yes_no(named["sme"]),
        vcse=_yes_no(named["vcse"]),
        band=value_band(amounts),
        published=epoch_seconds(named["published"]),
        deadline=epoch_seconds(named["deadline"]),
        terms=terms,
    )


def _yes_no(values: Iterable[int | None]) -> NDArray[np.int8]:
    return np.array([-1 if v is None else int(v) for v in values], dtype=np.int8)


def _load_terms(
    term_rows: Sequence[Any],
    where: NDArray[np.int32],
    levels: dict[str, tuple[int, ...]],
    base: dict[str, Terms] | None = None,
) -> dict[str, Terms]:
    out = {}
    for name, sizes in levels.items():
        values = base[name].values.copy() if base else Vocabulary()
        picked = [(doc, values.code(value, label)) for doc, facet, value, label in term_rows if facet == name]
        docs = np.fromiter((doc for doc, _ in picked), dtype=np.int64, count=len(picked))
        position = where[docs] if len(docs) else np.zeros(0, dtype=np.int32)
        value = np.fromiter((code for _, code in picked), dtype=np.int32, count=len(picked))
        if base:
            old = base[name]
            position = np.concatenate([old.position, position])
            value = np.concatenate([old.value, value])
            alive = np.concatenate([old.alive, np.ones(len(picked), dtype=np.bool_)])
        else:
            alive = np.ones(len(picked), dtype=np.bool_)
        out[name] = _terms(values, position.astype(np.int32), value, alive, sizes)
    return out


# -- keeping up with the log ---------------------------------------------------------------------


def _grow(array: NDArray[Any], size: int, fill: Any) -> NDArray[Any]:
    if len(array) >= size:
        return array.copy()
    return np.concatenate([array, np.full(size - len(array), fill, dtype=array.dtype)])


def apply_changes(snapshot: Snapshot, conn: Connection, until: int) -> Snapshot | None:
    """A new snapshot at ``until`` from the logged changes; None if a full reload is needed."""
    oldest = conn.execute(select(func.min(CHANGES.c.seq))).scalar()
    if oldest is None or snapshot.seq < int(oldest) - 1:
        return None  # the log was pruned past this snapshot
    docs = sorted(
        {
            int(d)
            for (d,) in conn.execute(
                select(CHANGES.c.doc).where(CHANGES.c.seq > snapshot.seq, CHANGES.c.seq <= until)
            )
        }
    )
    if len(docs) > MAX_DELTA:
        return None
    dialect = conn.dialect.name
    rows = conn.execute(_rows_query(dialect, docs)).all() if docs else []
    term_rows = conn.execute(_terms_query(dialect, docs)).all() if docs else []
    fresh = {row[0] for row in rows}
    new_docs = [row[0] for row in rows if row[0] >= len(snapshot.where) or snapshot.where[row[0]] < 0]
    size = len(snapshot.doc) + len(new_docs)
    doc = np.concatenate([snapshot.doc, np.array(new_docs, dtype=np.int64)])
    where = _grow(snapshot.where, max([len(snapshot.where), *(d + 1 for d in docs)]), -1)
    where[np.array(new_docs, dtype=np.int64)] = np.arange(len(snapshot.doc), size, dtype=np.int32)
    alive = _grow(snapshot.alive, size, fill=False)
    gone = [d for d in docs if d not in fresh and d < len(snapshot.where) and snapshot.where[d] >= 0]
    alive[where[np.array(gone, dtype=np.int64)]] = False
    alive[where[np.array(sorted(fresh), dtype=np.int64)]] = True
    vocab = {name: words.copy() for name, words in snapshot.vocab.items()}
    single = {name: _grow(codes, size, 0) for name, codes in snapshot.single.items()}
    sme, vcse = _grow(snapshot.sme, size, -1), _grow(snapshot.vcse, size, -1)
    band = _grow(snapshot.band, size, BANDS.index("none"))
    published, deadline = (
        _grow(snapshot.published, size, NULL_TIME),
        _grow(snapshot.deadline, size, NULL_TIME),
    )
    for row in rows:
        at = where[row[0]]
        data = dict(zip(("doc", *ROW_COLUMNS), row, strict=True))
        for name, (value_column, label_column) in SINGLE_COLUMNS.items():
            single[name][at] = vocab[name].code(
                data[value_column], data[label_column] if label_column else None
            )
        sme[at] = _yes_no([data["sme"]])[0]
        vcse[at] = _yes_no([data["vcse"]])[0]
        band[at] = value_band(np.array([np.nan if data["value_amount"] is None else data["value_amount"]]))[0]
        published[at] = epoch_seconds([data["published"]])[0]
        deadline[at] = epoch_seconds([data["deadline"]])[0]
    changed = np.zeros(size, dtype=np.bool_)
    changed[where[np.array(docs, dtype=np.int64)][where[np.array(docs, dtype=np.int64)] >= 0]] = True
    base = {}
    for name, old in snapshot.terms.items():
        base[name] = replace(old, alive=old.alive & ~changed[old.position])
    terms = _load_terms(term_rows, where, TERM_LEVELS, base)
    return Snapshot(until, doc, where, alive, single, vocab, sme, vcse, band, published, deadline, terms)


class Columns:
    """One process's snapshot for one engine, brought up to date under a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def at(self, conn: Connection) -> Snapshot | None:
        """The snapshot at the log head this connection's transaction sees; None to fall back to SQL."""
        try:
            position = head(conn)
        except Exception:
            conn.rollback()
            return None
        with self._lock:
            current = self._snapshot
            if current is not None and current.seq == position:
                return current
            if current is not None and current.seq > position:
                return None  # this transaction is older than the snapshot another search made
            updated = apply_changes(current, conn, position) if current is not None else None
            if updated is None:
                try:
                    updated = load(conn)
                except ValueError:
                    return None
            self._snapshot = updated
            return updated


_COLUMNS: weakref.WeakKeyDictionary[Engine, Columns] = weakref.WeakKeyDictionary()
_COLUMNS_LOCK = threading.Lock()


def columns_for(engine: Engine) -> Columns:
    """This process's facet columns for ``engine`` (one per engine, so one per store)."""
    with _COLUMNS_LOCK:
        found = _COLUMNS.get(engine)
        if found is None:
            found = _COLUMNS[engine] = Columns()
        return found


def start_of(moment: datetime) -> int:
    """An aware moment in seconds, as ``utc_iso`` would write it (whole seconds)."""
    return instant(moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
