"""Harvest one source into the store: windows, pages, the same ingest path as files, checkpoints.

The time from the start to the end is cut into windows no longer than the source allows; each
window is one chain of pages followed through ``links.next``. Every page is read by the same
reader as ``tenderlens ingest`` (validation, quirk repairs) and stored by the same store calls
(one transaction per batch; dedupe by (ocid, release id) and content hash). When the last page
of a window is stored, the checkpoint moves to the window's end, and the ocids it touched are
compiled. So an interrupted harvest loses nothing it stored, and the next run starts again
with the first window not yet complete: what it fetches twice is stored once.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from tenderlens.exceptions import LockBusy
from tenderlens.harvest.base import Source, Window, instant_text, parse_instant_text, split_windows
from tenderlens.harvest.errors import HarvestError, HarvestStopped
from tenderlens.harvest.http import PoliteClient
from tenderlens.harvest.logs import emit
from tenderlens.harvest.pages import PageInfo, inspect_package
from tenderlens.harvest.settings import HarvestSettings
from tenderlens.harvest.sources import SOURCES
from tenderlens.ingest import BATCH_SIZE, compile_pending, incoming_compiled, incoming_release
from tenderlens.ocds.reader import ReadCompiledRelease, ReadRelease, read_inputs
from tenderlens.store import IncomingRelease, Outcome

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    import httpx

    from tenderlens.store import Store

#: At most this many problem lines are kept in a summary (all are logged).
MAX_PROBLEMS: Final = 100


@dataclass
class HarvestSummary:
    """What one harvest of one source did. ``exit_code`` is 1 on an error or a rejected release."""

    source: str
    start: str | None = None
    end: str | None = None
    ocid: str | None = None
    windows: int = 0
    windows_done: int = 0
    pages: int = 0
    requests: int = 0
    new: int = 0
    unchanged: int = 0
    replaced: int = 0
    rejected: int = 0
    repaired: int = 0
    compiled_releases_published: int = 0
    records_compiled: int = 0
    checkpoint: str | None = None
    error: str | None = None
    stopped: bool = False
    elapsed_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.error or self.rejected else 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def counts(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "rejected": self.rejected,
            "windows_done": self.windows_done,
        }


def resolve_source(source: str | type[Source]) -> type[Source]:
    if isinstance(source, str):
        try:
            return SOURCES[source]
        except KeyError:
            raise HarvestError(f"unknown source {source!r}; known: {', '.join(SOURCES)}") from None
    return source


def plan(
    checkpoint: str | None,
    settings: HarvestSettings,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The span to harvest: from ``start``, else the checkpoint less the overlap, else the lookback.

    It ends at ``end`` or now, whichever is earlier (a checkpoint never runs ahead of the
    publisher), in whole seconds, as the APIs' date parameters are.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    last = moment if end is None else min(end.astimezone(UTC), moment)
    if start is not None:
        first = start.astimezone(UTC)
    elif checkpoint is not None:
        first = parse_instant_text(checkpoint) - timedelta(seconds=settings.overlap)
    else:
        first = moment - timedelta(seconds=settings.lookback)
    return first.replace(microsecond=0), last.replace(microsecond=0)


def window_size(source: type[Source], settings: HarvestSettings) -> timedelta:
    """The source's longest window, or the setting's if shorter (a setting cannot lengthen it)."""
    if settings.window is None:
        return source.max_window
    return min(timedelta(seconds=settings.window), source.max_window)


def client_for(
    source: type[Source],
    settings: HarvestSettings,
    stop: threading.Event | None = None,
    transport: httpx.BaseTransport | None = None,
) -> PoliteClient:
    return PoliteClient(
        settings,
        source=source.name,
        min_interval=source.min_interval if settings.min_interval is None else settings.min_interval,
        rate_limit_statuses=source.rate_limit_statuses,
        rate_limit_wait=source.rate_limit_wait
        if settings.rate_limit_wait is None
        else settings.rate_limit_wait,
        encoding=source.encoding,
        stop=stop,
        transport=transport,
    )


class _Run:
    """One harvest run of one source: fetches pages, stores them, moves the checkpoint."""

    def __init__(  # noqa: PLR0917 - internal, called in one place
        self,
        store: Store,
        source: type[Source],
        settings: HarvestSettings,
        client: PoliteClient,
        summary: HarvestSummary,
        base_url: str | None,
    ) -> None:
        self.store = store
        self.source = source
        self.settings = settings
        self.client = client
        self.summary = summary
        self.base_url = base_url

    def windows(self, windows: list[Window]) -> None:
        name = self.source.name
        for window in windows:
            url = self.source.search_url(window.start, window.end, self.settings.page_limit, self.base_url)
            self.chain(url, str(window))
            start, end = instant_text(window.start), instant_text(window.end)
            checkpoint = self.store.advance_harvest_checkpoint(name, start, end)
            self.summary.checkpoint = checkpoint
            self.summary.windows_done += 1
            self.summary.records_compiled += compile_pending(self.store)
            if checkpoint != end:
                emit(
                    "checkpoint_kept",
                    f"{name}: window {window} stored; checkpoint kept at {checkpoint} "
                    "(the window does not join on to it)",
                    source=name,
                    window=str(window),
                    checkpoint=checkpoint,
                )
            emit(
                "window_done",
                f"{name}: window {window} complete; checkpoint {checkpoint}",
                source=name,
                window=str(window),
                checkpoint=checkpoint,
                windows=self.summary.windows,
                records_compiled=self.summary.records_compiled,
                **self.summary.counts(),
            )

    def chain(self, url: str, label: str) -> None:
        """Store every page of one chain, following ``links.next`` until there is none."""
        seen: set[str] = set()
        next_url: str | None = url
        while next_url is not None:
            if self.client.stop.is_set():
                raise HarvestStopped(f"{self.source.name}: stopped")
            if next_url in seen:
                raise HarvestError(f"{next_url}: links.next leads back to a page already read (a loop)")
            if len(seen) >= self.settings.max_pages:
                raise HarvestError(f"{label}: more than {self.settings.max_pages} pages (max_pages)")
            seen.add(next_url)
            page_url = next_url
            body, info = self.fetch(page_url)
            self.store_page(body, page_url)
            emit(
                "page_stored",
                f"{self.source.name}: {label}: page {len(seen)}, {info.releases} releases",
                source=self.source.name,
                window=label,
                url=page_url,
                releases=info.releases,
                windows=self.summary.windows,
                **self.summary.counts(),
            )
            next_url = info.next_url and self.source.next_url(info.next_url, page_url, self.base_url)

    def fetch(self, url: str) -> tuple[bytes, PageInfo]:
        try:
            return self.client.get(url, inspect_package)
        finally:
            self.summary.requests = self.client.requests

    def store_page(self, body: bytes, url: str) -> None:
        """Read the page with the ingest reader and store it batch by batch, as ingest does."""
        self.summary.pages += 1
        batch: list[IncomingRelease] = []
        for item in read_inputs(["-"], stdin=io.BytesIO(body)):
            if isinstance(item, ReadRelease):
                read = dataclasses.replace(item, source=url, where=item.where.replace("<stdin>", url, 1))
                if read.repairs:
                    self.summary.repaired += 1
                    for repair in read.repairs:
                        emit(
                            "repaired",
                            f"{self.source.name}: repaired: {read.where}: {repair}",
                            level=logging.WARNING,
                            source=self.source.name,
                            where=read.where,
                            repair=repair,
                        )
                batch.append(incoming_release(read))
                if len(batch) >= BATCH_SIZE:
                    self.write(batch)
            elif isinstance(item, ReadCompiledRelease):
                compiled = dataclasses.replace(item, source=url)
                self.store.write_published_compiled(incoming_compiled(compiled))
                self.summary.compiled_releases_published += 1
            elif item.fatal:
                raise HarvestError(f"{url}: {item.message}")
            else:
                where = item.where.replace("<stdin>", url, 1)
                self.summary.rejected += 1
                if len(self.summary.problems) < MAX_PROBLEMS:
                    self.summary.problems.append(f"{where}: {item.message}")
                emit(
                    "rejected",
                    f"{self.source.name}: rejected: {where}: {item.message}",
                    level=logging.WARNING,
                    source=self.source.name,
                    where=where,
                    problem=item.message,
                )
        self.write(batch)

    def write(self, batch: list[IncomingRelease]) -> None:
        for outcome in self.store.write_releases(batch):
            if outcome is Outcome.NEW:
                self.summary.new += 1
            elif outcome is Outcome.REPLACED:
                self.summary.replaced += 1
            else:
                self.summary.unchanged += 1
        batch.clear()


def harvest(
    store: Store,
    source: str | type[Source],
    settings: HarvestSettings | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    base_url: str | None = None,
    stop: threading.Event | None = None,
    now: datetime | None = None,
    transport: httpx.BaseTransport | None = None,
) -> HarvestSummary:
    """Harvest ``source`` from ``start`` (default: its checkpoint) to ``end`` (default: now).

    Never raises for a failed harvest: the summary's ``error`` says what went wrong, and the
    error is recorded in the store's harvest state (``tenderlens harvest status``). A stop
    (``stop`` set) ends it between requests, with ``stopped`` set.
    """
    resolved = resolve_source(source)
    settings = settings or HarvestSettings.load()
    summary = HarvestSummary(resolved.name)

    def work(run: _Run) -> None:
        state = store.harvest_state(resolved.name)
        checkpoint = state.checkpoint if state else None
        first, last = plan(checkpoint, settings, start=start, end=end, now=now)
        windows = split_windows(first, last, window_size(resolved, settings))
        summary.start, summary.end = instant_text(first), instant_text(last)
        summary.windows, summary.checkpoint = len(windows), checkpoint
        emit(
            "harvest_started",
            f"{resolved.name}: harvesting {summary.start}..{summary.end} "
            f"in {len(windows)} windows from {base_url or resolved.base_url}",
            source=resolved.name,
            start=summary.start,
            end=summary.end,
            windows=len(windows),
            checkpoint=checkpoint,
            base_url=base_url or resolved.base_url,
        )
        run.windows(windows)

    label = f"harvest {resolved.name} ({base_url or resolved.base_url})"
    return _run(store, resolved, settings, summary, label, work, base_url, stop, transport)


def harvest_ocid(
    store: Store,
    source: str | type[Source],
    ocid: str,
    settings: HarvestSettings | None = None,
    *,
    base_url: str | None = None,
    stop: threading.Event | None = None,
    transport: httpx.BaseTransport | None = None,
) -> HarvestSummary:
    """Fetch one contracting process's record package and store it; the checkpoint is untouched."""
    resolved = resolve_source(source)
    settings = settings or HarvestSettings.load()
    summary = HarvestSummary(resolved.name, ocid=ocid)

    def work(run: _Run) -> None:
        url = resolved.record_url(ocid, base_url)
        emit("harvest_started", f"{resolved.name}: fetching {url}", source=resolved.name, ocid=ocid, url=url)
        body, _info = run.fetch(url)
        run.store_page(body, url)
        summary.records_compiled += compile_pending(store)

    label = f"harvest {resolved.name} --ocid {ocid} ({base_url or resolved.base_url})"
    return _run(store, resolved, settings, summary, label, work, base_url, stop, transport)


