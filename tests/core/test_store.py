"""The store: migrations match the models, SQLite is set up for many processes."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, select

from regentra_core.errors import StoreError
from regentra_core.store import Database, upgrade
from regentra_core.store.migrate import current_revision, head_revision
from regentra_core.store.models import Ticket
from regentra_core.store.types import UTCDateTime


def test_migrations_build_exactly_the_models(db):
    from regentra_core.search.postgres import METADATA as SEARCH_TABLES

    expected = SQLModel.metadata if db.is_sqlite else [SQLModel.metadata, SEARCH_TABLES]
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), expected)
    assert diff == []


def test_upgrade_is_idempotent_and_reaches_head(db):
    assert current_revision(db) == head_revision()
    assert upgrade(db) is False


def test_the_known_head_is_the_newest_migration():
    # upgrade() trusts HEAD to skip importing Alembic on every start.
    from regentra_core.store.migrate import HEAD

    assert head_revision() == HEAD


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_with_a_busy_timeout_and_foreign_keys(db):
    with db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.sqlite_only
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


@pytest.mark.sqlite_only
def test_a_read_session_does_not_block_writers(db, db_path):
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with db.read() as s:
            s.execute(text("SELECT count(*) FROM ticket")).scalar()
            other.execute("BEGIN IMMEDIATE")  # timeout=0: raises at once if blocked
            assert other.in_transaction  # the writer has the write lock mid-read
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


@pytest.mark.empty_database
def test_upgrading_an_old_desk_rebuilds_sla_pauses_from_its_events(db_path):
    from alembic import command

    from regentra_core.sla import load_pauses
    from regentra_core.store.migrate import alembic_config

    old = Database(db_path)
    config = alembic_config()
    with old.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    with old.write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ticket (id, number, subject, description, status, priority, "
                "channel, is_master, version, created_at, updated_at) VALUES "
                "(1, 1001, 's', 'd', 'in_progress', 'low', 'email', FALSE, 3, "
                "'2026-03-02 09:00:00', '2026-03-02 12:00:00')"
            )
        )
        for at, before, after in [
            ("2026-03-02 10:00:00", "open", "waiting_on_customer"),
            ("2026-03-02 11:00:00", "waiting_on_customer", "in_progress"),
        ]:
            conn.execute(
                text(
                    "INSERT INTO event (ticket_id, actor, actor_kind, source, kind, from_value, "
                    "to_value, at) VALUES (1, 'alice', 'technician', 'cli', 'status_changed', "
                    ":f, :t, :at)"
                ),
                {"f": before, "t": after, "at": at},
            )
    upgrade(old)
    with old.read() as s:
        stored = s.exec(select(Ticket.sla_pauses).where(Ticket.id == 1)).one()  # typed: text
    old.close()
    [(start, end)] = load_pauses(stored)
    assert (start.hour, end.hour if end else None) == (10, 11)


def test_the_search_outbox_queues_what_changed_and_nothing_else(desk, db, new_ticket):
    from sqlmodel import select

    from regentra_core.store.models import IndexOutbox, Ticket

    def queued() -> list[int | None]:
        with db.read() as s:
            return [row.ticket_id for row in s.exec(select(IndexOutbox)).all()]

    first, second = new_ticket(), new_ticket()
    with db.write() as s:
        for row in s.exec(select(IndexOutbox)).all():
            s.delete(row)
    assert queued() == []
    with db.write() as s:  # set to the same value: marked dirty, nothing changed
        ticket = s.exec(select(Ticket).where(Ticket.number == first.number)).one()
        ticket.subject = ticket.subject
    assert queued() == []
    desk.add_customer_reply(second.number, "Still offline")
    assert queued() == [second.id]


def test_json_the_code_keeps_as_text_is_jsonb_on_postgresql(db, desk, new_ticket):
    """SLA pauses, view filters, rule conditions: JSONB where the database has it
    (checked and queryable), TEXT on SQLite; the code reads text from both."""
    import json

    from regentra_core.enums import Status
    from regentra_core.store.models import Ticket

    t = new_ticket()
    desk.change_status(t.number, Status.WAITING_ON_CUSTOMER)
    with db.read() as s:
        stored = s.exec(select(Ticket).where(Ticket.number == t.number)).one().sla_pauses
    assert isinstance(stored, str) and len(json.loads(stored)) == 1  # one open pause
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect() as conn:
        kinds = dict(
            conn.execute(
                text(
                    "SELECT table_name || '.' || column_name, data_type FROM "
                    "information_schema.columns WHERE column_name IN "
                    "('sla_pauses', 'filter_json', 'conditions', 'actions')"
                )
            ).all()
        )
        assert set(kinds.values()) == {"jsonb"} and len(kinds) == 4
        paused = conn.execute(
            text("SELECT count(*) FROM ticket WHERE jsonb_array_length(sla_pauses) > 0")
        ).scalar_one()
        assert paused >= 1
