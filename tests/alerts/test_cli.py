"""``tenderlens alerts run``: one cycle from the command line, e-mail through ``TENDERLENS_SMTP_*``."""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from tenderlens.alerts.cli import start_alerts_thread
from tenderlens.cli import app
from tenderlens.ingest import ingest
from tenderlens.store import Store
from tests.alerts.conftest import save_search, verified_user
from tests.match.generated import family_releases
from tests.web.webdata import write_package

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from tests.accounts.mailbox import Mailbox


def test_alerts_run_sends_once(
    store_url: str, tmp_path: Path, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(store_url) as store:
        user = verified_user(store, "cli@example.org")
        save_search(store, user, "Catering", "cpv=55")
        ingest(store, [write_package(tmp_path, family_releases(per_family=2)["catering"])])
    monkeypatch.setenv("TENDERLENS_SMTP_HOST", mailbox.host)
    monkeypatch.setenv("TENDERLENS_SMTP_PORT", str(mailbox.port))
    monkeypatch.setenv("TENDERLENS_BASE_URL", "https://tenders.example.org")
    runner = CliRunner()
    first = runner.invoke(app, ["alerts", "run", "--db", store_url])
    assert first.exit_code == 0, first.output
    assert "1 search e-mail(s) with 2 notice(s) from 1 due search(es)" in first.output
    (message,) = mailbox.wait(1)
    assert "https://tenders.example.org/alerts/unsubscribe/" in mailbox.text(message)
    again = runner.invoke(app, ["alerts", "run", "--db", store_url, "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["search_emails"] == 0


def test_alerts_run_says_what_is_wrong(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["alerts", "run", "--db", sqlite_url, "--every", "soon"])
    assert result.exit_code == 1
    assert "not a duration" in result.output


def test_the_background_loop_sends_and_stops(
    store_url: str, tmp_path: Path, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(store_url) as store:
        user = verified_user(store, "loop@example.org")
        save_search(store, user, "Cleaning", "cpv=909")
        ingest(store, [write_package(tmp_path, family_releases(per_family=2)["cleaning"])])
    monkeypatch.setenv("TENDERLENS_SMTP_HOST", mailbox.host)
    monkeypatch.setenv("TENDERLENS_SMTP_PORT", str(mailbox.port))
    monkeypatch.setenv("TENDERLENS_ALERTS_EVERY", "50ms")
    stop = threading.Event()
    thread = start_alerts_thread(store_url, stop)
    try:
        mailbox.wait(1)
        time.sleep(0.3)  # several more cycles: nothing new to send
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(mailbox.messages) == 1
