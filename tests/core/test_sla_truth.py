"""The response clock tells the truth: only a public reply (or an agent's chat line)
answers the customer; a ticket resolved without one is shown and reported as such."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from regentra_core import queries, reports, sla
from regentra_core.channels.chat import chat_inbound
from regentra_core.desk import Desk
from regentra_core.enums import Priority, Status
from regentra_core.identity import Actor
from regentra_core.reports import Period
from regentra_core.sla import Badge
from tests.conftest import NO_SPIKE, T0


@pytest.fixture
def desk_config():
    """Many tickets at once here are a test's setting, not a spike."""
    return NO_SPIKE


@pytest.fixture
def standard(desk, db) -> None:
    """A 24x7 default policy: MEDIUM answers in 1 h and resolves in 8 h."""
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


# -- a chat session answered by an agent ---------------------------------------------------


def _chat_body(start, *, ticket=None, agent_lines=True):
    messages = [{"from": "customer", "text": "My mailbox is full", "at": _iso(start)}]
    if agent_lines:
        messages += [
            {"from": "agent", "text": "Let me look", "at": _iso(start + timedelta(minutes=4))},
            {"from": "agent", "text": "Raised it", "at": _iso(start + timedelta(minutes=9))},
        ]
    session = {
        "id": f"chat-{start:%H%M}-{ticket}",
        "contact": {"email": "sam@acme.example", "name": "Sam"},
        "agent": "Dana",
        "messages": messages,
    }
    if ticket is not None:
        session["ticket"] = ticket
    return json.dumps(session).encode()


def _iso(at):
    return at.isoformat().replace("+00:00", "Z")


def test_the_first_agent_line_of_a_chat_is_the_first_response_at_its_time(
    db, standard, clock, clients
):
    start = clock.now
    clock.advance(minutes=15)
    intake = Desk(db, Actor.system("chat"), source="chat", clock=clock)
    inbound = chat_inbound(_chat_body(start), clock.now)
    assert inbound.answered_at == start + timedelta(minutes=4)
    result = intake.receive(inbound)
    ticket = queries.get_ticket(db, result.ticket, now=clock.advance(hours=3))
    assert ticket.first_response_at == inbound.answered_at
    assert ticket.sla is not None
    assert ticket.sla.response.stopped and ticket.sla.response.badge == Badge.MET


def test_a_chat_answered_on_a_named_ticket_stops_its_response_clock(
    db, standard, clock, new_ticket
):
    t = new_ticket(contact_email="sam@acme.example")
    clock.advance(minutes=30)
    intake = Desk(db, Actor.system("chat"), source="chat", clock=clock)
    answered = clock.now - timedelta(minutes=5)
    result = intake.receive(
        chat_inbound(_chat_body(answered - timedelta(minutes=4), ticket=t.number), clock.now)
    )
    assert result.ticket == t.number
    state = _state(db, t.number, clock.advance(hours=2))
    assert state.response.stopped and state.response.badge == Badge.MET
    assert state.response.elapsed_seconds == 25 * 60


def test_a_chat_without_agent_lines_leaves_the_response_clock_running(db, standard, clock, clients):
    intake = Desk(db, Actor.system("chat"), source="chat", clock=clock)
    result = intake.receive(chat_inbound(_chat_body(clock.now, agent_lines=False), clock.now))
    state = _state(db, result.ticket, clock.advance(minutes=90))
    assert not state.response.stopped and state.response.badge == Badge.BREACHED


# -- migration 0016 -------------------------------------------------------------------------


@pytest.mark.empty_database
def test_upgrading_a_desk_rebuilds_when_its_tickets_were_done_from_their_events(db_path):
    from alembic import command
    from sqlalchemy import text
    from sqlmodel import select

    from regentra_core.store import Database, upgrade
    from regentra_core.store.migrate import alembic_config
    from regentra_core.store.models import Ticket

    old = Database(db_path)
    config = alembic_config()
    with old.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0015")
    with old.write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ticket (id, number, subject, description, status, priority, "
                "channel, is_master, version, created_at, updated_at) VALUES "
                "(1, 1001, 's', 'd', 'resolved', 'low', 'email', FALSE, 3, "
                "'2026-03-02 09:00:00', '2026-03-02 14:00:00')"
            )
        )
        for at, before, after, kind in [
            ("2026-03-02 10:00:00", "open", "resolved", "resolved"),
            ("2026-03-02 11:00:00", "resolved", "in_progress", "reopened"),
            ("2026-03-02 14:00:00", "in_progress", "resolved", "resolved"),
        ]:
            conn.execute(
                text(
                    "INSERT INTO event (ticket_id, actor, actor_kind, source, kind, from_value, "
                    "to_value, at) VALUES (1, 'alice', 'technician', 'cli', :k, :f, :t, :at)"
                ),
                {"k": kind, "f": before, "t": after, "at": at},
            )
    upgrade(old)
    with old.read() as s:
        stored = s.exec(select(Ticket.sla_done_spans).where(Ticket.id == 1)).one()
    old.close()
    spans = sla.load_pauses(stored)
    assert [(a.hour, b.hour if b else None) for a, b in spans] == [(10, 11), (14, None)]
