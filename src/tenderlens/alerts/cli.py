"""``tenderlens alerts run``: one alert cycle (or, with ``--follow``, one every ``--every``).

A thin shell over :func:`tenderlens.alerts.cycle.run_cycle`; e-mail goes through the SMTP
server in ``TENDERLENS_SMTP_*`` and links point at ``TENDERLENS_BASE_URL``.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime
from typing import Annotated

import orjson
import typer

from tenderlens.alerts.cycle import CycleSummary, run_cycle
from tenderlens.alerts.settings import AlertSettings
from tenderlens.cli_common import DbOption, err, fail, out
from tenderlens.exceptions import LockBusy, TenderlensError
from tenderlens.harvest.settings import parse_duration
from tenderlens.mail import Mailer
from tenderlens.settings import Settings
from tenderlens.store import Store

alerts_app = typer.Typer(
    name="alerts",
    help="E-mail alerts: saved searches, watched notices' changes, deadline reminders.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _line(summary: CycleSummary) -> str:
    return (
        f"{summary.search_emails} search e-mail(s) with {summary.notices_alerted} notice(s) "
        f"from {summary.searches_due} due search(es); {summary.watch_emails} watchlist e-mail(s) "
        f"with {summary.changes} change(s) and {summary.reminders} reminder(s)"
    )


def follow_alerts(url: str, stop: threading.Event, settings: AlertSettings | None = None) -> None:
    """Alert cycles every ``settings.every`` seconds until ``stop`` (``tenderlens serve --alerts``)."""
    settings = settings or AlertSettings.load()
    mailer = Mailer()
    with Store.open(url) as store:
        while not stop.is_set():
            try:
                summary = run_cycle(store, mailer, datetime.now(UTC), settings=settings)
            except LockBusy as error:
                err.print(f"alerts: skipped: {error}")
            except TenderlensError as error:
                err.print(f"[bold red]alerts:[/] {error}", highlight=False)
            else:
                if summary.search_emails or summary.watch_emails or summary.failures:
                    err.print(f"alerts: {_line(summary)}", highlight=False)
                for problem in summary.failures:
                    err.print(f"[bold red]alerts: not sent:[/] {problem}", highlight=False)
            stop.wait(settings.every)


def start_alerts_thread(url: str, stop: threading.Event) -> threading.Thread:
    """The alert loop beside the web app, in a daemon thread."""
    settings = AlertSettings.load()
    thread = threading.Thread(
        target=follow_alerts, args=(url, stop, settings), name="tenderlens-alerts", daemon=True
    )
    thread.start()
    err.print(f"tenderlens: running alert cycles every {settings.every:g} s in the background")
    return thread


@alerts_app.command("run")
def run_command(
    db: DbOption = None,
    follow: Annotated[bool, typer.Option("--follow", help="Keep running a cycle every --every.")] = False,
    every: Annotated[
        str | None,
        typer.Option(
            "--every", help="Time between cycles with --follow (e.g. 5m, 1h; default 5m).", show_default=False
        ),
    ] = None,
    json: Annotated[
        bool, typer.Option("--json", help="Print each cycle's summary as one JSON line.")
    ] = False,
) -> None:
    """Run one alert cycle: e-mail what is due, once (running it again sends nothing new)."""
    try:
        settings = AlertSettings.load()
        interval = parse_duration(every) if every else settings.every
    except (TenderlensError, ValueError) as error:
        raise fail(str(error)) from None
    stop = threading.Event()
    try:
        store = Store.open(Settings.load(db).database_url)
    except TenderlensError as error:
        raise fail(str(error)) from None
    mailer = Mailer()
    failed = False
    with store, contextlib.suppress(KeyboardInterrupt):
        while True:
            try:
                summary = run_cycle(store, mailer, datetime.now(UTC), settings=settings)
            except LockBusy as error:
                err.print(f"skipped: {error}")
            else:
                failed = bool(summary.failures)
                if json:
                    out.print_json(orjson.dumps(summary.as_dict()).decode())
                else:
                    out.print(_line(summary), highlight=False)
                for problem in summary.failures:
                    err.print(f"[bold red]not sent:[/] {problem}", highlight=False)
            if not follow or stop.wait(interval):
                break
    if failed and not follow:
        raise typer.Exit(1)
