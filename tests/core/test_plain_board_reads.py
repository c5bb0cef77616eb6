"""The app's first paint reads in plain SQL answer exactly as the ORM queries do.

The board (counts per status and the first page of every column, by priority and
by SLA, with and without the done columns cut to the recent week), the acting
technician, the technicians and clients the filter bar offers, and the saved views,
on the demo desk at one fixed "now", on SQLite and in the PostgreSQL pass.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from regentra_core import (
    Badge,
    Desk,
    Priority,
    SortKey,
    Status,
    TicketFilter,
    count_by_status,
    first_pages_by_status,
    list_clients,
    list_technicians,
    open_plain,
    plain_actor,
    plain_clients,
    plain_count_by_status,
    plain_first_pages_by_status,
    plain_saved_views,
    plain_technicians,
    resolve_os_technician,
    saved_views,
)
from regentra_core.demo import load_demo
from regentra_core.store import clock_writes

LOADED = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NOW = LOADED + timedelta(hours=3)
FILTERS = [
    TicketFilter(),
    TicketFilter(statuses=(Status.OPEN,)),
    TicketFilter(priorities=(Priority.HIGH, Priority.CRITICAL)),
    TicketFilter(assignee="alice"),
    TicketFilter(assignee="none"),
    TicketFilter(text="printer"),
    TicketFilter(numbers=(1001, 1003, 1005, 99999)),
    *(TicketFilter(sla=(badge,)) for badge in Badge),
]


@pytest.fixture
def demo(db):
    load_demo(db, now=LOADED, operator="alice")
    return db


@pytest.mark.parametrize("marks", ["current", "stale"])
def test_plain_board_counts_and_first_pages_equal_the_orm_queries(demo, marks):
    db = demo
    if marks == "stale":
        with db.write() as s:
            s.execute(text("UPDATE desk_state SET sla_marks_gen = sla_marks_gen + 1"))
    with db.read() as s:
        assert clock_writes.marks_are_current(s) == (marks == "current")
    sinces = [None, LOADED - timedelta(days=2), NOW + timedelta(days=1)]
    with open_plain(db.url, username="alice") as plain:
        for f, since in itertools.product(FILTERS, sinces):
            asked = {"now": NOW, "done_since": since}
            expected = count_by_status(db, f, **asked)
            assert plain_count_by_status(plain, f, **asked) == expected, (f, since)
            for sort, per_status in itertools.product((SortKey.PRIORITY, SortKey.SLA), (2, 24)):
                wanted = first_pages_by_status(db, f, per_status, sort=sort, **asked)
                got = plain_first_pages_by_status(plain, f, per_status, sort=sort, **asked)
                assert got == wanted, (f, since, sort, per_status)


def test_the_demo_board_has_cards_in_several_columns_to_tell_apart(demo):
    with open_plain(demo.url, username="alice") as plain:
        pages = plain_first_pages_by_status(plain, TicketFilter(), 2, now=NOW)
        counts = plain_count_by_status(plain, TicketFilter(), now=NOW)
    assert sum(1 for rows in pages.values() if rows) >= 3
    assert sum(1 for n in counts.values() if n > 2) >= 2


def test_plain_actor_lists_and_views_equal_the_orm_reads(demo):
    db = demo
    actor = resolve_os_technician(db, "alice")
    desk = Desk(db, actor, source="test", clock=lambda: LOADED)
    desk.save_view("Mine urgent", TicketFilter(assignee="alice", priorities=(Priority.HIGH,)))
    desk.save_view("Breached", TicketFilter(sla=(Badge.BREACHED,)))
    desk.save_view("Gone", TicketFilter(text="vpn"))
    desk.remove_view("Gone")
    desk.remove_view("Breached")
    assert actor.technician_id is not None
    with open_plain(db.url, username="alice") as plain:
        assert plain_actor(plain, "alice") == actor
        assert plain_technicians(plain) == [t.username for t in list_technicians(db)]
        assert plain_clients(plain) == [c.name for c in list_clients(db)]
        views = plain_saved_views(plain, actor.technician_id, "alice")
    assert views == saved_views(db, actor.technician_id, "alice")
    assert "Mine urgent" in [v.name for v in views] and "Breached" not in [v.name for v in views]
