"""The store: migrations match the models, SQLite is set up for many processes."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from regentra_core.errors import StoreError
from regentra_core.store import Database, upgrade
from regentra_core.store.migrate import current_revision, head_revision
from regentra_core.store.types import UTCDateTime


def test_migrations_build_exactly_the_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_reaches_head(db):
    assert current_revision(db) == head_revision()
    assert upgrade(db) is False


def test_sqlite_runs_in_wal_with_a_busy_timeout_and_foreign_keys(db):
    with db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_write_session_takes_the_write_lock_before_its_first_write(db, db_path):
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with db.write() as s:
            s.execute(text("SELECT 1"))  # only a read so far
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again after commit
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_read_session_does_not_block_writers(db, db_path):
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with db.read() as s:
            s.execute(text("SELECT count(*) FROM ticket")).scalar()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_in_memory_sqlite_is_refused_clearly():
    with pytest.raises(StoreError, match="in-memory"):
        Database("sqlite://")


def test_unwritable_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create"):
        Database(str(blocker / "sub" / "desk.db"))


def test_naive_datetimes_are_refused_at_the_boundary():
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), sqlite3)  # type: ignore[arg-type]
