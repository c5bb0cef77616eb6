"""Saved views: filters round-trip as JSON and are kept per technician."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from regentra_core import queries, views
from regentra_core.desk import Desk
from regentra_core.enums import Channel, Priority, Status
from regentra_core.errors import NotFoundError, ValidationError
from regentra_core.queries import TicketFilter
from regentra_core.sla import Badge
from regentra_core.views import dump_filter, load_filter


def test_a_filter_round_trips_through_json():
    f = TicketFilter(
        statuses=(Status.OPEN, Status.ESCALATED),
        priorities=(Priority.HIGH,),
        assignee="none",
        client="Acme",
        since=datetime(2026, 1, 1, tzinfo=UTC),
        until=datetime(2026, 2, 1, tzinfo=UTC),
        text="printer",
        sla=(Badge.AT_RISK,),
        channels=(Channel.SMS, Channel.CHAT),
    )
    assert load_filter(dump_filter(f)) == f


def test_garbage_is_refused_clearly():
    with pytest.raises(ValidationError):
        load_filter('{"statuses": ["nope"]}')


def test_every_technician_starts_with_the_default_tabs(db, alice):
    names = [v.name for v in views.saved_views(db, alice.technician_id, "alice")]
    assert names == ["All open", "My open", "Unassigned", "Breached"]


def test_views_are_per_technician_and_removal_keeps_the_row(db, desk, alice, bob, clock):
    desk.save_view("Printers", TicketFilter(text="printer"))
    desk.save_view("My open", TicketFilter(assignee="alice", statuses=(Status.OPEN,)))
    mine = views.saved_views(db, alice.technician_id, "alice")
    assert [v.name for v in mine][-1] == "Printers"
    assert next(v for v in mine if v.name == "My open").filter.statuses == (Status.OPEN,)
    theirs = views.saved_views(db, bob.technician_id, "bob")
    assert "Printers" not in [v.name for v in theirs]
    desk.remove_view("Printers")
    assert "Printers" not in [v.name for v in views.saved_views(db, alice.technician_id, "a")]
    with pytest.raises(NotFoundError):
        desk.remove_view("Printers")
    Desk(db, bob, source="test", clock=clock).save_view("Printers", TicketFilter())


def test_the_board_holds_this_weeks_done_tickets_and_the_list_all(desk, db, new_ticket, clock):
    # A desk's years of closed tickets made every board load rank them all; the
    # board's done columns now hold the recent ones, the list (status filter) all.
    from datetime import timedelta

    old, recent, working = new_ticket(), new_ticket(), new_ticket()
    desk.change_status(old.number, Status.RESOLVED)
    clock.advance(days=8)
    desk.change_status(recent.number, Status.RESOLVED)
    desk.change_status(working.number, Status.IN_PROGRESS)
    since = clock.now - timedelta(days=7)
    f = TicketFilter()
    counts = queries.count_by_status(db, f, now=clock.now, done_since=since)
    pages = queries.first_pages_by_status(db, f, 10, now=clock.now, done_since=since)
    assert counts[Status.RESOLVED] == 1 and counts[Status.IN_PROGRESS] == 1
    assert [r.number for r in pages[Status.RESOLVED]] == [recent.number]
    assert [r.number for r in pages[Status.IN_PROGRESS]] == [working.number]
    everything = queries.list_tickets(db, TicketFilter(statuses=(Status.RESOLVED,)))
    assert {r.number for r in everything} == {old.number, recent.number}


def test_a_column_counted_empty_is_not_asked_for_its_page(desk, db, new_ticket, clock, monkeypatch):
    """The board counts first; a column with nothing in it (a search's done columns,
    mostly) costs no statement for its page, and the others' pages are the same."""
    from datetime import timedelta

    from regentra_core.queries import tickets

    working = new_ticket()
    desk.change_status(working.number, Status.IN_PROGRESS)
    since = clock.now - timedelta(days=7)
    f = TicketFilter()
    counts = queries.count_by_status(db, f, now=clock.now, done_since=since)
    every = queries.first_pages_by_status(
        db, f, 10, now=clock.now, done_since=since, sort=queries.SortKey.SLA
    )
    asked = []
    list_tickets = tickets.list_tickets

    def recorded(db, f, **options):  # type: ignore[no-untyped-def]
        asked.append(f.statuses)
        return list_tickets(db, f, **options)

    monkeypatch.setattr(tickets, "list_tickets", recorded)
    pages = queries.first_pages_by_status(
        db, f, 10, now=clock.now, done_since=since, sort=queries.SortKey.SLA, counted=counts
    )
    assert asked == [(Status.IN_PROGRESS,)]
    assert pages == every
