"""A message from a sender not verified for the ticket it names is kept and shown,
but moves no status and escalates nothing until a technician accepts it."""

from __future__ import annotations

import pytest

from regentra_core import queries
from regentra_core.automation import rule_from
from regentra_core.channels.mail import parse_mail
from regentra_core.enums import Priority, Status
from tests.core.test_channels import mail


@pytest.fixture
def receive(desk, clock):
    def go(raw: bytes):
        return desk.receive(parse_mail(raw, received_at=clock()))

    return go


def _stranger(number: int, body: str = "reopen this please") -> bytes:
    return mail(
        f"Re: [#{number}]",
        body,
        sender="Eve <eve@elsewhere.example>",
        message_id=f"<e{len(body)}@elsewhere.example>",
    )


def _resolved(desk, receive) -> int:
    number = receive(mail()).ticket
    desk.change_status(number, Status.RESOLVED, resolution="Replaced the toner")
    return number


def test_a_strangers_mail_naming_a_resolved_ticket_does_not_reopen_it(desk, db, receive):
    number = _resolved(desk, receive)
    result = receive(_stranger(number))
    assert result.ticket == number
    assert queries.get_ticket(db, number).status == Status.RESOLVED
    thread = queries.ticket_detail(db, number).thread
    assert thread[-1].body == "reopen this please"  # kept and shown
    kinds = [e.kind for e in queries.ticket_history(db, number)]
    assert "unverified_reply" in kinds and "reopened" not in kinds


def test_a_strangers_mail_fires_no_rule_and_no_escalation(desk, db, receive):
    desk.save_rule(
        rule_from(
            {
                "name": "Chased",
                "trigger": "reply_added",
                "conditions": [],
                "actions": [{"action": "set_priority", "value": "critical"}],
            }
        )
    )
    number = receive(mail()).ticket
    before = queries.get_ticket(db, number).priority
    receive(_stranger(number, "This is FURIOUS and URGENT!!! fed up"))
    assert queries.get_ticket(db, number).priority == before != Priority.CRITICAL


def test_accepting_the_message_does_what_it_would_have_done(desk, db, receive):
    number = _resolved(desk, receive)
    receive(_stranger(number))
    assert desk.accept_replies(number) == 1
    ticket = queries.get_ticket(db, number)
    assert ticket.status == Status.IN_PROGRESS  # the reopen it was held back from
    kinds = [e.kind for e in queries.ticket_history(db, number)]
    assert kinds[-3:] == ["reply_accepted", "reopened", "customer_reply"]


def test_a_verified_senders_mail_still_reopens(desk, db, receive):
    number = _resolved(desk, receive)
    receive(mail(f"Re: [#{number}]", "still broken", message_id="<p9@acme.example>"))
    assert queries.get_ticket(db, number).status == Status.IN_PROGRESS
