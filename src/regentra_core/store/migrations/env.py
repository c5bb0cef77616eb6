"""Alembic environment: runs on the connection ``regentra_core.store.migrate`` gives it.

There is no alembic.ini; the migration runner builds the config in code so that
``regentra init`` and every start upgrade the same way, inside one write transaction.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from regentra_core.store import models  # noqa: F401  (registers the tables)

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through regentra_core.store.migrate")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