def _run(  # noqa: PLR0917 - internal, called in two places
    store: Store,
    source: type[Source],
    settings: HarvestSettings,
    summary: HarvestSummary,
    label: str,
    work: Callable[[_Run], None],
    base_url: str | None,
    stop: threading.Event | None,
    transport: httpx.BaseTransport | None,
) -> HarvestSummary:
    """Run ``work`` with a client and an ingest-run record; turn failures into the summary."""
    started = time.monotonic()
    run_id: int | None = None
    try:
        # One harvest per source at a time, across processes and machines.
        with (
            store.exclusive(f"harvest {source.name}"),
            client_for(source, settings, stop, transport) as client,
        ):
            run_id = store.start_run([label])
            work(_Run(store, source, settings, client, summary, base_url))
        summary.elapsed_seconds = round(time.monotonic() - started, 3)
        store.record_harvest_success(source.name, _brief(summary))
    except LockBusy as busy:
        # Not this source's failure: the other harvest owns its state, so record nothing.
        summary.error = f"{busy}; not started (one harvest per source at a time)"
        emit("harvest_busy", f"{source.name}: {summary.error}", level=logging.WARNING, source=source.name)
    except HarvestStopped:
        summary.stopped = True
        emit(
            "harvest_stopped",
            f"{source.name}: stopped; the next run continues from checkpoint {summary.checkpoint}",
            source=source.name,
            checkpoint=summary.checkpoint,
        )
    except Exception as error:
        summary.error = str(error) or type(error).__name__
        # A known failure is reported in one line; anything else with its traceback.
        emit(
            "harvest_failed",
            f"{source.name}: {summary.error}",
            level=logging.ERROR,
            exc_info=not isinstance(error, HarvestError),
            source=source.name,
            error=summary.error,
            checkpoint=summary.checkpoint,
        )
        try:
            store.record_harvest_error(source.name, summary.error)
        except Exception as store_error:
            emit(
                "state_not_saved",
                f"{source.name}: could not record the error: {store_error}",
                level=logging.ERROR,
                source=source.name,
            )
    finally:
        summary.elapsed_seconds = round(time.monotonic() - started, 3)
        if run_id is not None:
            try:
                store.finish_run(run_id, summary.as_dict())
            except Exception as store_error:
                emit(
                    "state_not_saved",
                    f"{source.name}: could not finish the run record: {store_error}",
                    level=logging.ERROR,
                    source=source.name,
                )
    if not summary.stopped and summary.error is None:
        emit(
            "harvest_finished",
            f"{source.name}: done: {summary.new} new, {summary.unchanged} unchanged, "
            f"{summary.replaced} replaced, {summary.rejected} rejected; checkpoint {summary.checkpoint}",
            **{k: v for k, v in summary.as_dict().items() if k != "problems"},
        )
    return summary


def _brief(summary: HarvestSummary) -> dict[str, Any]:
    return {k: v for k, v in summary.as_dict().items() if k not in {"problems", "error", "stopped"}}
