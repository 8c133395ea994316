"""``tenderlens serve``: the web app on a local port (uvicorn), over the same store as the CLI.

Wire it into the main CLI with ``app.command("serve")(serve_command)``; typer reads the
options from the annotations below.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from tenderlens.exceptions import TenderlensError
from tenderlens.settings import Settings

err = Console(stderr=True)


def serve_command(
    host: Annotated[
        str, typer.Option(help="Interface to listen on (0.0.0.0 for every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL (sqlite:///PATH or postgresql+psycopg://...). "
            "Default: $TENDERLENS_DATABASE_URL, else an SQLite file in your data directory.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the notices as web pages with JSON twins, search, feeds and downloads."""
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    from tenderlens.ingest import compile_pending  # noqa: PLC0415
    from tenderlens.search.index import missing_from_index  # noqa: PLC0415
    from tenderlens.store import Store  # noqa: PLC0415
    from tenderlens.web.app import create_app  # noqa: PLC0415

    try:
        url = Settings.load(db).database_url
        with Store.open(url) as store:
            if missing_from_index(store.engine):
                store.mark_all_pending()  # an index to rebuild, e.g. after `tenderlens db copy`
            pending = store.pending_count()
            if pending:
                err.print(f"compiling {pending} pending records (this also fills the search index)…")
                compile_pending(store)
        app = create_app(url)
    except TenderlensError as error:
        err.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(1) from error
    err.print(f"tenderlens: serving {url} at http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
