"""The store: every release losslessly, keyed by (ocid, release id), and the compiled records.

Writes are transactional per batch. Releases and the ocids they touch (``pending_compiles``)
are written in one transaction; compiling a pending ocid and clearing its mark is another.
So a crash between the two leaves the store consistent — releases stored, records marked
stale — and the next ingest (or ``tenderlens compile``) finishes the job.
"""

from __future__ import annotations

import enum
import fcntl
import functools
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, Self

import orjson
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    Table,
    Text,
    TypeDecorator,
    and_,
    bindparam,
    case,
    cast,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from tenderlens.exceptions import LockBusy, StoreError
from tenderlens.reference import PostcodeAreas
from tenderlens.search.index import write_documents
from tenderlens.store import first_load, migrate
from tenderlens.store.bulk import execute_many
from tenderlens.store.checkpoint import Checkpointer
from tenderlens.store.compiling import (
    IN_FLIGHT,
    CompiledFrom,
    CompiledRow,
    CompileSession,
    PendingOcid,
    compiler_pool,
    default_workers,
)
from tenderlens.store.documents import PackedDocumentError, json_text
from tenderlens.store.schema import (
    cpv_codes,
    harvest_state,
    ingest_runs,
    pending_compiles,
    postcodes,
    published_compiled,
    records,
    release_history,
    releases,
    versioned_pieces,
)
from tenderlens.versioned import PiecesError, join

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

    from tenderlens.search.document import SearchDocument

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HarvestState:
    """Where a harvest source stands: its checkpoint, its last success and its last error.

    Instants are UTC text (``2026-06-02T12:00:00Z`` for the checkpoint, ISO with offset for the
    others), so they sort as time.
    """

    source: str
    checkpoint: str | None
    last_success_at: str | None
    last_error_at: str | None
    last_error: str | None
    last_summary: dict[str, Any] | None
    updated_at: str


class Outcome(enum.Enum):
    NEW = "new"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"


@dataclass(frozen=True, slots=True)
class IncomingRelease:
    """A release ready to store: its JSON text and the columns read off it."""

    ocid: str
    release_id: str
    date: str
    date_utc: str
    tags: str
    data: str
    content_hash: str
    source: str
    repairs: str | None = None


@dataclass(frozen=True, slots=True)
class IncomingCompiled:
    """A compiled release a publisher gave without its releases (a record with only ``compiledRelease``)."""

    ocid: str
    data: str
    content_hash: str
    source: str


@dataclass(frozen=True, slots=True)
class StoredRelease:
    ocid: str
    release_id: str
    date: str
    data: dict[str, Any]
    source: str
    ingest_seq: int
    repairs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """What compiling one ocid produced, ready to write to ``records``."""

    ocid: str
    compiled: dict[str, Any]
    versioned: dict[str, Any] | None
    release_count: int
    compiled_from: str
    last_date: str | None
    source: str
    notice_type: str | None
    stage: str | None
    title: str | None
    buyer_name: str | None
    notes: tuple[str, ...] = ()
    search: SearchDocument | None = None  # the record's search-index entry (tenderlens.search)
    # Highest ingest_seq merged when later releases may extend this compile (see StoredBase).
    merged_seq: int | None = None
    # With merged_seq: each merged release's listing facts, JSON-ready (search.listing.ReleaseFacts).
    history: list[Any] | None = None


@dataclass(frozen=True, slots=True)
class StoredRecord:
    ocid: str
    compiled: dict[str, Any]
    versioned: dict[str, Any] | None
    release_count: int
    compiled_from: str
    source: str
    notice_type: str | None
    stage: str | None
    title: str | None
    buyer_name: str | None
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredBase:
    """An extendable record as stored, handed to the compiler with only the ocid's new releases.

    The ``release_count`` releases with ``ingest_seq`` up to ``merged_seq`` are merged into
    ``compiled`` and ``versioned`` (as stored: packed or JSON text on SQLite, parsed on PostgreSQL;
    :func:`tenderlens.store.documents.parsed` reads any of them); ``history`` is their
    listing facts (JSON text, see :class:`tenderlens.search.listing.ReleaseFacts`); ``notes``
    are that compile's notes. The store hands a base over only when its columns show that no
    merged release was replaced and every new release sorts after every merged one, so the
    compiler need not see the merged releases at all.
    """

    compiled: bytes | str | dict[str, Any]
    versioned: bytes | str | dict[str, Any]
    release_count: int
    merged_seq: int
    notes: tuple[str, ...]
    history: str = "[]"
    #: Stored pieces of the versioned release; when not 0, ``versioned`` is its skeleton
    #: (:mod:`tenderlens.versioned`), which is all an extension needs.
    pieces: int = 0


