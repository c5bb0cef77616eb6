"""The lifecycle table, pinned move by move, and the timing rules around it."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from regentra_core import lifecycle, queries
from regentra_core.enums import ActorKind, Status
from regentra_core.errors import IllegalTransition
from regentra_core.lifecycle import CustomerReplyOutcome, customer_reply_outcome
from tests.conftest import T0

O, P, W, E, R, C = (  # noqa: E741  (the board's one-letter names)
    Status.OPEN,
    Status.IN_PROGRESS,
    Status.WAITING_ON_CUSTOMER,
    Status.ESCALATED,
    Status.RESOLVED,
    Status.CLOSED,
)
T, CU, SY = ActorKind.TECHNICIAN, ActorKind.CUSTOMER, ActorKind.SYSTEM
AU = ActorKind.AUTOMATION

# Written out from the product brief, independently of lifecycle.TRANSITIONS.
EXPECTED_ALLOWED = {
    (O, P, T), (O, W, T), (O, E, T), (O, E, SY), (O, R, T),
    (P, O, T), (P, W, T), (P, E, T), (P, E, SY), (P, R, T),
    (W, P, T), (W, P, CU), (W, E, T), (W, E, SY), (W, R, T),
    (E, P, T), (E, W, T), (E, R, T),
    (R, P, T), (R, P, CU), (R, C, T), (R, C, SY),
    (C, P, T),
    # An operator's rule may make a technician's moves, but not reopen Closed.
    (O, P, AU), (O, W, AU), (O, E, AU), (O, R, AU),
    (P, O, AU), (P, W, AU), (P, E, AU), (P, R, AU),
    (W, P, AU), (W, E, AU), (W, R, AU),
    (E, P, AU), (E, W, AU), (E, R, AU),
    (R, P, AU), (R, C, AU),
}  # fmt: skip

ALL_MOVES = [
    (a, b, who) for a, b in itertools.product(Status, Status) for who in ActorKind if a != b
]


@pytest.mark.parametrize(("source", "target", "actor"), ALL_MOVES)
def test_every_move_is_allowed_or_refused_as_specified(source, target, actor):
    if (source, target, actor) in EXPECTED_ALLOWED:
        move = lifecycle.check_transition(source, target, actor)
        assert (move.source, move.target) == (source, target)
    else:
        with pytest.raises(IllegalTransition):
            lifecycle.check_transition(source, target, actor)


@pytest.mark.parametrize("status", list(Status))
def test_moving_to_the_same_status_is_refused(status):
    with pytest.raises(IllegalTransition, match="already"):
        lifecycle.check_transition(status, status, T)


def test_refusal_message_names_the_allowed_moves():
    with pytest.raises(IllegalTransition) as info:
        lifecycle.check_transition(O, C, T)
    assert "Open" in str(info.value) and "Resolved" in str(info.value)


def test_closed_can_only_be_reopened_by_a_technician():
    assert lifecycle.allowed_targets(C, T) == [P]
    assert lifecycle.allowed_targets(C, CU) == []
    assert lifecycle.allowed_targets(C, SY) == []


def test_auto_close_is_due_at_exactly_24_hours_not_a_minute_before():
    resolved = T0
    assert not lifecycle.is_auto_close_due(R, resolved, T0 + timedelta(hours=23, minutes=59))
    assert not lifecycle.is_auto_close_due(
        R, resolved, T0 + timedelta(hours=23, minutes=59, seconds=59)
    )
    assert lifecycle.is_auto_close_due(R, resolved, T0 + timedelta(hours=24))
    assert not lifecycle.is_auto_close_due(P, resolved, T0 + timedelta(days=3))


@pytest.mark.parametrize(
    ("status", "age", "outcome"),
    [
        (O, None, CustomerReplyOutcome.APPEND),
        (P, None, CustomerReplyOutcome.APPEND),
        (E, None, CustomerReplyOutcome.APPEND),
        (W, None, CustomerReplyOutcome.RESUME),
        (R, timedelta(hours=23, minutes=59), CustomerReplyOutcome.REOPEN),
        (R, timedelta(hours=24), CustomerReplyOutcome.FOLLOW_UP),
        (C, timedelta(days=1), CustomerReplyOutcome.FOLLOW_UP),
    ],
)
def test_customer_reply_outcome_by_status(status, age, outcome):
    resolved_at = T0 if age is not None else None
    now = T0 + (age or timedelta())
    assert customer_reply_outcome(status, resolved_at, now) == outcome


# -- through the Desk ---------------------------------------------------------------


def test_allowed_move_changes_status_and_records_it(desk, db, new_ticket):
    t = new_ticket()
    desk.change_status(t.number, P)
    events = queries.ticket_history(db, t.number)
    assert queries.get_ticket(db, t.number).status == P
    assert (events[-1].kind, events[-1].from_value, events[-1].to_value) == (
        "status_changed",
        "open",
        "in_progress",
    )


def test_refused_move_changes_nothing(desk, db, new_ticket):
    t = new_ticket()
    before = queries.ticket_history(db, t.number)
    with pytest.raises(IllegalTransition):
        desk.change_status(t.number, C)
    assert queries.get_ticket(db, t.number).status == O
    assert queries.get_ticket(db, t.number).version == t.version
    assert queries.ticket_history(db, t.number) == before


def test_resolving_stamps_resolution_time_and_note(desk, db, new_ticket, clock):
    t = new_ticket()
    clock.advance(hours=2)
    desk.change_status(t.number, R, resolution="Replaced the toner")
    detail = queries.ticket_detail(db, t.number)
    assert detail.ticket.resolved_at == clock.now
    assert detail.resolution == "Replaced the toner"


def test_auto_close_closes_at_24_hours_not_at_23_59(desk, db, new_ticket, clock):
    t = new_ticket()
    desk.change_status(t.number, R)
    resolved = clock.now
    assert desk.run_auto_close(resolved + timedelta(hours=23, minutes=59)) == []
    assert queries.get_ticket(db, t.number).status == R
    assert desk.run_auto_close(resolved + timedelta(hours=24)) == [t.number]
    row = queries.get_ticket(db, t.number)
    assert row.status == C
    assert row.closed_at == resolved + timedelta(hours=24)


def test_auto_close_catch_up_closes_once_with_the_due_time(desk, db, new_ticket, clock):
    t = new_ticket()
    desk.change_status(t.number, R)
    due = clock.now + timedelta(hours=24)
    later = clock.now + timedelta(days=3)
    assert desk.run_auto_close(later) == [t.number]
    assert desk.run_auto_close(later) == []
    closes = [e for e in queries.ticket_history(db, t.number) if e.kind == "closed"]
    assert len(closes) == 1
    assert closes[0].at == due and closes[0].actor == "system:auto-close"


def test_customer_reply_on_resolved_within_window_reopens(desk, db, new_ticket, clock):
    t = new_ticket()
    desk.change_status(t.number, R)
    clock.advance(hours=23, minutes=59)
    result = desk.add_customer_reply(t.number, "Still broken, sorry")
    assert result.outcome == CustomerReplyOutcome.REOPEN
    assert result.ticket_number == t.number
    row = queries.get_ticket(db, t.number)
    assert row.status == P and row.resolved_at is None


def test_customer_reply_on_waiting_resumes_work(desk, db, new_ticket):
    t = new_ticket()
    desk.change_status(t.number, W)
    desk.add_customer_reply(t.number, "Here is the photo")
    assert queries.get_ticket(db, t.number).status == P


def test_customer_reply_on_closed_creates_linked_follow_up(desk, db, new_ticket, clock):
    t = new_ticket()
    desk.change_status(t.number, R)
    desk.run_auto_close(clock.advance(days=2))
    result = desk.add_customer_reply(t.number, "It broke again today")
    assert result.outcome == CustomerReplyOutcome.FOLLOW_UP
    assert result.follow_up_of == t.number and result.ticket_number != t.number
    old = queries.ticket_detail(db, t.number)
    new = queries.ticket_detail(db, result.ticket_number)
    assert old.ticket.status == C
    assert old.follow_ups == [new.ticket.number]
    assert new.ticket.follow_up_of == t.number
    assert new.ticket.status == O
    assert new.ticket.client == "Acme" and new.ticket.contact_email == "sam@acme.example"
    # The customer's text once: as the follow-up's description, not again as a reply.
    assert new.description == "It broke again today" and new.thread == []
    assert not any(i.body == "It broke again today" for i in old.thread)


def test_a_follow_up_keeps_the_channel_and_the_technician(desk, db, clock):
    from regentra_core.enums import Channel, Priority

    t = desk.create_ticket(
        subject="Printer offline",
        description="",
        priority=Priority.MEDIUM,
        channel=Channel.EMAIL,
        contact_email="sam@acme.example",
    )
    desk.assign(t.number, desk.actor.name)
    desk.change_status(t.number, R, resolution="Replaced the fuser")
    desk.run_auto_close(clock.advance(days=2))
    result = desk.add_customer_reply(t.number, "Offline again", channel=Channel.PORTAL)
    follow_up = queries.get_ticket(db, result.ticket_number)
    assert follow_up.channel == Channel.EMAIL  # the thread was email
    assert follow_up.assignee == desk.actor.name


def test_customer_reply_on_overdue_resolved_closes_it_and_follows_up(desk, db, new_ticket, clock):
    t = new_ticket()
    desk.change_status(t.number, R)
    resolved = clock.now
    clock.advance(hours=30)  # the auto-close job has not run yet
    result = desk.add_customer_reply(t.number, "Hello again")
    assert result.outcome == CustomerReplyOutcome.FOLLOW_UP
    old = queries.get_ticket(db, t.number)
    assert old.status == C and old.closed_at == resolved + timedelta(hours=24)


def test_technician_may_reopen_closed_by_hand(desk, db, new_ticket, clock):
    t = new_ticket()
    desk.change_status(t.number, R)
    desk.run_auto_close(clock.advance(days=2))
    desk.reopen(t.number)
    row = queries.get_ticket(db, t.number)
    assert row.status == P and row.closed_at is None
    assert queries.ticket_history(db, t.number)[-1].kind == "reopened"
