"""``regentra migrate-db``: a SQLite desk copied whole into another database.

In the PostgreSQL pass the target (``db_path``) is a PostgreSQL database: the move a
team makes when it outgrows one host.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from regentra_core import queries
from regentra_core.demo import load_demo
from regentra_core.desk import Desk, resolve_os_technician
from regentra_core.enums import Channel, Priority
from regentra_core.identity import os_username
from regentra_core.store import Database, upgrade
from regentra_core.store.copy import tables

from .conftest import Regentra

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def old_desk(tmp_path) -> str:
    """The demo desk on SQLite, plus a child whose master is a newer ticket."""
    path = str(tmp_path / "old.db")
    db = Database(path)
    upgrade(db)
    load_demo(db, operator=os_username(), now=NOW)
    desk = Desk(db, resolve_os_technician(db), source="test", clock=lambda: NOW)
    oldest = queries.list_tickets(db, limit=1)[0].number
    newest = desk.create_ticket(
        subject="Outage master",
        description="",
        priority=Priority.HIGH,
        channel=Channel.PORTAL,
        contact_email="ops@acme.example",
    ).number
    desk.promote(newest)
    desk.link(newest, oldest)
    db.close()
    return path


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()
        }


def test_a_desk_is_copied_whole_and_verified_then_works_there(old_desk, db_path):
    result = Regentra(old_desk)("migrate-db", "--to", db_path)
    assert result.exit_code == 0, result.output
    assert "checksum match" in result.output

    source, target = Database(old_desk), Database(db_path)
    try:
        assert _counts(target) == _counts(source)
        assert [r.number for r in queries.list_tickets(target, limit=500)] == [
            r.number for r in queries.list_tickets(source, limit=500)
        ]
        master = max(r.number for r in queries.list_tickets(source, limit=500))
        child = queries.get_ticket(target, min(r.number for r in queries.list_tickets(target)))
        assert child.master == master
        # The copy is a working desk: new rows get fresh ids and the next number.
        desk = Desk(target, resolve_os_technician(target), source="test", clock=lambda: NOW)
        made = desk.create_ticket(
            subject="After the move",
            description="",
            priority=Priority.LOW,
            channel=Channel.PORTAL,
            contact_email="new@acme.example",
        )
        assert made.number == master + 1
        desk.add_note(made.number, "first note on the new database")
    finally:
        source.close()
        target.close()


def test_a_database_that_already_holds_a_desk_is_refused(old_desk, db_path):
    assert Regentra(old_desk)("migrate-db", "--to", db_path).exit_code == 0
    again = Regentra(old_desk)("migrate-db", "--to", db_path)
    assert again.exit_code != 0
    assert "already holds tickets" in again.output
