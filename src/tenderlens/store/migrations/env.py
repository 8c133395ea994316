"""Alembic environment: runs on the connection tenderlens hands it (see store.migrate)."""

from __future__ import annotations

from alembic import context

from tenderlens.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("run migrations through `tenderlens db upgrade`, which passes a connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
