"""Several sources at once, once or round after round (``--follow``), each in its own thread.

Each source runs in its own thread with its own store connection and its own polite client, so
one source waiting out a rate limit (Contracts Finder's five minutes) or failing does not hold up
another: a failure is recorded as the source's ``last_error`` and the source tries again next
round. Writes from all threads and processes go through the store's write lock.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenderlens.harvest.harvester import HarvestSummary, harvest, harvest_ocid, resolve_source
from tenderlens.harvest.logs import emit
from tenderlens.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

    from tenderlens.harvest.base import Source
    from tenderlens.harvest.settings import HarvestSettings

#: How long a stopped run may take to finish its current request before it is left behind.
STOP_GRACE_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class HarvestJob:
    """What to harvest from one source: a window (default: from its checkpoint to now) or one ocid."""

    source: type[Source]
    start: datetime | None = None
    end: datetime | None = None
    ocid: str | None = None
    base_url: str | None = None


def run_job(
    store_url: str, job: HarvestJob, settings: HarvestSettings, stop: threading.Event
) -> HarvestSummary:
    """Run one job with its own store connection; never raises for a failed harvest."""
    store = _open(store_url, job)
    if isinstance(store, HarvestSummary):
        return store
    try:
        return _harvest(store, job, settings, stop)
    finally:
        store.close()


def _open(store_url: str, job: HarvestJob) -> Store | HarvestSummary:
    """The store, or a failed summary saying why it cannot be opened."""
    try:
        return Store.open(store_url)
    except Exception as error:
        emit(
            "harvest_failed",
            f"{job.source.name}: {error}",
            level=logging.ERROR,
            source=job.source.name,
            error=str(error),
        )
        return HarvestSummary(job.source.name, error=str(error))


def _harvest(
    store: Store, job: HarvestJob, settings: HarvestSettings, stop: threading.Event
) -> HarvestSummary:
    if job.ocid is not None:
        return harvest_ocid(store, job.source, job.ocid, settings, base_url=job.base_url, stop=stop)
    return harvest(
        store, job.source, settings, start=job.start, end=job.end, base_url=job.base_url, stop=stop
    )


def _worker(
    store_url: str,
    job: HarvestJob,
    settings: HarvestSettings,
    stop: threading.Event,
    *,
    follow: bool,
    results: dict[str, HarvestSummary],
    on_summary: Callable[[HarvestSummary], None] | None,
) -> None:
    """One source's rounds, on one store connection kept for the thread's life."""
    current = job
    store: Store | None = None
    try:
        while not stop.is_set():
            opened = store or _open(store_url, job)
            try:
                if isinstance(opened, HarvestSummary):
                    summary = opened  # cannot open the store: report it, try again next round
                else:
                    store = opened
                    summary = _harvest(store, current, settings, stop)
            except Exception as error:  # a bug: report it, keep the thread (and the others) alive
                summary = HarvestSummary(job.source.name, error=f"{type(error).__name__}: {error}")
                emit(
                    "harvest_failed",
                    f"{job.source.name}: {summary.error}",
                    level=logging.ERROR,
                    exc_info=True,
                    source=job.source.name,
                    error=summary.error,
                )
            results[job.source.name] = summary
            if on_summary is not None:
                try:
                    on_summary(summary)
                except Exception as error:
                    emit(
                        "callback_failed",
                        f"{job.source.name}: on_summary failed: {error}",
                        level=logging.ERROR,
                        source=job.source.name,
                    )
            if not follow or summary.stopped:
                break
            current = dataclasses.replace(job, start=None, end=None)  # later rounds: from the checkpoint
            emit(
                "sleeping",
                f"{job.source.name}: next round in {settings.every:.0f} s",
                source=job.source.name,
                seconds=settings.every,
            )
            if stop.wait(settings.every):
                break
    finally:
        if store is not None:
            store.close()


def run_jobs(
    store_url: str,
    jobs: Sequence[HarvestJob],
    settings: HarvestSettings,
    stop: threading.Event,
    *,
    follow: bool = False,
    on_summary: Callable[[HarvestSummary], None] | None = None,
) -> list[HarvestSummary]:
    """Run every job in its own thread (round after round with ``follow``) until done or stopped.

    Returns each source's last summary, in the order of ``jobs``. On KeyboardInterrupt the stop
    event is set and the threads get :data:`STOP_GRACE_SECONDS` to finish their request; then
    the interrupt is raised again.
    """
    results: dict[str, HarvestSummary] = {}
    with suppress(Exception):  # migrate once here, not in several threads at once
        Store.open(store_url).close()
    threads = [
        threading.Thread(
            target=_worker,
            args=(store_url, job, settings, stop),
            kwargs={"follow": follow, "results": results, "on_summary": on_summary},
            name=f"harvest-{job.source.name}",
            daemon=True,
        )
        for job in jobs
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except KeyboardInterrupt:
        stop.set()
        for thread in threads:
            thread.join(STOP_GRACE_SECONDS)
        raise
    return [results[job.source.name] for job in jobs if job.source.name in results]


def run_follow_loop(
    store_url: str,
    sources: Sequence[str | type[Source]],
    settings: HarvestSettings,
    stop_event: threading.Event,
    *,
    base_urls: Mapping[str, str] | None = None,
    on_summary: Callable[[HarvestSummary], None] | None = None,
) -> list[HarvestSummary]:
    """Harvest ``sources`` into the store at ``store_url`` every ``settings.every`` seconds until
    ``stop_event`` is set; return each source's last summary.

    Blocking; safe to run in a thread (it installs no signal handlers): ``tenderlens serve
    --harvest`` starts it in a daemon thread and sets ``stop_event`` on shutdown. Each round
    continues from the source's checkpoint. A failing source records its error and tries again
    next round; the others carry on. ``base_urls`` maps a source name to a mirror.
    """
    base_urls = base_urls or {}
    jobs = []
    for source in sources:
        resolved = resolve_source(source)
        jobs.append(HarvestJob(resolved, base_url=base_urls.get(resolved.name)))
    return run_jobs(store_url, jobs, settings, stop_event, follow=True, on_summary=on_summary)
