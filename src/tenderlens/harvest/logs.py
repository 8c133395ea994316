"""Harvest events, through ``logging``: JSON Lines for machines, a rich display for people.

The harvester only logs: each record carries an ``event`` name and a dict of ``fields``. On a
terminal, :class:`ProgressDisplay` turns them into one progress bar per source and prints
warnings above it; otherwise :class:`JsonLines` writes one JSON object per line on stderr, for
journald, Docker or any log shipper.
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console

LOGGER_NAME = "tenderlens.harvest"
log = logging.getLogger(LOGGER_NAME)


def emit(
    event: str, message: str, *, level: int = logging.INFO, exc_info: bool = False, **fields: Any
) -> None:
    """Log one harvest event: ``message`` for people, ``event`` and ``fields`` for machines."""
    log.log(level, message, exc_info=exc_info, extra={"event": event, "fields": fields})


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, event, message, then the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", None),
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class _Stderr(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (a test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


class ProgressDisplay(logging.Handler):
    """One progress bar per source (windows done of windows asked), warnings printed above."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.INFO)
        self.progress = Progress(
            TextColumn("[bold]{task.fields[source]}[/]"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} windows"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields: dict[str, Any] = getattr(record, "fields", {})
            event = getattr(record, "event", None)
            source = str(fields.get("source", ""))
            if record.levelno >= logging.WARNING:
                style = "red" if record.levelno >= logging.ERROR else "yellow"
                self.progress.console.print(
                    f"[{style}]{escape(record.getMessage())}[/]", highlight=False, soft_wrap=True
                )
            if event == "harvest_started" and source:
                total = fields.get("windows", 1)  # an --ocid fetch counts as one
                if source in self._tasks:
                    self.progress.reset(self._tasks[source], total=total, description="starting")
                else:
                    self._tasks[source] = self.progress.add_task("starting", total=total, source=source)
                return
            task = self._tasks.get(source)
            if task is None:
                return
            if event in {"page_stored", "window_done", "waiting", "harvest_finished"}:
                self.progress.update(task, description=_describe(event, fields))
            if event == "harvest_finished":
                self.progress.update(task, completed=fields.get("windows") or 1)
            elif "windows_done" in fields:
                self.progress.update(task, completed=fields["windows_done"])
        except Exception:
            self.handleError(record)


def _describe(event: str, fields: dict[str, Any]) -> str:
    if event == "waiting":
        return f"waiting {fields.get('seconds', 0):.0f} s ({fields.get('reason', '')})"
    counts = f"{fields.get('new', 0)} new, {fields.get('unchanged', 0)} unchanged"
    if event == "harvest_finished":
        return f"done: {counts}"
    return f"{fields.get('window', '')}: {counts}"


@contextmanager
def harvest_logging(console: Console | None) -> Iterator[None]:
    """Show harvest events while the block runs: a rich display on ``console``, else JSON Lines."""
    handler: logging.Handler
    if console is not None:
        display = ProgressDisplay(console)
        handler = display
    else:
        handler = _Stderr()
        handler.setFormatter(JsonLines())
    previous = log.level
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        if console is not None:
            with display.progress:
                yield
        else:
            yield
    finally:
        log.removeHandler(handler)
        log.setLevel(previous)
