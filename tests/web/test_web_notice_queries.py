"""How many SQL statements one anonymous notice request costs, so a wasted query shows as a failure.

Measured 2026-12-03: in one connection (one BEGIN) the record, its releases, the notice's
facts, the anonymous feedback counts, the shared-keys candidates and their facts — 6 SELECTs,
7 statements (it was 3 connections, 9 statements). Lower the bound when a read is folded into
another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from tests.web.conftest import client_for, load
from tests.web.webdata import CLEANING

if TYPE_CHECKING:
    from pathlib import Path

MAX_SELECTS = 6
MAX_STATEMENTS = 7


def test_notice_page_and_json_statement_count(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'site.sqlite'}"
    load(url, tmp_path / "in")
    with client_for(url) as client:
        engine = client.app.state.tenderlens.store.engine  # type: ignore[attr-defined]
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        for path in (f"/notices/{CLEANING}", f"/notices/{CLEANING}.json"):
            client.get(path).raise_for_status()  # warm: the first request may read reference data
            seen.clear()
            assert client.get(path).status_code == 200
            selects = [statement for statement in seen if statement.lstrip().upper().startswith("SELECT")]
            assert len(selects) <= MAX_SELECTS, (path, selects)
            assert len(seen) <= MAX_STATEMENTS, (path, seen)
            assert len(selects) >= 2, (path, seen)  # the record and its releases are read
