"""Compiling pending ocids off the write lock, in worker processes when there are many.

The store lists a chunk of pending ocids and hands it to :func:`compile_chunk` — inline, or in
worker processes so reading their stored releases (JSON text, no parsing), parsing, merging and
serialising run in other processes while the main process reads and writes the database. A worker
reads the releases itself through its own connection when the database can be shared (a file
or a server), so they do not cross the pipe; an in-memory store's are read by the main process
and sent. What comes back is written in one short write transaction, which first checks each
ocid's releases are still the ones compiled (another writer may have added one meanwhile); an
ocid that changed keeps its pending mark for the next pass. So the write lock is never held
during a compile, and a crash anywhere leaves the marks of unwritten records in place.

Memory stays bounded: at most :data:`IN_FLIGHT` chunks wait beyond the one being written,
whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import orjson

from tenderlens.compile import RecompileRequired, cyclic_gc_paused
from tenderlens.store.documents import json_text, pack
from tenderlens.versioned import SPLIT_AT, cut, split

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterator, Sequence

    from tenderlens.search.document import SearchDocument
    from tenderlens.store.store import Compiler, RecordFacts, Store, StoredBase

# Chunks sent to the workers beyond the one being written: enough to keep two workers busy while
# the main process writes (four measured no faster), few enough that memory does not grow with
# the input.
IN_FLIGHT: Final = 2
# Below this many pending ocids a worker process costs more to start than it saves.
WORKER_THRESHOLD: Final = 2_000
# Compile processes by default, cores allowing. On 2 cores two workers beside the main process
# keep both cores busy where one left each side waiting for the other (benchmarks/RESULTS.md,
# sixteenth measurement); more were not measured.
DEFAULT_WORKERS: Final = 2


#: What a record was compiled from: how many releases, the newest ingest order among them, the
#: published compiled release's (see :attr:`PendingOcid.state`).
State: TypeAlias = tuple[int, int | None, int | None]


@dataclass(frozen=True, slots=True)
class PendingOcid:
    """One pending ocid as stored: its releases' JSON text and ingest order, its published compiled release.

    With a ``base`` (a stored record the new releases extend), ``releases`` are only the new
    ones and ``merged`` is how many stored releases are already merged into the base.
    ``state`` says what the record was compiled from; the write checks it is still what is
    stored.
    """

    ocid: str
    releases: tuple[tuple[str, int], ...]
    published: tuple[str, int] | None
    base: StoredBase | None = None
    merged: int = 0

    @property
    def state(self) -> State:
        """How many releases, the newest ingest order among them, the published one's.

        Ingest orders only grow and a replaced release takes a new one, so a release stored
        since changes the count or the newest: the store compares this with an aggregate
        instead of reading every release's order (256 rows for a 256-release history).
        """
        seqs = [seq for _, seq in self.releases]
        if self.base is not None:
            seqs.append(self.base.merged_seq)
        newest = max(seqs, default=None)
        return self.merged + len(self.releases), newest, self.published[1] if self.published else None


@dataclass(frozen=True, slots=True)
class CompiledFrom:
    """The ocid a compile was for and the state of what it read, which the write checks."""

    ocid: str
    state: State


@dataclass(frozen=True, slots=True)
class CompiledChunk:
    """A compiled chunk: what each ocid was compiled from, and the rows to write."""

    compiled_from: list[CompiledFrom]
    rows: list[CompiledRow]


@dataclass(frozen=True, slots=True)
class CompiledRow:
    """What a compile gives the store to write: a ``records`` row (documents serialised), an index entry.

    ``recompile``: the new releases could not extend the base; ``row`` holds only the ocid,
    and the store drops the base so the next pass compiles the whole history. A long
    history's versioned release is written as a skeleton and pieces (:mod:`tenderlens.versioned`).
    """

    row: dict[str, Any]
    search: SearchDocument | None
    recompile: bool = False
    #: A versioned release piece to store with the row: (its number, its JSON text).
    piece: tuple[int, str] | None = None
    #: How many stored pieces the row's skeleton needs (still there, unchanged); with 0 the row
    #: replaces whatever pieces were stored.
    keeps_pieces: int = 0


def record_row(
    facts: RecordFacts,
    base: StoredBase | None = None,
    new_releases: Sequence[Any] = (),
    *,
    packed: bool = False,
) -> CompiledRow:
    """The ``records`` columns of one compile, compiled and versioned release already serialised.

    ``packed``: as zstd-packed JSON (SQLite, :mod:`tenderlens.store.documents`), else as JSON
    text. ``base``: the stored record ``facts`` extends with ``new_releases``. When it is in
    pieces, ``facts.versioned`` is its skeleton extended, and only the versions the new
    releases superseded are written (JSON text either way).
    """
    document = pack if packed else json_text
    kept = base.pieces if base is not None else 0
    versioned: str | bytes | None = None
    piece: tuple[int, str] | None = None
    if facts.versioned is not None:
        if kept or facts.release_count >= SPLIT_AT:
            # An extended skeleton: cut what the new releases wrote; a whole document: split it.
            skeleton, earlier = (
                (facts.versioned, cut(facts.versioned, new_releases)) if kept else split(facts.versioned)
            )
            versioned = document(skeleton)
            if earlier:
                piece = (kept, json_text(earlier))
        else:
            versioned = document(facts.versioned)
    count = kept + (piece is not None)
    return CompiledRow(
        row={
            "ocid": facts.ocid,
            "compiled": document(facts.compiled),
            "versioned": versioned,
            "release_count": facts.release_count,
            "compiled_from": facts.compiled_from,
            "last_date": facts.last_date,
            "source": facts.source,
            "notice_type": facts.notice_type,
            "stage": facts.stage,
            "title": facts.title,
            "buyer_name": facts.buyer_name,
            "notes": orjson.dumps(list(facts.notes)).decode() if facts.notes else None,
            "merged_seq": facts.merged_seq,
            "history": None if facts.history is None else orjson.dumps(facts.history).decode(),
            "pieces": count or None,
        },
        search=facts.search,
        piece=piece,
        keeps_pieces=kept,
    )


def compile_chunk(
    compiler: Compiler, pending: Sequence[PendingOcid], *, packed: bool = False
) -> list[CompiledRow]:
    """Parse, compile and serialise a chunk: the work that can run in another process.

    ``packed``: the documents as :func:`record_row` packs them for SQLite.

    The cyclic collector is paused for each record from parsing to serialising, not only
    inside the merge: resumed right after the merge, its next pass walked the merge's output,
    still alive until serialised, a tenth of the worker's time (benchmarks/RESULTS.md, eleventh
    measurement). Once the record is serialised reference counting has freed nearly all of it.
    Pausing for a whole chunk instead measured far worse (the worker's CPU up by half).
    """
    rows = []
    for item in pending:
        with cyclic_gc_paused():
            rows.append(_compile_one(compiler, item, packed=packed))
    return rows


def _compile_one(compiler: Compiler, item: PendingOcid, *, packed: bool) -> CompiledRow:
    releases = [(orjson.loads(data), seq) for data, seq in item.releases]
    published = orjson.loads(item.published[0]) if item.published is not None else None
    if item.base is None:
        facts = compiler(item.ocid, releases, published)
    else:
        try:
            facts = compiler(item.ocid, releases, published, base=item.base)
        except RecompileRequired:
            return CompiledRow(row={"ocid": item.ocid}, search=None, recompile=True)
    return record_row(facts, item.base, [release for release, _ in releases], packed=packed)


def compile_loaded(
    compiler: Compiler, pending: Sequence[PendingOcid], *, packed: bool = False
) -> CompiledChunk:
    """Compile a chunk, keeping with the rows the state of what was read, for the write's check.

    The state goes back with the rows, not the releases' text: the write needs only it.
    """
    return CompiledChunk(
        [CompiledFrom(item.ocid, item.state) for item in pending],
        compile_chunk(compiler, pending, packed=packed),
    )


# A worker's own store for each database it was sent chunks of, opened once per process and
# kept for its life: the pool's shutdown ends the process, which closes the connections (an
# SQLite reader holds no lock between reads, so nothing waits on it meanwhile).
_worker_stores: dict[str, Store] = {}


def load_and_compile(url: str, compiler: Compiler, ocids: list[str]) -> CompiledChunk:
    """In a worker: read the chunk's stored releases through the worker's own connection, and compile them.

    The main process opened the store (and brought its schema up to date), so this only
    connects. It reads after the main process listed the ocids; the write's state check
    covers releases stored in between, as it does for any other writer.
    """
    from tenderlens.store.store import Store, create_store_engine  # noqa: PLC0415 - a cycle

    store = _worker_stores.get(url)
    if store is None:
        store = _worker_stores[url] = Store(create_store_engine(url))
    return compile_loaded(compiler, store.load_pending(ocids), packed=store.packs_documents)


def default_workers(pending: int) -> int:
    """Worker processes when there is another core and enough to compile; else compile inline."""
    return worker_count() if pending >= WORKER_THRESHOLD else 0


def worker_count() -> int:
    """How many compile processes a large job gets: none on one core, else up to :data:`DEFAULT_WORKERS`."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores, DEFAULT_WORKERS)


Submit: TypeAlias = "Callable[[Compiler, list[str]], Future[CompiledChunk]]"


@contextmanager
def compiler_pool(
    workers: int,
    load: Callable[[list[str]], list[PendingOcid]],
    shared_url: str | None = None,
    *,
    packed: bool = False,
) -> Iterator[Submit]:
    """A ``submit(compiler, ocids)``: to ``workers`` processes, or run at once when ``workers`` is 0.

    ``load`` reads a chunk's stored releases here; with a ``shared_url`` (a database another
    process can open) a worker reads them itself instead. ``packed``: the store packs its
    documents (a worker with its own connection asks its store). Workers are spawned, not forked:
    the caller may have threads (``serve --harvest``) and open database connections, neither
    of which survives a fork safely.
    """
    if workers <= 0:

        def inline(compiler: Compiler, ocids: list[str]) -> Future[CompiledChunk]:
            future: Future[CompiledChunk] = Future()
            try:
                future.set_result(compile_loaded(compiler, load(ocids), packed=packed))
            except Exception as error:
                future.set_exception(error)
            return future

        yield inline
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:

        def submit(compiler: Compiler, ocids: list[str]) -> Future[CompiledChunk]:
            if shared_url is not None:
                return pool.submit(load_and_compile, shared_url, compiler, ocids)
            return pool.submit(compile_loaded, compiler, load(ocids), packed=packed)

        yield submit


class CompileSession:
    """Compiles pending ocids, chunk by chunk, while the caller goes on storing releases.

    :meth:`offer` after each stored batch hands full chunks of settled pending ocids to the
    compiler and writes back whatever is finished; :meth:`finish` compiles everything still
    pending. At most ``limit`` chunks wait beyond the one being written: when the compiler
    falls behind, :meth:`offer` waits for it, so memory stays bounded whatever the input.
    """

    def __init__(
        self,
        submit: Submit,
        compiler: Compiler,
        read: Callable[[Collection[str], int], Iterator[list[str]]],
        write: Callable[[Sequence[CompiledFrom], list[CompiledRow]], int],
        *,
        chunk: int,
        limit: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self._submit = submit
        self._compiler = compiler
        self._read = read
        self._write = write
        self._chunk = chunk
        self._limit = limit
        self.progress = progress
        self._waiting: deque[tuple[list[str], Future[CompiledChunk]]] = deque()
        self._in_flight: set[str] = set()
        self.done = 0

    def offer(self, unsettled: Collection[str] = ()) -> None:
        """Compile full chunks of pending ocids, except ``unsettled`` ones (more releases may follow)."""
        for pending in self._read({*self._in_flight, *unsettled}, self._chunk):
            if len(pending) < self._chunk:
                break  # wait for a full chunk: small write transactions cost more per record
            self._send(pending)
        while self._waiting and self._waiting[0][1].done():
            self._write_oldest()

    def finish(self) -> int:
        """Compile until nothing is pending (records gone stale meanwhile are compiled again)."""
        while True:
            sent = bool(self._waiting)  # what is waiting may come back stale: look again after
            for pending in self._read(self._in_flight, self._chunk):
                self._send(pending)
                sent = True
            while self._waiting:
                self._write_oldest()
            if not sent:
                return self.done

    def _send(self, pending: list[str]) -> None:
        while len(self._waiting) > self._limit:
            self._write_oldest()
        self._waiting.append((pending, self._submit(self._compiler, pending)))
        self._in_flight.update(pending)
        if self._limit == 0:
            self._write_oldest()

    def _write_oldest(self) -> None:
        pending, future = self._waiting.popleft()
        try:
            chunk = future.result()
            written = self._write(chunk.compiled_from, chunk.rows)
        finally:
            self._in_flight.difference_update(pending)
        self.done += written
        if self.progress and written:
            self.progress(written)

    def cancel(self) -> None:
        for _, future in self._waiting:
            future.cancel()
        self._waiting.clear()
