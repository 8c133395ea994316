"""The ``tenderlens`` command: a thin shell over the library's stage functions."""

from __future__ import annotations

import sys
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.panel import Panel
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tenderlens import __version__
from tenderlens.accounts.cli import users_app
from tenderlens.alerts.cli import alerts_app
from tenderlens.cli_common import DbOption, err, fail, out
from tenderlens.exceptions import TenderlensError
from tenderlens.export import ExportKind, export_items, write_json_lines, write_package
from tenderlens.harvest.cli import harvest_app
from tenderlens.ingest import IngestEvents, IngestSummary, compile_pending, ingest
from tenderlens.notice import build_notice, render_notice
from tenderlens.ocds.reader import Problem, ReadRelease, input_size
from tenderlens.reference import Reference, parse_cpv_file, parse_onspd
from tenderlens.search.cli import search_app
from tenderlens.settings import Settings
from tenderlens.store import Store, migrate
from tenderlens.web.cli import serve_command

app = typer.Typer(
    name="tenderlens",
    help="Load OCDS procurement data (Find a Tender, Contracts Finder, any OCDS publisher); read notices.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
reference_app = typer.Typer(
    help="Reference data: the full CPV list, the ONS Postcode Directory.", no_args_is_help=True
)
reference_load_app = typer.Typer(help="Load a reference file into the store.", no_args_is_help=True)
db_app = typer.Typer(help="The database: schema revision and upgrades.", no_args_is_help=True)
reference_app.add_typer(reference_load_app, name="load")
app.add_typer(reference_app, name="reference")
app.add_typer(db_app, name="db")
app.command("serve")(serve_command)
app.add_typer(harvest_app, name="harvest")
app.add_typer(users_app, name="users")
app.add_typer(alerts_app, name="alerts")
app.add_typer(search_app, name="search")


@contextmanager
def open_store(db: str | None) -> Any:
    try:
        settings = Settings.load(db)
        store = Store.open(settings.database_url)
    except TenderlensError as error:
        raise fail(str(error)) from error
    try:
        yield store
    finally:
        store.close()


def store_reference(store: Store) -> Reference:
    """The reference data: packaged tables plus whatever the user loaded into this store."""
    return Reference(
        cpv_labels=store.cpv_labels() or None,
        postcodes=store.postcode_areas if store.has_postcodes() else None,
    )


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        out.print(f"tenderlens {__version__}")
        raise typer.Exit


# -- ingest -----------------------------------------------------------------------------------


def run_ingest(store: Store, paths: list[str], *, quiet: bool = False) -> IngestSummary:
    """Ingest with a progress bar on a terminal and one line per problem on stderr."""
    interactive = err.is_terminal and not quiet
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    total = input_size(paths)
    reading = progress.add_task("reading", total=total)
    compiling = progress.add_task("compiling", total=None, visible=False)
    indexing = progress.add_task("indexing for search", total=None, visible=False)

    def on_problem(problem: Problem) -> None:
        label = "unreadable" if problem.fatal else "rejected"
        err.print(f"[red]{label}:[/] {problem.where}: {problem.message}", highlight=False, soft_wrap=True)

    def on_repair(item: ReadRelease) -> None:
        for repair in item.repairs:
            err.print(f"[yellow]repaired:[/] {item.where}: {repair}", highlight=False, soft_wrap=True)

    def on_compile_started(n: int) -> None:
        progress.update(compiling, total=n, visible=True, description=f"compiling {n} records")

    events = IngestEvents(
        bytes_read=lambda n: progress.advance(reading, n),
        problem=on_problem,
        repaired=on_repair,
        compile_started=on_compile_started,
        compiled=lambda n: progress.advance(compiling, n),
        indexed=lambda done, total: progress.update(indexing, completed=done, total=total, visible=True),
    )
    with progress if interactive else nullcontext():
        return ingest(store, paths, events=events, stdin=sys.stdin.buffer if "-" in paths else None)


def print_summary(summary: IngestSummary) -> None:
    table = Table(title="Ingest summary", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in (
        ("releases new", summary.new),
        ("releases unchanged", summary.unchanged),
        ("releases replaced", summary.replaced),
        ("releases rejected", summary.rejected),
        ("inputs unreadable", summary.unreadable_inputs),
        ("releases repaired", summary.repaired),
        ("published compiled releases", summary.compiled_releases_published),
        ("records compiled", summary.records_compiled),
        ("search index", "in step" if summary.search_index_in_step else "behind (tenderlens search reindex)"),
        ("elapsed", f"{summary.elapsed_seconds:.2f} s"),
    ):
        table.add_row(label, str(value))
    out.print(table)


@app.command("ingest")
def ingest_command(
    paths: Annotated[
        list[str], typer.Argument(help="Files, directories (recursive) or - for standard input.")
    ],
    db: DbOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    json_summary: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Load OCDS release packages, record packages, JSON Lines, .gz files or directories.

    Exits 1 if any release was rejected or any input could not be read (the rest still loads).
    """
    with open_store(db) as store:
        try:
            summary = run_ingest(store, paths, quiet=quiet)
        except KeyboardInterrupt:
            raise fail(
                "interrupted: what was stored is consistent; run the same command again to complete it",
                130,
            ) from None
    if json_summary:
        out.print_json(orjson.dumps(summary.as_dict()).decode())
    else:
        print_summary(summary)
    raise typer.Exit(summary.exit_code)


@app.command("compile")
def compile_command(
    db: DbOption = None,
    all_records: Annotated[
        bool, typer.Option("--all", help="Recompile every record, not only pending ones.")
    ] = False,
) -> None:
    """Compile the records left pending (by an interrupted ingest), or all of them with --all."""
    with open_store(db) as store:
        if all_records:
            store.mark_all_pending()
        done = compile_pending(store)
    out.print(f"records compiled: {done}")


# -- reading ----------------------------------------------------------------------------------


def parse_now(now: str | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    from tenderlens.ocds.dates import parse_instant  # noqa: PLC0415 - only needed with --now

    instant = parse_instant(now)
    if instant is None:
        raise fail(f"--now {now!r} is not a date or date-time (e.g. 2026-06-04 or 2026-06-04T12:00:00Z)")
    return instant


@app.command("show")
def show_command(
    ocid: Annotated[str, typer.Argument(help="The contracting process's ocid, e.g. ocds-h6vhtk-06a838.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the notice as JSON.")] = False,
    now: Annotated[
        str | None, typer.Option(help="Show relative dates as of this date (default: now).")
    ] = None,
) -> None:
    """Show one notice, section by section."""
    from tenderlens.compile import order_releases  # noqa: PLC0415

    moment = parse_now(now)
    with open_store(db) as store:
        record = store.get_record(ocid)
        if record is None:
            raise fail(f"no record for {ocid!r} in the store; list them with `tenderlens list`")
        releases = order_releases((r.data, r.ingest_seq) for r in store.get_releases(ocid))
        notice = build_notice(record.compiled, releases, store_reference(store), moment)
    if as_json:
        sys.stdout.write(orjson.dumps(notice.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        render_notice(notice, out)


@app.command("list")
def list_command(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 50,
) -> None:
    """List the records in the store: ocid, notice type, stage, title, buyer."""
    with open_store(db) as store:
        table = records_table(store, limit)
    out.print(table)


def records_table(store: Store, limit: int) -> Table:
    table = Table(title="Notices in the store", title_justify="left")
    table.add_column("ocid", no_wrap=True)
    for column in ("type", "stage", "title", "buyer"):
        table.add_column(column, overflow="fold")
    for n, record in enumerate(store.iter_records()):
        if n >= limit:
            break
        table.add_row(
            record.ocid,
            record.notice_type or "",
            record.stage or "",
            record.title or "",
            record.buyer_name or "",
        )
    return table


@app.command("export")
def export_command(
    kind: Annotated[ExportKind, typer.Argument(help="What to export.")],
    ocid: Annotated[list[str] | None, typer.Option("--ocid", help="Only this ocid (repeatable).")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout).")
    ] = None,
    package: Annotated[
        bool,
        typer.Option("--package", help="Write one release package (releases) or record package (others)."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Export compiled releases, versioned releases, releases or records as JSON Lines (or a package)."""
    with open_store(db) as store:
        if ocid:
            missing = [o for o in ocid if store.get_record(o) is None]
            if missing:
                raise fail(f"not in the store: {', '.join(missing)}")
        target = output.open("wb") if output else nullcontext(sys.stdout.buffer)
        with target as stream:
            if package:
                count = write_package(store, kind, stream, ocid)
            else:
                count = write_json_lines(export_items(store, kind, ocid), stream)
    if output:
        err.print(f"wrote {count} {kind.value} to {output}")


@app.command("stats")
def stats_command(db: DbOption = None) -> None:
    """Counts: releases and records, and records by source, notice type and stage."""
    with open_store(db) as store:
        counts = store.counts()
        stats = store.stats()
    table = Table(title="Store", show_header=False, title_justify="left")
    for label, value in counts.items():
        table.add_row(label, str(value))
    out.print(table)
    for name, values in stats.items():
        by = Table(title=f"Records by {name}", title_justify="left")
        by.add_column(name)
        by.add_column("records", justify="right")
        for value, n in values.items():
            by.add_row(value, str(n))
        out.print(by)


# -- reference data ---------------------------------------------------------------------------


@reference_load_app.command("cpv")
def reference_load_cpv(
    file: Annotated[
        Path, typer.Argument(help="A CPV 2008 CSV with CODE,EN columns.", exists=True, dir_okay=False)
    ],
    db: DbOption = None,
) -> None:
    """Load the full official CPV list (labels for every code, CPV groups)."""
    with open_store(db) as store:
        try:
            n = store.replace_cpv(parse_cpv_file(file))
        except ValueError as error:
            raise fail(str(error)) from error
    out.print(f"loaded {n} CPV codes from {file}")


@reference_load_app.command("onspd")
def reference_load_onspd(
    file: Annotated[
        Path, typer.Argument(help="The ONS Postcode Directory (zip or CSV).", exists=True, dir_okay=False)
    ],
    db: DbOption = None,
) -> None:
    """Load the ONS Postcode Directory: local authority, ward and constituency for buyers' postcodes."""
    with open_store(db) as store:
        try:
            with err.status("loading postcodes…"):
                n = store.replace_postcodes(parse_onspd(file))
        except ValueError as error:
            raise fail(str(error)) from error
    out.print(f"loaded {n} live postcodes from {file}")


# -- database ---------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Bring the database schema to the current revision."""
    settings = Settings.load(db)
    with open_store(db):
        pass
    out.print(f"{settings.database_url}: at revision {migrate.head_revision()}")


@db_app.command("status")
def db_status(db: DbOption = None) -> None:
    """Show the database URL and its schema revision."""
    settings = Settings.load(db)
    from tenderlens.store.store import create_store_engine  # noqa: PLC0415

    engine = create_store_engine(settings.database_url)
    try:
        current = migrate.current_revision(engine)
    finally:
        engine.dispose()
    head = migrate.head_revision()
    state = "up to date" if current == head else "needs `tenderlens db upgrade`"
    out.print(f"database: {settings.database_url}\nrevision: {current or 'none'} (head {head}, {state})")


@db_app.command("copy")
def db_copy(
    to: Annotated[str, typer.Option("--to", help="The target database URL (e.g. postgresql+psycopg://...).")],
    db: DbOption = None,
    batch: Annotated[int, typer.Option(help="Rows per target transaction.")] = 2000,
) -> None:
    """Copy this store into another database (e.g. SQLite into PostgreSQL). Rerun to resume."""
    from tenderlens.store.copy import copy_store, row_counts  # noqa: PLC0415

    with open_store(db) as source, open_store(to) as target:
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            console=err,
        )
        tasks: dict[str, Any] = {}

        def advance(table: str, n: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(table, total=total)
            progress.advance(tasks[table], n)

        with progress if err.is_terminal else nullcontext():
            copied = copy_store(source, target, batch=batch, progress=advance)
        source_counts, target_counts = row_counts(source), row_counts(target)
        # Records are copied; the search index is backend-specific, so rebuild it there.
        target.mark_all_pending()
        with err.status("rebuilding records and the search index on the target…"):
            compile_pending(target)
    table = Table(title="db copy", title_justify="left")
    for column in ("table", "copied now", "source rows", "target rows"):
        table.add_column(column, justify="right" if column != "table" else "left")
    for name, n in copied.items():
        table.add_row(name, str(n), str(source_counts[name]), str(target_counts[name]))
    out.print(table)
    if source_counts != target_counts:
        raise fail("the stores differ in row counts: was the target written to by something else?")


# -- the main job -----------------------------------------------------------------------------

DEMO_OCID = "ocds-h6vhtk-06a838"


@app.command("start")
def start_command(
    paths: Annotated[list[str] | None, typer.Argument(help="Also ingest these files or directories.")] = None,
    db: DbOption = None,
) -> None:
    """Set up the store, load the demo notices (and any PATHs), and show what is there."""
    demo = resources.files("tenderlens") / "demo"
    with open_store(db) as store, resources.as_file(demo) as demo_dir:
        summary = run_ingest(store, [str(demo_dir), *(paths or [])], quiet=True)
        print_summary(summary)
        out.print(records_table(store, 20))
        record = store.get_record(DEMO_OCID)
        if record is not None:
            out.rule(f"tenderlens show {DEMO_OCID}")
            notice = build_notice(record.compiled, [], store_reference(store), datetime.now(UTC))
            render_notice(notice, out)
        url = Settings.load(db).database_url
    out.print(
        Panel(
            "\n".join(
                (
                    f"Your store: [bold]{url}[/]",
                    "Load OCDS data you downloaded (release or record packages, JSON Lines, .gz, folders):",
                    "  [bold]tenderlens ingest PATH...[/]",
                    "Read a notice:         [bold]tenderlens show OCID[/]   (add --json for the data)",
                    "See what is stored:    [bold]tenderlens list[/], [bold]tenderlens stats[/]",
                    "Export as OCDS:        [bold]tenderlens export compiled --package -o out.json[/]",
                    "Full CPV labels:       [bold]tenderlens reference load cpv cpv2008.csv[/]",
                    "Browse and search:     [bold]tenderlens serve[/]   (then open http://127.0.0.1:8000/)",
                    "Live notices:          [bold]tenderlens harvest fts[/] or [bold]serve --harvest[/]",
                    "Accounts, alerts:      [bold]serve --alerts[/], TENDERLENS_SMTP_HOST (docs/accounts.md)",
                )
            ),
            title="Next steps",
        )
    )
    raise typer.Exit(summary.exit_code)


def main() -> None:
    app()
