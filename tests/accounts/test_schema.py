"""Migration 0004 creates exactly the tables :mod:`tenderlens.accounts.tables` declares, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tenderlens.accounts.tables import metadata
from tenderlens.store import Store, migrate


def test_one_head() -> None:
    assert len(ScriptDirectory.from_config(migrate._config()).get_heads()) == 1


def test_migration_matches_the_table_definitions(store_url: str) -> None:
    with Store.open(store_url) as store, store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        ours = set(metadata.tables)
        diffs = [
            diff
            for diff in compare_metadata(context, metadata)
            # Tables of other packages (releases, search...) are "removed" relative to ours.
            if not (diff[0] == "remove_table" and diff[1].name not in ours)
            and not (diff[0] == "remove_index" and diff[1].table.name not in ours)
        ]
        assert diffs == []
        assert ours <= set(inspect(conn).get_table_names())
