"""The README documents every command, and the docs it links to exist."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from tenderlens.cli import app

REPO = Path(__file__).resolve().parent.parent


def command_paths(group: object, prefix: str = "tenderlens") -> list[str]:
    click_group = typer.main.get_command(app) if group is app else group
    paths = []
    for name, command in sorted(getattr(click_group, "commands", {}).items()):
        path = f"{prefix} {name}"
        if getattr(command, "commands", None):
            paths.extend(command_paths(command, path))
        else:
            paths.append(path)
    return paths


def test_every_command_is_in_the_readme() -> None:
    readme = " ".join((REPO / "README.md").read_text().split())
    commands = command_paths(app)
    assert "tenderlens ingest" in commands
    missing = []
    for path in commands:
        words = path.split()
        # "tenderlens db upgrade" may be written "tenderlens db status | db upgrade".
        if path not in readme and not (len(words) == 3 and f"{words[1]} {words[2]}" in readme):
            missing.append(path)
    assert missing == []


def test_linked_docs_exist() -> None:
    readme = (REPO / "README.md").read_text()
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        if not link.startswith("http"):
            assert (REPO / link).exists(), link
