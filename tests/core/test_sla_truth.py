"""The response clock tells the truth: only a public reply (or an agent's chat line)
answers the customer; a ticket resolved without one is shown and reported as such."""

from __future__ import annotations

from datetime import timedelta

import pytest

from regentra_core import queries, reports, sla
from regentra_core.enums import Priority, Status
from regentra_core.reports import Period
from regentra_core.sla import Badge
from regentra_core.spike import SpikePolicy
from tests.conftest import T0


@pytest.fixture
def standard(desk, db) -> None:
    """A 24x7 default policy: MEDIUM answers in 1 h and resolves in 8 h."""
    db.spike = SpikePolicy(enabled=False)
    desk.add_calendar("24x7", always_open=True)
    desk.add_policy("Standard", calendar="24x7", default=True)
    for p in Priority:
        desk.set_target("Standard", p, response_minutes=60, resolution_minutes=480)


def _state(db, number, now):
    state = queries.get_ticket(db, number, now=now).sla
    assert state is not None
    return state


def test_a_ticket_resolved_without_a_reply_is_not_met(desk, db, standard, new_ticket, clock):
    t = new_ticket()
    clock.advance(minutes=20)
    desk.change_status(t.number, Status.RESOLVED, resolution="Fixed on site")
    state = _state(db, t.number, clock.advance(hours=3))
    assert state.response.badge == Badge.NO_REPLY
    assert state.badge == Badge.NO_REPLY
    assert state.response.unanswered
    assert state.response.elapsed_seconds == 20 * 60
    assert sla.describe(state) == "(resolved without a reply)"


def test_a_reopened_unanswered_ticket_goes_on_from_the_response_time_it_had_used(
    desk, db, standard, new_ticket, clock
):
    t = new_ticket()
    clock.advance(minutes=20)
    desk.change_status(t.number, Status.RESOLVED, resolution="Fixed on site")
    clock.advance(hours=5)  # resolved for five hours: not the customer's answer
    desk.change_status(t.number, Status.IN_PROGRESS)
    state = _state(db, t.number, clock.advance(minutes=10))
    assert not state.response.stopped and not state.response.unanswered
    assert state.response.elapsed_seconds == 30 * 60
    assert state.response.badge == Badge.ON_TRACK
    assert state.response.due_at == clock.now + timedelta(minutes=30)
    desk.add_technician_reply(t.number, "Sorry, we are on it")
    answered = _state(db, t.number, clock.advance(hours=2))
    assert answered.response.badge == Badge.MET
    assert answered.response.elapsed_seconds == 30 * 60


def test_waiting_on_the_customer_does_not_hold_the_response_clock(
    desk, db, standard, new_ticket, clock
):
    t = new_ticket()
    desk.change_status(t.number, Status.WAITING_ON_CUSTOMER)
    state = _state(db, t.number, clock.advance(minutes=70))
    assert state.response.badge == Badge.BREACHED


def test_the_sla_report_counts_a_ticket_resolved_without_a_reply_apart_not_met(
    desk, db, standard, new_ticket, clock
):
    answered = new_ticket(subject="Answered")
    silent = new_ticket(subject="Silent")
    clock.advance(minutes=10)
    desk.add_technician_reply(answered.number, "On it")
    desk.change_status(answered.number, Status.RESOLVED, resolution="Done")
    desk.change_status(silent.number, Status.RESOLVED, resolution="Done")
    report = reports.build(db, "sla", Period(T0.date(), T0.date()), now=clock.advance(hours=1))
    row = next(r for r in report.records() if r["by"] == "priority")
    assert row["response_met"] == 1
    assert row["response_no_reply"] == 1
    assert row["response_met_pct"] == 50.0
