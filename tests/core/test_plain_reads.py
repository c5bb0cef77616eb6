"""The plain (DB-API) readers answer exactly as the ORM queries do, or refuse.

Parity on a varied desk (the demo's tickets, threads, deliveries, time, links and
SLA set-up, plus subjects that need LIKE escaping), on SQLite and, in the
PostgreSQL pass, on PostgreSQL: every filter field, every sort both ways, pages,
the SLA filter and order, search numbers, counts and details, at one fixed "now".
"""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from regentra_core import (
    Actor,
    Badge,
    Channel,
    Desk,
    NotFoundError,
    PlainUnavailable,
    Priority,
    SortKey,
    Status,
    TicketFilter,
    count_tickets,
    list_tickets,
    open_plain,
    plain_count_tickets,
    plain_list_tickets,
    plain_ticket_detail,
    ticket_detail,
)
from regentra_core.demo import load_demo
from regentra_core.store import clock_writes
from regentra_core.store.models import Client, Contact

LOADED = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NOW = LOADED + timedelta(hours=3)


@pytest.fixture
def varied(db):
    """The demo desk, plus subjects with LIKE's special characters and non-ASCII."""
    load_demo(db, now=LOADED, operator="alice")
    desk = Desk(db, Actor.system("test"), source="test", clock=lambda: LOADED)
    with db.read() as s:
        client = s.exec(select(Client).order_by(col(Client.id).desc())).first()
    assert client is not None
    for subject in ("50% off_sale", "Back\\slash path", "Grüße aus Köln"):
        desk.create_ticket(
            subject=subject,
            description="d",
            priority=Priority.HIGH,
            channel=Channel.EMAIL,
            contact_email="odd@example.com",
            client_name=client.name,
        )
    return db


def _filters(db) -> list[TicketFilter]:
    with db.read() as s:
        client = s.exec(select(Client).order_by(col(Client.id))).first()
        contact = s.exec(select(Contact).order_by(col(Contact.id))).first()
    assert client is not None and contact is not None
    since = LOADED - timedelta(days=3)
    return [
        TicketFilter(),
        TicketFilter(statuses=(Status.OPEN,)),
        TicketFilter(statuses=(Status.RESOLVED, Status.CLOSED)),
        TicketFilter(priorities=(Priority.HIGH, Priority.CRITICAL)),
        TicketFilter(assignee="alice"),
        TicketFilter(assignee="none"),
        TicketFilter(client=f"  {client.name.upper()} "),
        TicketFilter(since=since),
        TicketFilter(until=since),
        TicketFilter(since=since, until=LOADED - timedelta(days=1)),
        TicketFilter(text="PRINTER"),
        TicketFilter(text="50%"),
        TicketFilter(text="off_"),
        TicketFilter(text="\\slash"),
        TicketFilter(text="grüße"),
        TicketFilter(numbers=(1001, 1003, 1005, 99999)),
        TicketFilter(numbers=()),
        TicketFilter(channels=(Channel.EMAIL, Channel.SMS)),
        TicketFilter(contact_id=contact.id),
        TicketFilter(client_id=client.id),
        TicketFilter(statuses=(Status.OPEN, Status.IN_PROGRESS), priorities=(Priority.HIGH,)),
        *(TicketFilter(sla=(badge,)) for badge in Badge),
        TicketFilter(sla=(Badge.BREACHED, Badge.AT_RISK), statuses=(Status.OPEN,)),
    ]


@pytest.mark.parametrize("marks", ["current", "stale"])
def test_plain_lists_and_counts_equal_the_orm_queries(varied, marks):
    # Both ways an SLA filter or order is answered: from the stored marks in SQL
    # while they are current, from live clocks while a changed SLA set-up has made
    # them stale (until the sweep marks them again).
    db = varied
    if marks == "stale":
        with db.write() as s:
            s.execute(text("UPDATE desk_state SET sla_marks_gen = sla_marks_gen + 1"))
    with db.read() as s:
        assert clock_writes.marks_are_current(s) == (marks == "current")
    filters = _filters(db)
    pages = [(200, 0), (3, 0), (3, 4), (5, 1000)]
    with open_plain(db.url, username="alice") as plain:
        for f, sort, descending in itertools.product(filters, SortKey, (False, True)):
            for limit, offset in pages:
                asked = {"sort": sort, "descending": descending, "limit": limit, "offset": offset}
                expected = list_tickets(db, f, now=NOW, **asked)
                assert plain_list_tickets(plain, f, now=NOW, **asked) == expected, (f, asked)
        for f in filters:
            assert plain_count_tickets(plain, f, now=NOW) == count_tickets(db, f, now=NOW), f


def test_the_varied_desk_gives_every_filter_something_to_tell_apart(varied):
    # Parity on empty answers would prove nothing: most filters select some tickets
    # and leave others out.
    with open_plain(varied.url, username="alice") as plain:
        total = plain_count_tickets(plain)
        counts = [plain_count_tickets(plain, f, now=NOW) for f in _filters(varied)]
    assert total > 10
    assert sum(0 < n < total for n in counts) >= len(counts) - 6


def test_plain_details_equal_the_orm_detail_of_every_ticket(varied):
    db = varied
    numbers = [row.number for row in list_tickets(db, limit=10_000, now=NOW)]
    with open_plain(db.url, username="alice") as plain:
        for number, limit in itertools.product(numbers, (None, 12)):
            expected = ticket_detail(db, number, now=NOW, body_limit=limit)
            assert plain_ticket_detail(plain, number, now=NOW, body_limit=limit) == expected
        with pytest.raises(NotFoundError, match="no ticket #999999"):
            plain_ticket_detail(plain, 999999)


def test_an_account_that_is_not_an_active_technician_is_left_to_the_orm_path(db, alice):
    with pytest.raises(PlainUnavailable), open_plain(db.url, username="mallory"):
        pass
    with open_plain(db.url, username="alice") as plain:
        assert plain_count_tickets(plain) == 0


@pytest.mark.sqlite_only
def test_a_desk_not_at_the_schema_head_is_left_to_the_orm_path(db, alice):
    assert db.path is not None
    with sqlite3.connect(db.path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0019'")
    with pytest.raises(PlainUnavailable, match="not at"), open_plain(db.url, username="alice"):
        pass


@pytest.mark.parametrize(
    "target",
    ["/nonexistent/folder/desk.db", "sqlite:///:memory:", "mysql://u@h/regentra"],
)
def test_what_the_plain_reader_cannot_open_is_left_to_the_orm_path(target):
    with pytest.raises(PlainUnavailable), open_plain(target, username="alice"):
        pass


@pytest.mark.sqlite_only
def test_a_file_that_is_not_a_desk_is_left_to_the_orm_path(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(PlainUnavailable), open_plain(str(junk), username="alice"):
        pass