class Compiler(Protocol):
    """(ocid, [(release, ingest_seq)...] in any order, published compiled release or None) -> facts.

    ``base`` is passed only when the store holds an extendable record for the ocid that the
    new releases extend; ``releases`` are then only those new releases. A compiler that cannot
    extend it raises :class:`tenderlens.compile.RecompileRequired`: the store then drops the
    base and compiles the ocid again, next pass, from its whole history.
    """

    def __call__(
        self,
        ocid: str,
        releases: list[tuple[dict[str, Any], int]],
        published: dict[str, Any] | None,
        /,
        *,
        base: StoredBase | None = None,
    ) -> RecordFacts: ...


class _JsonbText(TypeDecorator[str]):
    """JSON text bound into a JSONB column: PostgreSQL parses it, so Python need not."""

    impl = Text
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return cast(bindvalue, postgresql.JSONB)


def _json_text_column(name: str) -> Column[str]:
    return Column(name, Text().with_variant(_JsonbText(), "postgresql"))


# ``records`` with its documents written as the compile worker serialised them (packed on SQLite,
# JSON text that PostgreSQL parses into JSONB), instead of dicts the column type would serialise
# again in this process; read through it, they come back as stored (see StoredBase).
_records_text = Table(
    "records",
    MetaData(),
    *(
        _json_text_column(column.name)
        if column.name in {"compiled", "versioned"}
        else Column(column.name, column.type, primary_key=column.primary_key)
        for column in records.columns
    ),
)


# ``releases.date_utc`` as ingest writes it for every parseable date: text that sorts as the instant.
_SORTABLE_UTC: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
#: The same as a whole-text match in SQL (``regexp_match``: Python's ``re`` on SQLite, ``~`` on
#: PostgreSQL; ``[0-9]``, not ``\d``, so both read it the same way).
_SORTABLE_UTC_SQL: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$"


def _sortable_utc(column: Any) -> Any:
    """``_SORTABLE_UTC.fullmatch`` in SQL (the length rules out Python's ``$`` before a newline)."""
    return and_(func.length(column) == 27, column.regexp_match(_SORTABLE_UTC_SQL))


# The statements of the bulk writes, made once each (tenderlens.store.bulk keeps their SQL).
_INSERT_RELEASES: Final = insert(releases)
_INSERT_HISTORY: Final = insert(release_history)


def _dialect_insert(dialect: str, table: Any) -> Any:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@functools.cache
def _mark_pending_statement(dialect: str) -> Any:
    return _dialect_insert(dialect, pending_compiles).on_conflict_do_nothing()


@functools.cache
def _records_upsert(dialect: str, columns: tuple[str, ...]) -> Any:
    """A record written whole: every column given replaces the stored one."""
    stmt = _dialect_insert(dialect, _records_text)
    return stmt.on_conflict_do_update(
        index_elements=[_records_text.c.ocid],
        set_={name: stmt.excluded[name] for name in columns if name != "ocid"},
    )


@functools.cache
def _pieces_upsert(dialect: str) -> Any:
    stmt = _dialect_insert(dialect, versioned_pieces)
    return stmt.on_conflict_do_update(
        index_elements=[versioned_pieces.c.ocid, versioned_pieces.c.piece],
        set_={"entries": stmt.excluded.entries},
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


SQLITE_PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # busy_timeout first: switching to WAL needs a lock another opener may briefly hold.
    cursor.execute("PRAGMA busy_timeout=30000")
    # 16 KiB pages for a new database (an existing one keeps its own; in WAL mode the size is
    # fixed once the file exists): a release is about 4 KB and a versioned release 20 KB, which
    # on 4 KiB pages spill into overflow chains, and ingest writes every page to the WAL once
    # more. Fewer, larger pages cost the main process 10-20% less ingest CPU (benchmarks/RESULTS.md,
    # tenth measurement).
    cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Checkpoint every 10,000 pages of WAL rather than every 1,000: about 160 MB with the 16 KiB
    # pages of a new store (40 MB in a store made before them, with 4 KiB pages). A bulk ingest
    # commits megabytes of records per transaction, and each checkpoint costs a sync (about 10%
    # of compile time when it was every 1,000 pages).
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
    # Let SQLAlchemy, not the driver, begin transactions, so writers can BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    _sqlite_pragmas(dbapi_connection, record)


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# Writers take one lock per database, so concurrent ingests and harvests (several processes,
# several machines) serialise their short batch transactions instead of racing on keys and
# on ingest_seq: an advisory transaction lock on PostgreSQL, BEGIN IMMEDIATE on SQLite.
WRITE_OPTION = "tenderlens_write"
POSTGRES_WRITE_LOCK = 0x7E4D_E21E  # an arbitrary constant naming "the tenderlens write lock"


def create_store_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, json_serializer=json_text, json_deserializer=orjson.loads)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=json_text, json_deserializer=orjson.loads)


