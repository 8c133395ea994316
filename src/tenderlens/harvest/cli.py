"""``tenderlens harvest``: fetch releases from Find a Tender and Contracts Finder into the store.

A thin shell over :mod:`tenderlens.harvest`: one command per registered source (plus ``all``)
and ``status``. The main CLI mounts it with ``app.add_typer(harvest_app, name="harvest")``;
``python -m tenderlens.harvest`` runs it on its own.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from tenderlens.cli_common import DbOption, err, fail, out
from tenderlens.exceptions import TenderlensError
from tenderlens.harvest.base import Source
from tenderlens.harvest.follow import HarvestJob, run_job, run_jobs
from tenderlens.harvest.harvester import HarvestSummary
from tenderlens.harvest.logs import harvest_logging
from tenderlens.harvest.settings import HarvestSettings
from tenderlens.harvest.sources import SOURCES
from tenderlens.ocds.dates import parse_instant
from tenderlens.settings import Settings
from tenderlens.store import Store

harvest_app = typer.Typer(
    name="harvest",
    help="Fetch OCDS releases from Find a Tender (fts) and Contracts Finder (contracts-finder).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


MoreSources = Annotated[
    list[str] | None,
    typer.Argument(
        help=f"More sources to harvest at the same time ({', '.join(SOURCES)}).",
        show_default=False,
        metavar="SOURCE",
    ),
]
FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Start: a date or date-time (without an offset: UK time). "
        "Default: where the last harvest of the source got to (its checkpoint, less the overlap); "
        "the first time, 7 days ago.",
        show_default=False,
    ),
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="End (default: now). Not with --follow.", show_default=False)
]
OcidOption = Annotated[
    str | None,
    typer.Option(
        "--ocid", help="Fetch only this contracting process (its record package).", show_default=False
    ),
]
BaseUrlOption = Annotated[
    list[str] | None,
    typer.Option(
        "--base-url",
        help="Harvest a mirror or test server instead: URL, or NAME=URL with several sources (repeatable).",
        show_default=False,
    ),
]
FollowOption = Annotated[
    bool, typer.Option("--follow", help="Keep harvesting, a round every --every, until interrupted.")
]
EveryOption = Annotated[
    str | None,
    typer.Option(
        "--every", help="Time between rounds with --follow (e.g. 10m; default 10m).", show_default=False
    ),
]
MinIntervalOption = Annotated[
    str | None,
    typer.Option(
        "--min-interval",
        help="Time between requests to one source (default: the source's, FTS 10s, CF 2s).",
        show_default=False,
    ),
]
TimeoutOption = Annotated[
    str | None, typer.Option("--timeout", help="Request timeout (default 360s).", show_default=False)
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Any harvest setting, as NAME=VALUE (repeatable; see docs/harvest.md), "
        "e.g. --set rate_limit_wait=60.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


# -- harvesting -------------------------------------------------------------------------------


def _sources(names: list[str]) -> list[type[Source]]:
    found: list[type[Source]] = []
    for name in names:
        if name not in SOURCES:
            raise fail(f"unknown source {name!r}; choose from: {', '.join(SOURCES)}, all")
        if SOURCES[name] not in found:
            found.append(SOURCES[name])
    return found


def _instant(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    instant = parse_instant(text)
    if instant is None:
        raise fail(f"{option} {text!r} is not a date or date-time (e.g. 2026-06-01 or 2026-06-01T12:00:00Z)")
    return instant


def _base_urls(given: list[str], sources: list[type[Source]]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for item in given:
        name, sep, url = item.partition("=")
        if sep and name in SOURCES:
            urls[name] = url
        elif len(sources) == 1:
            urls[sources[0].name] = item
        else:
            raise fail(f"--base-url {item!r}: with several sources, write NAME=URL (e.g. fts=http://...)")
    for name in urls:
        if name not in {source.name for source in sources}:
            raise fail(f"--base-url names {name!r}, which is not being harvested")
    return urls


def _settings(overrides: dict[str, str | None], assignments: list[str]) -> HarvestSettings:
    values: dict[str, Any] = dict(overrides)
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep:
            raise fail(f"--set {assignment!r}: write NAME=VALUE, e.g. --set rate_limit_wait=60")
        values[name.strip().replace("-", "_")] = value.strip()
    try:
        return HarvestSettings.load(**values)
    except TenderlensError as error:
        raise fail(str(error)) from error


@contextmanager
def _stop_on_sigterm(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (systemd, docker stop) ends a harvest between requests, like the stop event."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_harvest(
    names: list[str],
    *,
    start_text: str | None,
    end_text: str | None,
    ocid: str | None,
    base_url: list[str],
    follow: bool,
    db: str | None,
    settings: HarvestSettings,
    as_json: bool,
) -> None:
    """Check the options, run the jobs (in threads when several or following), print the result."""
    sources = _sources(names)
    start, end = _instant(start_text, "--from"), _instant(end_text, "--to")
    if start and end and start >= end:
        raise fail("--from must be before --to")
    if ocid and (len(sources) != 1 or follow or start or end):
        raise fail(
            "--ocid fetches one process from one source: not with --follow, --from, --to or more sources"
        )
    if follow and end:
        raise fail("--to cannot be used with --follow (a follow harvests up to now, round after round)")
    mirrors = _base_urls(base_url, sources)
    try:
        url = Settings.load(db).database_url
        Store.open(url).close()  # create or upgrade the schema once, and report a bad URL clearly
    except TenderlensError as error:
        raise fail(str(error)) from error
    jobs = [HarvestJob(source, start, end, ocid, mirrors.get(source.name)) for source in sources]
    stop = threading.Event()
    with harvest_logging(err if err.is_terminal else None), _stop_on_sigterm(stop):
        try:
            if len(jobs) == 1 and not follow:
                summaries = [run_job(url, jobs[0], settings, stop)]
            else:
                summaries = run_jobs(url, jobs, settings, stop, follow=follow)
        except KeyboardInterrupt:
            stop.set()
            raise fail(
                "interrupted: everything stored so far is kept; "
                "run the same command again to continue from the checkpoint",
                130,
            ) from None
    print_summaries(summaries, as_json=as_json)
    raise typer.Exit(max((summary.exit_code for summary in summaries), default=0))


def print_summaries(summaries: list[HarvestSummary], *, as_json: bool) -> None:
    if as_json:
        out.print_json(orjson.dumps([summary.as_dict() for summary in summaries]).decode())
        return
    for s in summaries:
        table = Table(title=f"Harvest: {s.source}", show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        if s.error:
            result = f"[red]error: {escape(s.error)}[/]"
        else:
            result = "stopped (run again to continue)" if s.stopped else "[green]ok[/]"
        for label, value in (
            ("asked", f"--ocid {s.ocid}" if s.ocid else f"{s.start or '?'} .. {s.end or '?'}"),
            ("windows done", f"{s.windows_done} of {s.windows}"),
            ("pages / requests", f"{s.pages} / {s.requests}"),
            ("releases new", s.new),
            ("releases unchanged", s.unchanged),
            ("releases replaced", s.replaced),
            ("releases rejected", s.rejected),
            ("releases repaired", s.repaired),
            ("records compiled", s.records_compiled),
            ("checkpoint", s.checkpoint or "none"),
            ("elapsed", f"{s.elapsed_seconds:.2f} s"),
            ("result", result),
        ):
            table.add_row(label, str(value))
        out.print(table)
        for problem in s.problems:
            err.print(f"[red]rejected:[/] {escape(problem)}", highlight=False, soft_wrap=True)


def _add_source_command(name: str, help_text: str) -> None:
    def command(  # noqa: PLR0917 - typer reads the signature
        more: MoreSources = None,
        start: FromOption = None,
        end: ToOption = None,
        ocid: OcidOption = None,
        base_url: BaseUrlOption = None,
        follow: FollowOption = False,
        every: EveryOption = None,
        min_interval: MinIntervalOption = None,
        timeout: TimeoutOption = None,
        set_: SetOption = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        if name == "all" and more:
            raise fail("`harvest all` takes no source names")
        overrides = {"every": every, "min_interval": min_interval, "timeout": timeout}
        run_harvest(
            list(SOURCES) if name == "all" else [name, *(more or [])],
            start_text=start,
            end_text=end,
            ocid=ocid,
            base_url=base_url or [],
            follow=follow,
            db=db,
            settings=_settings(overrides, set_ or []),
            as_json=as_json,
        )

    command.__name__ = f"harvest_{name.replace('-', '_')}"
    harvest_app.command(name, help=help_text)(command)


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 24 else f"{hours:g} hours"


for _source in SOURCES.values():
    _add_source_command(
        _source.name,
        f"Harvest {_source.title} ({_source.base_url}{_source.path}) in windows of at most "
        f"{_span(_source.max_window)}. Exits 1 on an error or a rejected release.",
    )
_add_source_command(
    "all",
    f"Harvest every source ({', '.join(SOURCES)}) at once, each in its own thread; "
    "one failing does not stop the others.",
)


# -- status -----------------------------------------------------------------------------------


@harvest_app.command("status")
def status_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show each source's checkpoint, last success and last error."""
    try:
        with Store.open(Settings.load(db).database_url) as store:
            states = {state.source: state for state in store.harvest_states()}
    except TenderlensError as error:
        raise fail(str(error)) from error
    names = [*SOURCES, *(name for name in states if name not in SOURCES)]
    rows = []
    for name in names:
        state = states.get(name)
        rows.append(
            {
                "source": name,
                "checkpoint": state.checkpoint if state else None,
                "last_success_at": state.last_success_at if state else None,
                "last_error_at": state.last_error_at if state else None,
                "last_error": state.last_error if state else None,
                "last_summary": state.last_summary if state else None,
            }
        )
    if as_json:
        out.print_json(orjson.dumps(rows).decode())
        return
    table = Table(title="Harvest status", title_justify="left")
    for column in ("source", "checkpoint", "last success", "last error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        failure = f"[red]{row['last_error_at']}: {row['last_error']}[/]" if row["last_error"] else ""
        table.add_row(
            str(row["source"]),
            str(row["checkpoint"] or "never harvested"),
            str(row["last_success_at"] or ""),
            failure,
        )
    out.print(table)
