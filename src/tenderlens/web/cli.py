"""``tenderlens serve``: the web app on a local port (uvicorn), over the same store as the CLI.

Wire it into the main CLI with ``app.command("serve")(serve_command)``; typer reads the
options from the annotations below.
"""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from tenderlens.cli_common import DbOption, err
from tenderlens.exceptions import TenderlensError
from tenderlens.settings import Settings


def serve_command(  # noqa: PLR0917 - one parameter per option, as typer reads them
    host: Annotated[
        str, typer.Option(help="Interface to listen on (0.0.0.0 for every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOption = None,
    harvest: Annotated[
        bool,
        typer.Option(
            "--harvest",
            help="Also keep harvesting every source (Find a Tender, Contracts Finder) in the "
            "background, so the pages show live data. Settings: TENDERLENS_HARVEST_*.",
        ),
    ] = False,
    harvest_base_url: Annotated[
        list[str] | None,
        typer.Option(
            "--harvest-base-url",
            help="With --harvest: harvest a mirror or test server instead, as NAME=URL (repeatable).",
        ),
    ] = None,
    alerts: Annotated[
        bool,
        typer.Option(
            "--alerts", help="Also run the e-mail alert cycle in the background (TENDERLENS_ALERTS_*)."
        ),
    ] = False,
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
    base_urls = {}
    for item in harvest_base_url or []:
        name, sep, base = item.partition("=")
        if not sep or not base:
            err.print(
                f"[bold red]error:[/] --harvest-base-url {item!r}: write NAME=URL (e.g. fts=http://...)"
            )
            raise typer.Exit(1)
        base_urls[name] = base
    stop, follower = threading.Event(), None
    if harvest:
        follower = start_harvest_thread(url, stop, base_urls)
    if alerts:
        from tenderlens.alerts.cli import start_alerts_thread  # noqa: PLC0415 - only with --alerts

        start_alerts_thread(url, stop)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
    finally:
        stop.set()
        if follower is not None:
            follower.join(timeout=30)


def start_harvest_thread(url: str, stop: threading.Event, base_urls: dict[str, str]) -> threading.Thread:
    """The harvest follow loop beside the web app: every source, round after round, until ``stop``."""
    from tenderlens.harvest import SOURCES, run_follow_loop  # noqa: PLC0415
    from tenderlens.harvest.logs import harvest_logging  # noqa: PLC0415
    from tenderlens.harvest.settings import HarvestSettings  # noqa: PLC0415

    settings = HarvestSettings.load()

    def follow() -> None:
        with harvest_logging(None):
            run_follow_loop(url, list(SOURCES), settings, stop, base_urls=base_urls)

    thread = threading.Thread(target=follow, name="tenderlens-harvest", daemon=True)
    thread.start()
    err.print(f"tenderlens: harvesting {', '.join(SOURCES)} every {settings.every:g} s in the background")
    return thread