class Store:
    """One store over one database. Plain dicts and dataclasses in and out; no ORM."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_engine = engine.execution_options(**{WRITE_OPTION: True})

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold a named lock across processes and machines for the block, or raise ``LockBusy``.

        PostgreSQL: a session advisory lock on a dedicated connection. SQLite: ``flock`` on a
        file beside the database. Both are released if the process dies, so a killed harvest
        never blocks the next one.
        """
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                # Keyed by schema too: two stores in one database (schemas) are two stores.
                key = conn.execute(
                    text("SELECT hashtext(current_schema() || '/' || :name)"), {"name": name}
                ).scalar_one()
                if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one():
                    raise LockBusy(name)
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()
            return
        database = self.engine.url.database
        if not database or database == ":memory:":
            yield
            return
        safe = "".join(c if c.isalnum() else "-" for c in name)
        with Path(f"{database}.{safe}.lock").open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockBusy(name) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def checkpointing(self) -> Iterator[None]:
        """For a bulk write: SQLite's WAL checkpoints from a thread of their own (:mod:`.checkpoint`).

        Nothing for PostgreSQL or an in-memory SQLite database.
        """
        database = self.engine.url.database
        in_memory = not database or database == ":memory:" or database.startswith("file:")
        if self.engine.dialect.name != "sqlite" or database is None or in_memory:
            yield
            return
        checkpointer = Checkpointer(database)
        checkpointer.start()
        try:
            yield
        finally:
            checkpointer.stop()

    @contextmanager
    def loading(self, *, large: bool) -> Iterator[None]:
        """A large ingest: into an empty SQLite store, ``search_index``'s sort indexes are built at the end.

        See :mod:`tenderlens.store.first_load`. They are built again even if the block fails.
        """
        if not large:
            yield
            return
        with self.writing() as conn:
            deferred = first_load.is_first_load(conn)
            if deferred:
                first_load.drop(conn)
        try:
            yield
        finally:
            if deferred:
                with self.writing() as conn:
                    first_load.restore(conn)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction, serialised with every other writer of this database."""
        with self._write_engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_WRITE_LOCK})
            yield conn

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Open the store at ``url``; bring its schema to the current revision when ``upgrade``."""
        try:
            engine = create_store_engine(url)
            current = migrate.current_revision(engine)
            behind = current != migrate.head_revision()
            if behind and upgrade:
                migrate.upgrade(engine)
        except Exception as error:
            raise StoreError(f"cannot open the store at {url}: {error}") from error
        if behind and not upgrade:
            engine.dispose()
            raise StoreError(
                f"the store at {url} is at schema revision {current or 'none'}; run `tenderlens db upgrade`"
            )
        store = cls(engine)
        if upgrade:
            store._restore_first_load_indexes()
        return store

    def _restore_first_load_indexes(self) -> None:
        """Build the indexes a first load killed before its end left out (:mod:`.first_load`)."""
        with self.engine.connect() as conn:
            if not first_load.missing(conn):
                return
        with self.writing() as conn:
            built = first_load.restore(conn)
        if built:
            log.info("built the search indexes an interrupted first load left out: %s", ", ".join(built))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writing releases -------------------------------------------------------------------

    def write_releases(self, batch: Sequence[IncomingRelease]) -> list[Outcome]:
        """Store a batch of releases in one transaction; return each one's outcome, in order.

        Same content as the current or any earlier version: unchanged. New content under a
        known key: the current version moves to ``release_history`` and the new one replaces it.
        """
        if not batch:
            return []
        with self.writing() as conn:
            ocids = sorted({item.ocid for item in batch})
            # Keys and hashes only: an ocid's earlier releases are read whole only to be replaced
            # (one new release on a 256-release history read 1 MB of JSON it never used).
            # The row is None until then, or the row this batch is inserting.
            current: dict[tuple[str, str], tuple[str, dict[str, Any] | None]] = {
                (ocid, release_id): (content_hash, None)
                for ocid, release_id, content_hash in conn.execute(
                    select(releases.c.ocid, releases.c.release_id, releases.c.content_hash).where(
                        releases.c.ocid.in_(ocids)
                    )
                )
            }
            earlier: set[tuple[str, str, str]] = set()
            history_rows = conn.execute(
                select(
                    release_history.c.ocid, release_history.c.release_id, release_history.c.content_hash
                ).where(release_history.c.ocid.in_(ocids))
            )
            earlier.update((r.ocid, r.release_id, r.content_hash) for r in history_rows)
            next_seq = self._next_seq(conn)
            now = _now()
            outcomes: list[Outcome] = []
            to_insert: dict[tuple[str, str], dict[str, Any]] = {}
            to_history: list[dict[str, Any]] = []
            to_update: dict[tuple[str, str], dict[str, Any]] = {}
            touched: set[str] = set()
            for item in batch:
                key = (item.ocid, item.release_id)
                known = current.get(key)
                if known is None:
                    row = self._row(item, next_seq, now)
                    to_insert[key] = row
                    current[key] = (item.content_hash, row)
                    outcomes.append(Outcome.NEW)
                elif known[0] == item.content_hash or (*key, item.content_hash) in earlier:
                    outcomes.append(Outcome.UNCHANGED)
                    continue
                else:
                    old = known[1] if known[1] is not None else self._stored_release(conn, key)
                    to_history.append(
                        {
                            "ocid": old["ocid"],
                            "release_id": old["release_id"],
                            "date": old["date"],
                            "data": old["data"],
                            "content_hash": old["content_hash"],
                            "source": old["source"],
                            "ingest_seq": old["ingest_seq"],
                            "ingested_at": old["ingested_at"],
                            "replaced_at": now,
                            "repairs": old["repairs"],
                        }
                    )
                    earlier.add((*key, old["content_hash"]))
                    row = self._row(item, next_seq, now)
                    # Replaced within this same batch: the pending write takes the new content,
                    # and the first version is kept in history as if it had been stored first.
                    (to_insert if key in to_insert else to_update)[key] = row
                    current[key] = (item.content_hash, row)
                    outcomes.append(Outcome.REPLACED)
                next_seq += 1
                touched.add(item.ocid)
            if to_insert:
                execute_many(conn, _INSERT_RELEASES, list(to_insert.values()))
            if to_history:
                execute_many(conn, _INSERT_HISTORY, to_history)
            for (ocid, release_id), row in to_update.items():
                conn.execute(
                    update(releases)
                    .where(releases.c.ocid == ocid, releases.c.release_id == release_id)
                    .values(**{k: v for k, v in row.items() if k not in {"ocid", "release_id"}})
                )
            self._mark_pending(conn, touched)
        return outcomes

    @staticmethod
    def _stored_release(conn: Connection, key: tuple[str, str]) -> dict[str, Any]:
        ocid, release_id = key
        query = select(releases).where(releases.c.ocid == ocid, releases.c.release_id == release_id)
        return dict(conn.execute(query).mappings().one())

    def write_published_compiled(self, item: IncomingCompiled) -> Outcome:
        """Keep a publisher's compiled release (used only while we hold no releases for its ocid)."""
        with self.writing() as conn:
            known = conn.execute(
                select(published_compiled.c.content_hash).where(published_compiled.c.ocid == item.ocid)
            ).scalar_one_or_none()
            if known == item.content_hash:
                return Outcome.UNCHANGED
            row = {
                "ocid": item.ocid,
                "data": item.data,
                "content_hash": item.content_hash,
                "source": item.source,
                "ingest_seq": self._next_seq(conn),
                "ingested_at": _now(),
            }
            if known is None:
                conn.execute(insert(published_compiled), [row])
            else:
                conn.execute(
                    update(published_compiled).where(published_compiled.c.ocid == item.ocid).values(row)
                )
            self._mark_pending(conn, {item.ocid})
            return Outcome.NEW if known is None else Outcome.REPLACED

    @staticmethod
    def _row(item: IncomingRelease, seq: int, now: str) -> dict[str, Any]:
        return {
            "ocid": item.ocid,
            "release_id": item.release_id,
            "date": item.date,
            "date_utc": item.date_utc,
            "tags": item.tags,
            "data": item.data,
            "content_hash": item.content_hash,
            "source": item.source,
            "ingest_seq": seq,
            "ingested_at": now,
            "repairs": item.repairs,
        }

    @staticmethod
    def _next_seq(conn: Connection) -> int:
        top = max(
            conn.execute(select(func.max(releases.c.ingest_seq))).scalar() or 0,
            conn.execute(select(func.max(published_compiled.c.ingest_seq))).scalar() or 0,
        )
        return int(top) + 1

    def _mark_pending(self, conn: Connection, ocids: Iterable[str]) -> None:
        rows = [{"ocid": ocid} for ocid in sorted(ocids)]
        if rows:
            execute_many(conn, _mark_pending_statement(self.engine.dialect.name), rows)

    def _insert_ignore(self, table: Any) -> Any:
        return _dialect_insert(self.engine.dialect.name, table).on_conflict_do_nothing()

    # -- compiling --------------------------------------------------------------------------

    @property
    def packs_documents(self) -> bool:
        """Whether compiled and versioned releases are stored packed: on SQLite (see :mod:`.documents`)."""
        return self.engine.dialect.name == "sqlite"

    def pending_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(pending_compiles)).scalar_one())

    def compile_pending(
        self,
        compiler: Compiler,
        *,
        chunk: int = 500,
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
    ) -> int:
        """Compile every ocid marked pending, ``chunk`` ocids per write transaction. Returns how many.

        ``workers`` processes compile while this one reads and writes (see
        :mod:`tenderlens.store.compiling`); by default one when there is a second core and
        enough pending to pay for starting it, else none (compile here). ``compiler`` must
        then be a module-level function, so the worker can be sent it.
        """
        if workers is None:
            workers = default_workers(self.pending_count())
        with self.compiling(compiler, workers=workers, chunk=chunk, progress=progress) as session:
            return session.finish()

    @contextmanager
    def compiling(
        self,
        compiler: Compiler,
        *,
        workers: int,
        chunk: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[CompileSession]:
        """A compile session beside a running ingest: ``offer()`` after each batch, then ``finish()``."""
        pool = compiler_pool(workers, self.load_pending, self._shared_url(), packed=self.packs_documents)
        with pool as submit:
            session = CompileSession(
                submit,
                compiler,
                self._pending_chunks,
                self._write_compiled,
                chunk=chunk,
                limit=IN_FLIGHT if workers > 0 else 0,
                progress=progress,
            )
            try:
                yield session
            finally:
                session.cancel()

    def _shared_url(self) -> str | None:
        """This database's URL when another process can open it (not an in-memory SQLite one)."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and (
            url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
        ):
            return None
        return url.render_as_string(hide_password=False)

    def _pending_chunks(self, skip: Collection[str], size: int) -> Iterator[list[str]]:
        """Pending ocids (but ``skip``) in chunks of ``size``; no write lock taken."""
        with self.engine.connect() as conn:
            ocids = [
                ocid
                for ocid in conn.execute(
                    select(pending_compiles.c.ocid).order_by(pending_compiles.c.ocid)
                ).scalars()
                if ocid not in skip
            ]
        for start in range(0, len(ocids), size):
            yield ocids[start : start + size]

    def load_pending(self, ocids: list[str]) -> list[PendingOcid]:
        """What each ocid's compile needs: its new releases and its base when it extends, else everything.

        The merge order of the merged releases is checked from the ``date_utc`` and
        ``ingest_seq`` columns, so a record that one new release extends costs that release's
        JSON text, not its whole history's.
        """
        with self.engine.connect() as conn:
            bases = self._load_bases(conn, ocids)
            new: dict[str, list[tuple[str, int]]] = {ocid: [] for ocid in bases}
            merged: dict[str, int] = {}
            if bases:
                # The merged releases in one aggregate row per ocid, not a row per release.
                counts: dict[str, int] = {}
                last: dict[str, str] = {}
                odd = set()
                for ocid, count, latest, unsortable in conn.execute(
                    select(
                        releases.c.ocid,
                        func.count(),
                        func.max(releases.c.date_utc),
                        func.sum(case((_sortable_utc(releases.c.date_utc), 0), else_=1)),
                    )
                    .join(records, records.c.ocid == releases.c.ocid)
                    .where(releases.c.ocid.in_(list(bases)), releases.c.ingest_seq <= records.c.merged_seq)
                    .group_by(releases.c.ocid)
                ):
                    counts[ocid], last[ocid] = int(count), latest
                    if unsortable:
                        odd.add(ocid)
                first: dict[str, tuple[str, int]] = {}
                for ocid, date_utc, seq, data in conn.execute(
                    select(releases.c.ocid, releases.c.date_utc, releases.c.ingest_seq, releases.c.data)
                    .join(records, records.c.ocid == releases.c.ocid)
                    .where(releases.c.ocid.in_(list(bases)), releases.c.ingest_seq > records.c.merged_seq)
                ):
                    new[ocid].append((data, int(seq)))
                    first[ocid] = min(first.get(ocid, (date_utc, int(seq))), (date_utc, int(seq)))
                    if not _SORTABLE_UTC.fullmatch(date_utc):
                        odd.add(ocid)
                for ocid, base in list(bases.items()):
                    # Every new release has a later ingest order than every merged one, so it
                    # sorts after them all unless its date is earlier than the latest of theirs.
                    if (
                        ocid in odd
                        or counts.get(ocid, 0) != base.release_count  # a merged release was replaced
                        or ocid not in first  # nothing new: compile the history as it is
                        or first[ocid][0] < last[ocid]  # a new release sorts among the merged ones
                    ):
                        del bases[ocid]
                    else:
                        merged[ocid] = counts[ocid]
            whole = [ocid for ocid in ocids if ocid not in bases]
            stored: dict[str, list[tuple[str, int]]] = {ocid: [] for ocid in whole}
            if whole:
                rows = conn.execute(
                    select(releases.c.ocid, releases.c.data, releases.c.ingest_seq).where(
                        releases.c.ocid.in_(whole)
                    )
                )
                for ocid, data, seq in rows:
                    stored[ocid].append((data, int(seq)))
            published = {
                ocid: (data, int(seq))
                for ocid, data, seq in conn.execute(
                    select(
                        published_compiled.c.ocid, published_compiled.c.data, published_compiled.c.ingest_seq
                    ).where(published_compiled.c.ocid.in_(ocids))
                )
            }
        return [
            PendingOcid(ocid, tuple(new[ocid]), published.get(ocid), bases[ocid], merged[ocid])
            if ocid in bases
            else PendingOcid(ocid, tuple(stored[ocid]), published.get(ocid))
            for ocid in ocids
        ]

    @staticmethod
    def _load_bases(conn: Connection, ocids: list[str]) -> dict[str, StoredBase]:
        """The stored records of ``ocids`` that later releases may extend."""
        return {
            row.ocid: StoredBase(
                compiled=row.compiled,
                versioned=row.versioned,
                release_count=int(row.release_count),
                merged_seq=int(row.merged_seq),
                notes=tuple(orjson.loads(row.notes)) if row.notes else (),
                history=row.history,
                pieces=int(row.pieces or 0),
            )
            for row in conn.execute(
                select(
                    _records_text.c.ocid,
                    _records_text.c.compiled,
                    _records_text.c.versioned,
                    _records_text.c.release_count,
                    _records_text.c.merged_seq,
                    _records_text.c.notes,
                    _records_text.c.history,
                    _records_text.c.pieces,
                ).where(
                    _records_text.c.ocid.in_(ocids),
                    _records_text.c.merged_seq.is_not(None),
                    _records_text.c.versioned.is_not(None),
                    _records_text.c.history.is_not(None),
                )
            )
        }

    def _write_compiled(self, pending: Sequence[CompiledFrom], compiled: list[CompiledRow]) -> int:
        """Write the records whose releases are still those compiled, and clear their pending marks."""
        ocids = [item.ocid for item in pending]
        with self.writing() as conn:
            stored = {
                ocid: (int(count), int(newest))
                for ocid, count, newest in conn.execute(
                    select(releases.c.ocid, func.count(), func.max(releases.c.ingest_seq))
                    .where(releases.c.ocid.in_(ocids))
                    .group_by(releases.c.ocid)
                )
            }
            published = {
                ocid: int(seq)
                for ocid, seq in conn.execute(
                    select(published_compiled.c.ocid, published_compiled.c.ingest_seq).where(
                        published_compiled.c.ocid.in_(ocids)
                    )
                )
            }
            fresh = {
                item.ocid
                for item in pending
                if item.state == (*stored.get(item.ocid, (0, None)), published.get(item.ocid))
            }
            # A skeleton extended from stored pieces needs them as they were: another writer's
            # full compile of the same releases may have replaced them meanwhile.
            kept = {found.row["ocid"]: found.keeps_pieces for found in compiled if found.keeps_pieces}
            if kept:
                query = select(records.c.ocid, records.c.pieces).where(records.c.ocid.in_(sorted(kept)))
                now_stored: dict[str, int | None] = dict(conn.execute(query).all())
                fresh.difference_update(ocid for ocid, count in kept.items() if now_stored.get(ocid) != count)
            again = sorted(found.row["ocid"] for found in compiled if found.recompile)
            if again:  # the base could not be extended: compile the whole history next pass
                conn.execute(update(records).where(records.c.ocid.in_(again)).values(merged_seq=None))
                fresh.difference_update(again)
            rows = [found for found in compiled if found.row["ocid"] in fresh]
            self._write_records(conn, rows)
            conn.execute(delete(pending_compiles).where(pending_compiles.c.ocid.in_(sorted(fresh))))
        return len(rows)

    def mark_all_pending(self) -> int:
        """Mark every known ocid for recompilation (after a change to the merge rules, say)."""
        with self.writing() as conn:
            ocids = set(conn.execute(select(releases.c.ocid).distinct()).scalars())
            ocids.update(conn.execute(select(published_compiled.c.ocid)).scalars())
            self._mark_pending(conn, ocids)
            # A full recompile (after a change to the merge rules): extend nothing stored.
            conn.execute(update(records).values(merged_seq=None))
        return len(ocids)

    def _write_records(self, conn: Connection, compiled: Sequence[CompiledRow]) -> None:
        if not compiled:
            return
        now = _now()
        rows = [found.row | {"compiled_at": now} for found in compiled]
        execute_many(conn, _records_upsert(self.engine.dialect.name, tuple(rows[0])), rows)
        replaced = sorted(found.row["ocid"] for found in compiled if not found.keeps_pieces)
        conn.execute(delete(versioned_pieces).where(versioned_pieces.c.ocid.in_(replaced)))
        pieces = [
            {"ocid": found.row["ocid"], "piece": found.piece[0], "entries": found.piece[1]}
            for found in compiled
            if found.piece is not None
        ]
        if pieces:
            execute_many(conn, _pieces_upsert(self.engine.dialect.name), pieces)
        write_documents(conn, [found.search for found in compiled if found.search is not None])

    # -- reading ----------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One connection, so one read transaction, for several reads (a page): one consistent view."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _reading(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
            return
        with self.engine.connect() as opened:
            yield opened

    def get_record(self, ocid: str, conn: Connection | None = None) -> StoredRecord | None:
        """The record of ``ocid`` (on ``conn`` when given, e.g. from :meth:`reading`), or None."""
        with self._reading(conn) as reader:
            try:
                row = reader.execute(_GET_RECORD, {"ocid": ocid}).mappings().first()
            except PackedDocumentError as error:
                message = f"the record of {ocid}: {error}; `tenderlens compile --all` compiles it again"
                raise StoreError(message) from error
            return None if row is None else _record(row, reader)

    def iter_records(self, ocids: Sequence[str] | None = None) -> Iterator[StoredRecord]:
        """Every record (or the named ones), in ocid order, streamed."""
        query = select(*_RECORD_COLUMNS).order_by(records.c.ocid)
        if ocids is not None:
            query = query.where(records.c.ocid.in_(list(ocids)))
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=500).execute(query).mappings():
                yield _record(row, conn)

    def get_releases(self, ocid: str, conn: Connection | None = None) -> list[StoredRelease]:
        """The current releases of one ocid, in date order (use compile.order_releases to merge)."""
        with self._reading(conn) as reader:
            return [_release(row) for row in reader.execute(_GET_RELEASES, {"ocid": ocid}).mappings()]

    def iter_releases(self, ocids: Sequence[str] | None = None) -> Iterator[StoredRelease]:
        query = select(*_RELEASE_COLUMNS).order_by(
            releases.c.ocid, releases.c.date_utc, releases.c.ingest_seq
        )
        if ocids is not None:
            query = query.where(releases.c.ocid.in_(list(ocids)))
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=500).execute(query).mappings():
                yield _release(row)

    def release_history(self, ocid: str) -> list[dict[str, Any]]:
        """Superseded versions of this ocid's releases, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(release_history)
                .where(release_history.c.ocid == ocid)
                .order_by(release_history.c.history_id)
            ).mappings()
            return [dict(row) | {"data": orjson.loads(row["data"])} for row in rows]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:

            def count(table: Any) -> int:
                return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

            return {
                "releases": count(releases),
                "superseded releases": count(release_history),
                "published compiled releases": count(published_compiled),
                "records": count(records),
                "pending compiles": count(pending_compiles),
            }

    def stats(self) -> dict[str, dict[str, int]]:
        """Record counts by source, notice type and stage."""
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for name, column in (
                ("source", records.c.source),
                ("notice type", records.c.notice_type),
                ("stage", records.c.stage),
            ):
                rows = conn.execute(
                    select(column, func.count()).group_by(column).order_by(func.count().desc())
                )
                out[name] = {str(value) if value is not None else "unknown": int(n) for value, n in rows}
        return out

    # -- ingest runs ------------------------------------------------------------------------

    def start_run(self, inputs: Sequence[str]) -> int:
        with self.writing() as conn:
            result = conn.execute(
                insert(ingest_runs).values(started_at=_now(), inputs=orjson.dumps(list(inputs)).decode())
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def finish_run(self, run_id: int, summary: dict[str, Any]) -> None:
        with self.writing() as conn:
            conn.execute(
                update(ingest_runs)
                .where(ingest_runs.c.run_id == run_id)
                .values(finished_at=_now(), summary=orjson.dumps(summary).decode())
            )

    # -- reference data ---------------------------------------------------------------------

    def replace_cpv(self, rows: Iterable[tuple[str, str]]) -> int:
        """Replace the loaded CPV list in one transaction."""
        data = [{"code": code, "label": label} for code, label in rows]
        with self.writing() as conn:
            conn.execute(delete(cpv_codes))
            if data:
                conn.execute(insert(cpv_codes), data)
        return len(data)

    def cpv_labels(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(cpv_codes.c.code, cpv_codes.c.label)).all())

    def replace_postcodes(self, rows: Iterable[PostcodeAreas], *, batch: int = 10_000) -> int:
        """Replace the loaded postcode directory in one transaction, streaming in batches."""
        total = 0
        with self.writing() as conn:
            conn.execute(delete(postcodes))
            chunk: list[dict[str, Any]] = []
            for area in rows:
                chunk.append(
                    {
                        "postcode": area.postcode,
                        "local_authority_code": area.local_authority_code,
                        "local_authority": area.local_authority,
                        "ward_code": area.ward_code,
                        "ward": area.ward,
                        "constituency_code": area.constituency_code,
                        "constituency": area.constituency,
                    }
                )
                if len(chunk) >= batch:
                    conn.execute(self._insert_ignore(postcodes), chunk)
                    total += len(chunk)
                    chunk = []
            if chunk:
                conn.execute(self._insert_ignore(postcodes), chunk)
                total += len(chunk)
        return total

    def has_postcodes(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(postcodes.c.postcode).limit(1)).first() is not None

    def postcode_areas(self, postcode: str) -> PostcodeAreas | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(postcodes).where(postcodes.c.postcode == postcode)).mappings().first()
        return None if row is None else PostcodeAreas(**dict(row))

    # -- harvest state ----------------------------------------------------------------------

    def harvest_state(self, source: str) -> HarvestState | None:
        with self.engine.connect() as conn:
            query = select(harvest_state).where(harvest_state.c.source == source)
            row = conn.execute(query).mappings().first()
        return None if row is None else _harvest_state(row)

    def harvest_states(self) -> list[HarvestState]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(harvest_state).order_by(harvest_state.c.source)).mappings()
            return [_harvest_state(row) for row in rows]

    def advance_harvest_checkpoint(self, source: str, start: str, end: str) -> str | None:
        """Record that the window [start, end] of ``source`` is fully stored; return the checkpoint.

        The checkpoint moves to ``end`` only if the window joins on to it (starts at or before
        it), or if there is none yet: so it never moves back, and never jumps over a gap that
        was not harvested. Instants are ``YYYY-MM-DDTHH:MM:SSZ`` text, which sorts as time.
        """
        with self.writing() as conn:
            current = conn.execute(
                select(harvest_state.c.checkpoint).where(harvest_state.c.source == source)
            ).first()
            checkpoint: str | None = None if current is None else current.checkpoint
            if checkpoint is None or (start <= checkpoint < end):
                self._upsert_harvest_state(conn, source, current is not None, {"checkpoint": end})
                return end
            return checkpoint

    def record_harvest_success(self, source: str, summary: dict[str, Any]) -> None:
        """A harvest run of ``source`` completed; ``summary`` says what it did."""
        now = _now()
        with self.writing() as conn:
            known = conn.execute(select(harvest_state.c.source).where(harvest_state.c.source == source))
            values = {"last_success_at": now, "last_summary": orjson.dumps(summary).decode()}
            self._upsert_harvest_state(conn, source, known.first() is not None, values)

    def record_harvest_error(self, source: str, message: str) -> None:
        """A harvest run of ``source`` failed; the checkpoint stays where the last window left it."""
        with self.writing() as conn:
            known = conn.execute(select(harvest_state.c.source).where(harvest_state.c.source == source))
            values = {"last_error_at": _now(), "last_error": message}
            self._upsert_harvest_state(conn, source, known.first() is not None, values)

    @staticmethod
    def _upsert_harvest_state(conn: Connection, source: str, exists: bool, values: dict[str, Any]) -> None:
        values = {**values, "updated_at": _now()}
        if exists:
            conn.execute(update(harvest_state).where(harvest_state.c.source == source).values(**values))
        else:
            conn.execute(insert(harvest_state).values(source=source, **values))


