"""``tenderlens harvest ...`` and ``harvest status``, the logs they write, and their docs."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from dataclasses import fields
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import typer.main
from rich.console import Console
from typer.testing import CliRunner

from tenderlens.harvest import SOURCES, HarvestSettings, harvest
from tenderlens.harvest.cli import harvest_app
from tenderlens.harvest.logs import harvest_logging
from tenderlens.store import Store
from tests.harvest.conftest import FAST, FAST_ENV
from tests.harvest.fake_services import FakeAPI, generate_cf, generate_fts

if TYPE_CHECKING:
    from datetime import datetime

pytestmark = pytest.mark.network

REPO = Path(__file__).resolve().parents[2]
STAMP = "%Y-%m-%dT%H:%M:%S"
DAY = timedelta(days=1)


def run(*args: str) -> Any:
    return CliRunner().invoke(harvest_app, list(args), env=FAST_ENV, catch_exceptions=False)


@pytest.fixture
def both(fake_api: FakeAPI, origin: datetime) -> FakeAPI:
    fake_api.services["fts"].add(generate_fts(200, origin, 2 * DAY))
    fake_api.services["contracts-finder"].add(generate_cf(100, origin, 2 * DAY))
    return fake_api


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_harvest_one_source_prints_a_summary_and_logs_json_lines(
    both: FakeAPI, origin: datetime, sqlite_url: str
) -> None:
    window = ["--from", origin.strftime(STAMP) + "Z", "--to", (origin + 2 * DAY).strftime(STAMP) + "Z"]
    result = run("fts", *window, "--base-url", both.url, "--db", sqlite_url, "--json")
    assert result.exit_code == 0, result.output
    [summary] = json.loads(result.stdout)
    assert summary["source"] == "fts"
    assert summary["new"] == 208
    assert summary["windows_done"] == 8
    assert summary["error"] is None
    # Not a terminal: structured logs, one JSON object per line, on stderr.
    logs = json_lines(result.stderr)
    events = [entry["event"] for entry in logs]
    assert events[0] == "harvest_started"
    assert events.count("window_done") == 8
    assert events[-1] == "harvest_finished"
    assert all({"time", "level", "event", "message"} <= set(entry) for entry in logs)
    assert logs[-1]["new"] == 208
    assert any(entry["event"] == "repaired" and entry["level"] == "warning" for entry in logs)

    table = run("fts", *window, "--base-url", both.url, "--db", sqlite_url)
    assert table.exit_code == 0
    text = " ".join(table.stdout.split())
    assert "Harvest: fts" in text
    assert "releases unchanged │ 215" in text  # 208, and the 7 on window edges fetched twice
    assert "releases new │ 0" in text


def test_status_shows_checkpoint_success_and_error(both: FakeAPI, origin: datetime, sqlite_url: str) -> None:
    before = run("status", "--db", sqlite_url)
    assert before.exit_code == 0
    assert before.stdout.count("never harvested") == len(SOURCES)
    end = (origin + DAY).strftime(STAMP)
    assert (
        run(
            "fts", "--from", origin.strftime(STAMP), "--to", end, "--base-url", both.url, "--db", sqlite_url
        ).exit_code
        == 0
    )
    both.rules.append(lambda source, *_: "500" if source == "contracts-finder" else None)
    failed = run("contracts-finder", "--base-url", both.url, "--db", sqlite_url, "--set", "attempts=2")
    assert failed.exit_code == 1
    assert "error" in failed.stdout
    assert "HTTP 500" in failed.stdout

    status = run("status", "--db", sqlite_url)
    assert status.exit_code == 0
    text = " ".join(status.stdout.split())
    assert "fts" in text
    assert "contracts-finder" in text
    assert "HTTP" in text
    assert "500" in text
    [fts, cf] = json.loads(run("status", "--db", sqlite_url, "--json").stdout)
    assert fts["source"] == "fts"
    # --from, --to without an offset are UK time; origin is midnight UTC, so BST shifts it an hour.
    assert fts["checkpoint"].endswith(":00:00Z")
    assert fts["last_success_at"]
    assert fts["last_error"] is None
    assert fts["last_summary"]["new"] > 0
    assert cf["checkpoint"] is None
    assert "HTTP 500" in cf["last_error"]
    assert cf["last_error_at"]


def test_several_sources_at_once_and_all(both: FakeAPI, origin: datetime, sqlite_url: str) -> None:
    window = ["--from", origin.strftime(STAMP) + "Z", "--to", (origin + 2 * DAY).strftime(STAMP) + "Z"]
    mirrors = ["--base-url", f"fts={both.url}", "--base-url", f"contracts-finder={both.url}"]
    result = run("fts", "contracts-finder", *window, *mirrors, "--db", sqlite_url, "--json")
    assert result.exit_code == 0, result.output
    summaries = json.loads(result.stdout)
    assert [s["source"] for s in summaries] == ["fts", "contracts-finder"]
    assert [s["new"] for s in summaries] == [208, 100]
    again = run("all", *window, *mirrors, "--db", sqlite_url, "--json")
    assert again.exit_code == 0
    assert [(s["source"], s["new"], s["unchanged"]) for s in json.loads(again.stdout)] == [
        ("fts", 0, 215),
        ("contracts-finder", 0, 100),
    ]


def test_ocid_from_the_command_line(both: FakeAPI, sqlite_url: str) -> None:
    ocid = both.services["contracts-finder"].releases[3].ocid
    result = run("contracts-finder", "--ocid", ocid, "--base-url", both.url, "--db", sqlite_url, "--json")
    assert result.exit_code == 0, result.output
    [summary] = json.loads(result.stdout)
    assert (summary["ocid"], summary["new"], summary["records_compiled"]) == (ocid, 1, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fts", "nope"], "unknown source 'nope'"),
        (["all", "fts"], "takes no source names"),
        (["fts", "--from", "yesterday"], "--from 'yesterday' is not a date"),
        (["fts", "--from", "2026-02-01", "--to", "2026-01-01"], "--from must be before --to"),
        (["fts", "--follow", "--to", "2026-01-01"], "--to cannot be used with --follow"),
        (["fts", "contracts-finder", "--ocid", "x"], "--ocid fetches one process from one source"),
        (["fts", "contracts-finder", "--base-url", "http://x"], "write NAME=URL"),
        (["fts", "--base-url", "contracts-finder=http://x"], "not being harvested"),
        (["fts", "--set", "speed=1"], "unknown harvest setting 'speed'"),
        (["fts", "--set", "attempts"], "write NAME=VALUE"),
        (["fts", "--every", "often"], "--every='often'"),
    ],
)
def test_bad_options_are_clear_errors(args: list[str], message: str, sqlite_url: str) -> None:
    result = CliRunner().invoke(harvest_app, [*args, "--db", sqlite_url])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())


def test_progress_display_on_a_terminal(both: FakeAPI, origin: datetime, sqlite_url: str) -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=140)
    with harvest_logging(console), Store.open(sqlite_url) as store:
        both.inject("fts", {2: "503"})
        summary = harvest(store, "fts", FAST, start=origin, end=origin + DAY, base_url=both.url)
    assert summary.error is None
    text = stream.getvalue()
    assert "fts" in text
    assert "4/4 windows" in text
    assert "HTTP 503; try 2 of 5" in text  # warnings are printed above the bars


def test_module_entry_point(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.sqlite'}"
    result = subprocess.run(
        [sys.executable, "-m", "tenderlens.harvest", "status", "--db", db],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "never harvested" in result.stdout


def test_main_cli_mounts_harvest() -> None:
    from tenderlens.cli import app

    if not any(group.name == "harvest" for group in app.registered_groups):
        pytest.skip(
            "tenderlens.cli does not mount harvest_app yet (app.add_typer(harvest_app, name='harvest'))"
        )
    result = CliRunner().invoke(app, ["harvest", "--help"])
    assert result.exit_code == 0
    for name in [*SOURCES, "all", "status"]:
        assert name in result.output


# -- docs ---------------------------------------------------------------------------------------


def harvest_commands() -> list[str]:
    group = typer.main.get_command(harvest_app)
    return sorted(getattr(group, "commands", {}))


def test_every_harvest_command_is_in_the_readme() -> None:
    readme = " ".join((REPO / "README.md").read_text().split())
    assert harvest_commands() == sorted([*SOURCES, "all", "status"])
    for name in harvest_commands():
        assert f"tenderlens harvest {name}" in readme, name


def test_every_setting_and_source_is_documented() -> None:
    doc = (REPO / "docs" / "harvest.md").read_text()
    for field in fields(HarvestSettings):
        assert f"`{field.name}`" in doc, field.name
        assert HarvestSettings.env_var(field.name) in doc, field.name
    for source in SOURCES.values():
        assert f"`{source.name}`" in doc
        assert source.path in doc
    linked = re.findall(r"\]\(([^)#]+)\)", (REPO / "README.md").read_text())
    assert "docs/harvest.md" in linked
