"""The auto-close job runs every minute: a run that closes nothing leaves no trace.

Every open app reloads its board when a new Event appears (``ChangeFeed``), so an
Event written by every run, closing something or not, reloaded every board once a
minute for nothing (the SLA sweep was already quiet). When the job last ran is the
worker's to say (its health's last results), not the audit trail's.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from regentra_core.change_feed import ChangeFeed
from regentra_core.enums import Status
from regentra_core.events import EventKind
from regentra_core.store.models import Event


def _events(db) -> tuple[int, int]:
    """How many Events there are, and the newest id."""
    with db.read() as s:
        count, newest = s.exec(select(func.count(), func.max(Event.id))).one()
    return int(count), int(newest or 0)


def _runs(db) -> list[Event]:
    with db.read() as s:
        return list(s.exec(select(Event).where(Event.kind == EventKind.AUTO_CLOSE_RUN)).all())


def test_an_auto_close_run_that_closes_nothing_writes_no_event(desk, db, new_ticket, clock):
    new_ticket()  # an open ticket: never the job's
    resolved = new_ticket()
    desk.change_status(resolved.number, Status.RESOLVED)
    count, newest = _events(db)
    feed = ChangeFeed(newest)

    assert desk.run_auto_close(clock.now + timedelta(hours=23)) == []  # not due yet
    assert desk.run_auto_close(clock.now + timedelta(hours=23, minutes=1)) == []

    assert _events(db) == (count, newest)
    assert feed.poll(db) is None  # no board reloads
    assert _runs(db) == []


def test_an_auto_close_run_that_closes_a_ticket_records_the_run(desk, db, new_ticket, clock):
    t = new_ticket()
    desk.change_status(t.number, Status.RESOLVED)
    _, newest = _events(db)
    feed = ChangeFeed(newest)

    assert desk.run_auto_close(clock.now + timedelta(hours=25)) == [t.number]

    assert feed.poll(db) == {t.number}
    [run] = _runs(db)
    assert (run.to_value, run.actor, run.ticket_id) == ("1", "system:auto-close", None)