def _harvest_state(row: Any) -> HarvestState:
    return HarvestState(
        source=row["source"],
        checkpoint=row["checkpoint"],
        last_success_at=row["last_success_at"],
        last_error_at=row["last_error_at"],
        last_error=row["last_error"],
        last_summary=orjson.loads(row["last_summary"]) if row["last_summary"] else None,
        updated_at=row["updated_at"],
    )


# What a StoredRecord holds: not ``history`` (listing facts kept for the next compile), which
# can be as long as the record and no reader of a record wants.
_RECORD_COLUMNS: Final = tuple(
    records.c[name]
    for name in (
        "ocid",
        "compiled",
        "versioned",
        "release_count",
        "compiled_from",
        "source",
        "notice_type",
        "stage",
        "title",
        "buyer_name",
        "notes",
        "pieces",
    )
)
_RELEASE_COLUMNS: Final = tuple(
    releases.c[name] for name in ("ocid", "release_id", "date", "data", "source", "ingest_seq", "repairs")
)
# Built once: a page reads one record and its releases, and building the statement (and its
# cache key) each time cost about as much as running it.
_GET_RECORD: Final = select(*_RECORD_COLUMNS).where(records.c.ocid == bindparam("ocid"))
_GET_RELEASES: Final = (
    select(*_RELEASE_COLUMNS)
    .where(releases.c.ocid == bindparam("ocid"))
    .order_by(releases.c.date_utc, releases.c.ingest_seq)
)


