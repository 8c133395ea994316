"""``tenderlens search``: the search index's own maintenance (the text index beside the store).

A thin shell over :func:`tenderlens.search.engine.sync_engine`. Ingest keeps the index in step
on its own; ``reindex`` is for a store written by an older tenderlens or by another program,
and for a damaged index (``--full`` rebuilds it from the store).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tenderlens.cli_common import DbOption, err, fail, out
from tenderlens.exceptions import TenderlensError
from tenderlens.search.engine import directory_for, sync_engine
from tenderlens.settings import Settings
from tenderlens.store import Store

search_app = typer.Typer(
    name="search",
    help="The search index: bring it in step with the store, or rebuild it.",
    no_args_is_help=True,
    add_completion=False,
)


@search_app.command("reindex")
def reindex_command(
    db: DbOption = None,
    full: Annotated[
        bool, typer.Option("--full", help="Rebuild from the store, not only the changes.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Bring the text index beside the store in step with it (ingest does this after each run)."""
    try:
        store = Store.open(Settings.load(db).database_url)
    except TenderlensError as error:
        raise fail(str(error)) from error
    try:
        directory = directory_for(store.engine)
        if directory is None:
            raise fail("this store has no place for a text index (an in-memory database)")
        progress = Progress(
            TextColumn("indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        task = progress.add_task("indexing", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        interactive = err.is_terminal and not quiet
        if interactive:
            progress.start()
        try:
            synced = sync_engine(store.engine, advance, full=full)
        finally:
            if interactive:
                progress.stop()
        if not synced:
            raise fail(f"another process is writing the text index at {directory}; try again when it is done")
        out.print(f"text index in step: {directory}")
    finally:
        store.close()
