"""Bring a database to the newest schema with Alembic, safely from many processes.

Called by ``regentra init`` and on every start. The upgrade runs inside one write
transaction (``BEGIN IMMEDIATE`` on SQLite, where DDL is transactional), so two
technicians starting at once serialise: the second finds the schema at head.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ..errors import StoreError
from .engine import Database

if TYPE_CHECKING:
    from alembic.config import Config

_SCRIPTS = Path(__file__).with_name("migrations")

HEAD = "0021"
"""The newest migration's revision (a test holds it to the scripts). Every command
opens the database and finds it at head: read with one query, that costs nothing,
while importing Alembic to ask cost a quarter of a second of every command's start.
Alembic is imported only when there is something to upgrade."""


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migration scripts."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head_revision() -> str | None:
    """The newest revision the scripts hold."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database) -> bool:
    """Upgrade ``db`` to head; return True if anything was applied."""
    try:
        if _at(db) == HEAD:
            return False
    except DBAPIError:
        pass  # no version table yet, or unreadable: Alembic says which below
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.util import CommandError

    head = head_revision()
    try:
        current = current_revision(db)
        if current == head:
            return False
        if current is None:
            _refuse_foreign(db)
        config = alembic_config()
        with db.write_engine.connect() as conn:
            raw = conn.connection.driver_connection if db.is_sqlite else None
            if raw is not None:
                # SQLite alters a table by copying and dropping it, which foreign keys
                # forbid; the switch only works outside a transaction. The keys are
                # checked by hand before commit and switched back on after.
                raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    config.attributes["connection"] = conn
                    # Another process may have upgraded while we waited for the lock.
                    if MigrationContext.configure(conn).get_current_revision() == head:
                        return False
                    command.upgrade(config, "head")
                    if raw is not None:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                        if broken:
                            raise StoreError(f"migration broke foreign keys: {broken[:5]}")
            finally:
                if raw is not None:
                    raw.execute("PRAGMA foreign_keys=ON")
    except DBAPIError as exc:
        raise StoreError(db.explain(exc)) from exc
    except (SQLAlchemyError, CommandError) as exc:
        raise StoreError(f"cannot bring {db.display_url} up to date: {exc}") from exc
    return True


def _at(db: Database) -> str | None:
    """The version row Alembic keeps, read without Alembic."""
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    return str(rows[0][0]) if len(rows) == 1 else None


def _refuse_foreign(db: Database) -> None:
    """An unversioned database that already has tables belongs to something else."""
    with db.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
    if tables:
        raise StoreError(
            f"{db.path or db.display_url} is not a Regentra database "
            f"(it has other tables: {', '.join(sorted(tables)[:5])})"
        )