def _release(row: Any) -> StoredRelease:
    return StoredRelease(
        ocid=row["ocid"],
        release_id=row["release_id"],
        date=row["date"],
        data=orjson.loads(row["data"]),
        source=row["source"],
        ingest_seq=int(row["ingest_seq"]),
        repairs=tuple(orjson.loads(row["repairs"])) if row["repairs"] else (),
    )


_GET_PIECES: Final = (
    select(versioned_pieces.c.piece, versioned_pieces.c.entries)
    .where(versioned_pieces.c.ocid == bindparam("ocid"))
    .order_by(versioned_pieces.c.piece)
)


def _versioned(row: Any, conn: Connection) -> dict[str, Any] | None:
    """The record's whole versioned release: the column, or its skeleton joined with its pieces."""
    count = row["pieces"]
    if not count or row["versioned"] is None:
        return row["versioned"]  # type: ignore[no-any-return]
    stored = conn.execute(_GET_PIECES, {"ocid": row["ocid"]}).all()
    if [number for number, _ in stored] != list(range(count)):
        raise StoreError(
            f"the versioned release of {row['ocid']} is incomplete: pieces "
            f"{[number for number, _ in stored]} stored, 0-{count - 1} expected; "
            "`tenderlens compile --all` compiles it again"
        )
    try:
        return join(row["versioned"], (orjson.loads(entries) for _, entries in stored))
    except PiecesError as error:
        raise StoreError(f"the versioned release of {row['ocid']}: {error}") from error


def _record(row: Any, conn: Connection) -> StoredRecord:
    return StoredRecord(
        ocid=row["ocid"],
        compiled=row["compiled"],
        versioned=_versioned(row, conn),
        release_count=int(row["release_count"]),
        compiled_from=row["compiled_from"],
        source=row["source"],
        notice_type=row["notice_type"],
        stage=row["stage"],
        title=row["title"],
        buyer_name=row["buyer_name"],
        notes=tuple(orjson.loads(row["notes"])) if row["notes"] else (),
    )
