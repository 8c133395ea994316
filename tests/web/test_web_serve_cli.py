"""``serve_command``: wired into a typer app, it compiles what is pending and hands the app to uvicorn."""

from __future__ import annotations

import typer
import uvicorn
import uvloop
from typer.testing import CliRunner
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tenderlens.store import Store
from tenderlens.web.cli import serve_command
from tests.web.conftest import load


def test_serve_command_runs_uvicorn_with_the_app(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    load(url, tmp_path / "in")
    with Store.open(url) as store:
        store.mark_all_pending()
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: calls.append((app, options)))
    cli = typer.Typer()
    cli.command("serve")(serve_command)
    cli.command("noop")(lambda: None)  # a group, like the real CLI, so "serve" is a subcommand
    result = CliRunner().invoke(cli, ["serve", "--db", url, "--port", "8123", "--host", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    ((app, options),) = calls
    assert options["host"] == "127.0.0.1"
    assert options["port"] == 8123
    assert app.title == "tenderlens"
    with Store.open(url) as store:
        assert store.pending_count() == 0  # compiled (and indexed) before serving
    # uvicorn's defaults pick its C parser and event loop when installed (the notice page's p99
    # depends on them, benchmarks/RESULTS.md): the options must not pin the pure-Python ones.
    config = uvicorn.Config(app, **options)
    config.load()
    assert config.http_protocol_class is HttpToolsProtocol
    assert config.get_loop_factory() is uvloop.new_event_loop


def test_serve_command_rebuilds_a_missing_index(tmp_path, monkeypatch) -> None:
    from sqlalchemy import delete

    from tenderlens.search.index import missing_from_index
    from tenderlens.search.tables import search_index

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    load(url, tmp_path / "in")
    with Store.open(url) as store, store.engine.begin() as conn:
        conn.execute(delete(search_index))
    with Store.open(url) as store:
        assert missing_from_index(store.engine) == 4
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: None)
    cli = typer.Typer()
    cli.command("serve")(serve_command)
    cli.command("noop")(lambda: None)
    assert CliRunner().invoke(cli, ["serve", "--db", url]).exit_code == 0
    with Store.open(url) as store:
        assert missing_from_index(store.engine) == 0


def test_serve_command_reports_a_bad_database(monkeypatch) -> None:
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: None)
    cli = typer.Typer()
    cli.command("serve")(serve_command)
    cli.command("noop")(lambda: None)
    result = CliRunner().invoke(cli, ["serve", "--db", "mysql://nope"])
    assert result.exit_code == 1


def test_create_app_without_a_url_uses_the_settings(tmp_path, monkeypatch) -> None:
    """What ``uvicorn --factory tenderlens.web.app:create_app`` does (docs/deploy.md)."""
    from tenderlens.web.app import create_app
    from tests.web.conftest import TestClient

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    load(url, tmp_path / "in")
    monkeypatch.setenv("TENDERLENS_DATABASE_URL", url)
    with TestClient(create_app()) as client:
        assert client.get("/search.json").json()["total"] == 4
