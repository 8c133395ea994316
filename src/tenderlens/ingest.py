"""Ingest: read OCDS inputs, store every release losslessly, compile the ocids touched.

Releases are written in batches, each one transaction (with the ocids it touched marked
pending); the pending ocids are compiled a chunk per transaction, by a worker process while
later batches are read (large inputs), or at the end. Interrupt it at any
point and the store stays consistent; run it again and it completes: releases already
stored are unchanged, and pending compiles left behind are done first.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from tenderlens.ocds.dates import utc_key
from tenderlens.ocds.reader import Problem, ReadCompiledRelease, ReadRelease, input_size, read_inputs
from tenderlens.records import compile_record
from tenderlens.search.engine import sync_engine
from tenderlens.store import IncomingCompiled, IncomingRelease, Outcome, Store, json_text
from tenderlens.store.compiling import worker_count

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# From about 2,000 releases (of some 4 KB) a compile worker pays for its start-up.
STREAM_COMPILE_BYTES = 8_000_000


@dataclass
class IngestSummary:
    """What one ingest did. ``exit_code`` is 1 when anything was rejected or unreadable."""

    new: int = 0
    unchanged: int = 0
    replaced: int = 0
    rejected: int = 0
    unreadable_inputs: int = 0
    repaired: int = 0
    compiled_releases_published: int = 0
    records_compiled: int = 0
    search_index_in_step: bool = False  # False: no index here, or another process was writing it
    elapsed_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def releases_read(self) -> int:
        return self.new + self.unchanged + self.replaced

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected or self.unreadable_inputs else 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestEvents:
    """Callbacks the CLI uses for its progress display and messages. All optional."""

    bytes_read: Callable[[int], None] | None = None
    problem: Callable[[Problem], None] | None = None
    repaired: Callable[[ReadRelease], None] | None = None
    compile_started: Callable[[int], None] | None = None
    compiled: Callable[[int], None] | None = None
    indexed: Callable[[int, int], None] | None = None  # (done, total) while the text index is built


def _content_hash(value: Any) -> str:
    """sha256 of the canonical (sorted-key) JSON, hashed as orjson gives it: no text round trip."""
    try:
        canonical = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # integers beyond 64 bits: json_text's stdlib fallback
        canonical = json_text(value, canonical=True).encode()
    return hashlib.sha256(canonical).hexdigest()


def _utc_key(value: str) -> str:
    """``date_utc``: :func:`tenderlens.ocds.dates.utc_key`, or the date as published when it is not one."""
    return utc_key(value) or value


def incoming_release(item: ReadRelease) -> IncomingRelease:
    """The store's view of a release: its JSON text, content hash and indexed columns."""
    release = item.release
    tags = release.get("tag")
    return IncomingRelease(
        ocid=release["ocid"],
        release_id=str(release["id"]),
        date=release["date"],
        date_utc=_utc_key(release["date"]),
        tags=" ".join(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else "",
        data=json_text(release),
        content_hash=_content_hash(release),
        source=item.source,
        repairs=orjson.dumps(list(item.repairs)).decode() if item.repairs else None,
    )


def incoming_compiled(item: ReadCompiledRelease) -> IncomingCompiled:
    compiled = item.compiled_release
    return IncomingCompiled(
        ocid=compiled["ocid"],
        data=json_text(compiled),
        content_hash=_content_hash(compiled),
        source=item.source,
    )


def ingest_workers(inputs: Sequence[str | Path], *, stdin: BinaryIO | None = None) -> int:
    """The compile processes :func:`ingest` starts by default: some for a large input, else none.

    Standard input's size is not known, so it is compiled at the end.
    """
    size = None if stdin is not None else input_size(inputs)
    return worker_count() if size is not None and size >= STREAM_COMPILE_BYTES else 0


def ingest(
    store: Store,
    inputs: Sequence[str | Path],
    *,
    events: IngestEvents | None = None,
    stdin: BinaryIO | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> IngestSummary:
    """Ingest files, directories or ``-`` (standard input) into ``store``.

    ``workers``: compile processes. By default two for a large input on a machine with a
    second core (:func:`~tenderlens.store.compiling.worker_count`): they compile the ocids
    already stored while this process reads and stores the rest (an ocid whose releases are
    far apart in the input may then be compiled twice, and counted twice in
    ``records_compiled``). With none, everything is compiled at the end.
    """
    events = events or IngestEvents()
    started = time.monotonic()
    summary = IngestSummary()
    if workers is None:
        workers = ingest_workers(inputs, stdin=stdin)
    run_id = store.start_run([str(i) for i in inputs])
    batch: list[IncomingRelease] = []
    with (
        store.checkpointing(),
        store.loading(large=workers > 0),
        store.compiling(compile_record, workers=workers) as session,
    ):

        def flush() -> None:
            for outcome in store.write_releases(batch):
                if outcome is Outcome.NEW:
                    summary.new += 1
                elif outcome is Outcome.REPLACED:
                    summary.replaced += 1
                else:
                    summary.unchanged += 1
            unsettled = {item.ocid for item in batch}  # the next batch may bring more of these
            batch.clear()
            if workers:
                session.offer(unsettled)

        for item in read_inputs(inputs, progress=events.bytes_read, stdin=stdin):
            if isinstance(item, ReadRelease):
                if item.repairs:
                    summary.repaired += 1
                    if events.repaired:
                        events.repaired(item)
                batch.append(incoming_release(item))
                if len(batch) >= batch_size:
                    flush()
            elif isinstance(item, ReadCompiledRelease):
                store.write_published_compiled(incoming_compiled(item))
                summary.compiled_releases_published += 1
            else:
                if item.fatal:
                    summary.unreadable_inputs += 1
                else:
                    summary.rejected += 1
                summary.problems.append(f"{item.where}: {item.message}")
                if events.problem:
                    events.problem(item)
        flush()
        if events.compile_started:
            events.compile_started(store.pending_count())
        session.progress = events.compiled
        summary.records_compiled = session.finish()
    summary.search_index_in_step = sync_search_index(store, events)
    summary.elapsed_seconds = round(time.monotonic() - started, 3)
    store.finish_run(run_id, summary.as_dict())
    return summary


def compile_pending(store: Store, events: IngestEvents | None = None, *, workers: int | None = None) -> int:
    """Compile every ocid whose releases changed since it was last compiled."""
    events = events or IngestEvents()
    if events.compile_started:
        events.compile_started(store.pending_count())
    with store.checkpointing():
        done = store.compile_pending(compile_record, progress=events.compiled, workers=workers)
    sync_search_index(store, events)
    return done


def sync_search_index(store: Store, events: IngestEvents | None = None) -> bool:
    """Bring the text index beside the store in step, so the first search after ingest is fast.

    The index is derived data: when it cannot be written now (another process holds its lock,
    or it fails), the stored data is already committed and searches stay correct through the
    SQL ranking until ``tenderlens search reindex`` or the next ingest catches it up.
    """
    progress = events.indexed if events else None
    try:
        return sync_engine(store.engine, progress)
    except (OSError, ValueError) as error:
        log.warning("text index not updated (searches use the SQL ranking until it is): %s", error)
        return False
