"""Time entries: minutes after hours are 0-59 in every form, and a mistyped entry is
edited or removed by its author or a lead, with an Event saying what it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from regentra_core import queries, reports
from regentra_core.desk import Desk
from regentra_core.durations import format_minutes, parse_minutes
from regentra_core.errors import NoChange, NotFoundError, PermissionDenied, ValidationError
from regentra_core.reports import Period
from regentra_core.store.models import Event, TimeEntry


@pytest.mark.parametrize("typed", ["1h75", "1h 90m", "1:75", "2 hours 60 minutes", "0h60"])
def test_minutes_over_59_after_hours_are_refused_the_same_way_in_every_form(typed):
    with pytest.raises(ValidationError, match="minutes after hours go up to 59"):
        parse_minutes(typed)


@pytest.mark.parametrize(("typed", "total"), [("1h59", 119), ("1:05", 65), ("75", 75), ("75m", 75)])
def test_minutes_alone_or_under_an_hour_after_hours_still_read(typed, total):
    assert parse_minutes(typed) == total


@pytest.mark.parametrize("total", [0, 5, 59, 60, 65, 165, 1440])
def test_the_one_formatter_writes_what_the_parser_reads_back(total):
    assert parse_minutes(format_minutes(total)) == total


def test_refusal_says_what_to_type_instead():
    with pytest.raises(ValidationError, match=r"2h15 or 135"):
        parse_minutes("1h75")


def _events(db, kind: str) -> list[Event]:
    with db.read() as s:
        return list(s.exec(select(Event).where(Event.kind == kind).order_by(col(Event.id))).all())


def _entry_ids(db, number: int) -> list[int]:
    return [e.entry_id for e in queries.ticket_detail(db, number).time_entries]


def test_author_edits_an_entry_and_an_event_keeps_before_and_after(db, bob, clock, new_ticket):
    t = new_ticket()
    bobs = Desk(db, bob, source="test", clock=clock)
    bobs.log_time(t.number, 135, note="printer")
    [entry_id] = _entry_ids(db, t.number)

    edited = bobs.edit_time(entry_id, minutes=75, billable=False)

    assert (edited.entry.minutes, edited.entry.billable, edited.number) == (75, False, t.number)
    detail = queries.ticket_detail(db, t.number)
    assert (detail.total_minutes, detail.billable_minutes) == (75, 0)
    [event] = _events(db, "time_edited")
    assert event.actor == "bob"
    assert event.from_value is not None and "2h 15m billable" in event.from_value
    assert event.to_value is not None and "1h 15m non-billable" in event.to_value


def test_author_removes_an_entry_and_the_event_keeps_all_it_said(db, bob, clock, new_ticket):
    t = new_ticket()
    bobs = Desk(db, bob, source="test", clock=clock)
    bobs.log_time(t.number, 30, note="wrong ticket")
    [entry_id] = _entry_ids(db, t.number)

    bobs.remove_time(entry_id)

    assert queries.ticket_detail(db, t.number).total_minutes == 0
    [event] = _events(db, "time_removed")
    assert event.from_value is not None
    assert "30m billable" in event.from_value and "by bob" in event.from_value
    assert "wrong ticket" in event.from_value


def test_a_removed_entry_is_withdrawn_not_deleted_and_leaves_the_time_report(
    db, bob, clock, new_ticket
):
    t = new_ticket()
    bobs = Desk(db, bob, source="test", clock=clock)
    bobs.log_time(t.number, 30, note="wrong ticket")
    bobs.log_time(t.number, 20)
    first, _second = _entry_ids(db, t.number)
    week = Period(clock.now.date() - timedelta(days=1), clock.now.date() + timedelta(days=1))

    bobs.remove_time(first)

    with db.read() as s:
        kept = s.get(TimeEntry, first)
    assert kept is not None and kept.removed_at is not None  # nothing is hard-deleted
    assert kept.removed_by_id == bob.technician_id
    assert _entry_ids(db, t.number) == [_second]
    [row, _total] = reports.build(db, "time", week).rows
    assert row[2] == 20  # the time report, the invoice basis, leaves it out
    with pytest.raises(NotFoundError, match="was removed"):
        bobs.remove_time(first)
    with pytest.raises(NotFoundError, match="was removed"):
        bobs.edit_time(first, minutes=10)


def test_another_technician_may_not_change_an_entry(db, bob, clock, desk, new_ticket):
    t = new_ticket()
    desk.log_time(t.number, 30)  # alice's
    [entry_id] = _entry_ids(db, t.number)
    bobs = Desk(db, bob, source="test", clock=clock)

    with pytest.raises(PermissionDenied, match="who logged"):
        bobs.edit_time(entry_id, minutes=10)
    with pytest.raises(PermissionDenied, match="who logged"):
        bobs.remove_time(entry_id)
    assert queries.ticket_detail(db, t.number).total_minutes == 30
    assert _events(db, "time_edited") == [] and _events(db, "time_removed") == []


def test_a_lead_may_change_anyones_entry(db, bob, clock, desk, new_ticket):
    t = new_ticket()
    Desk(db, bob, source="test", clock=clock).log_time(t.number, 30)
    [entry_id] = _entry_ids(db, t.number)

    desk.edit_time(entry_id, minutes=45)  # alice is a lead

    assert queries.ticket_detail(db, t.number).total_minutes == 45
    [event] = _events(db, "time_edited")
    assert event.actor == "alice" and "by bob" in (event.to_value or "")


def test_an_edit_that_changes_nothing_is_no_change(db, desk, new_ticket):
    t = new_ticket()
    desk.log_time(t.number, 30)
    [entry_id] = _entry_ids(db, t.number)
    with pytest.raises(NoChange):
        desk.edit_time(entry_id, minutes=30)


@pytest.mark.parametrize("minutes", [0, 24 * 60 + 1])
def test_an_edit_keeps_an_entry_a_sane_length(db, desk, new_ticket, minutes):
    t = new_ticket()
    desk.log_time(t.number, 30)
    [entry_id] = _entry_ids(db, t.number)
    with pytest.raises(ValidationError, match="between 1 and"):
        desk.edit_time(entry_id, minutes=minutes)


def test_an_unknown_entry_is_a_clear_not_found(desk):
    with pytest.raises(NotFoundError, match="no time entry 999"):
        desk.remove_time(999)


def test_a_change_moves_the_tickets_version_so_other_screens_see_it(db, desk, new_ticket):
    t = new_ticket()
    desk.log_time(t.number, 30)
    [entry_id] = _entry_ids(db, t.number)
    before = queries.ticket_detail(db, t.number).ticket.version
    desk.edit_time(entry_id, note="fixed the printer")
    assert queries.ticket_detail(db, t.number).ticket.version == before + 1
