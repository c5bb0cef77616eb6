"""Where a customer's message lands and where a technician's reply goes: an SMS joins
the ticket its number last wrote about, a follow-up takes a channel that reaches the
customer, and a reply that reaches nobody says so."""

from __future__ import annotations

import pytest
from sqlmodel import select

from regentra_core import queries
from regentra_core.channels import Inbound
from regentra_core.channels.outbound import reply_reach
from regentra_core.desk import Desk
from regentra_core.enums import Channel, InboundOutcome, Priority, Status
from regentra_core.identity import Actor
from regentra_core.store.models import OutboundMessage, Ticket
from tests.conftest import NO_SPIKE

NUMBER = "+15550100199"


@pytest.fixture
def desk_config():
    """One number writing again and again is a conversation here, not a spike."""
    return NO_SPIKE


def _sms(db, clock, body: str, sid: str):
    twilio = Desk(db, Actor.system("sms"), source="sms", clock=clock, config=NO_SPIKE)
    return twilio.receive(
        Inbound(
            channel=Channel.SMS,
            external_id=sid,
            sender=NUMBER,
            received_at=clock.now,
            body=body,
        )
    )


def _manual(desk, subject: str, **contact):
    return desk.create_ticket(
        subject=subject,
        description="",
        priority=Priority.MEDIUM,
        channel=Channel.MANUAL,
        **contact,
    )


def test_an_sms_joins_the_ticket_its_number_last_wrote_about_not_the_last_touched(desk, db, clock):
    first = _sms(db, clock, "Printer is jammed again", "SM1")
    clock.advance(minutes=30)
    other = _manual(desk, "Laptop order for the new starter", contact_phone=NUMBER)
    clock.advance(minutes=5)
    desk.add_note(other.number, "Ordered from the supplier")  # touched last
    clock.advance(minutes=5)
    again = _sms(db, clock, "Still jammed", "SM2")
    assert again.ticket == first.ticket
    assert again.outcome == InboundOutcome.REPLY
    [reply] = [i for i in queries.ticket_detail(db, first.ticket).thread if i.kind == "reply"]
    assert reply.delivery == (f"joined #{first.ticket}: the last ticket this number wrote about")
    assert queries.ticket_detail(db, other.number).thread[0].kind == "note"


def test_an_sms_about_a_closed_ticket_opens_a_linked_follow_up(desk, db, clock):
    first = _sms(db, clock, "Printer is jammed", "SM1")
    desk.change_status(first.ticket, Status.RESOLVED, resolution="Cleared the jam")
    desk.run_auto_close(clock.advance(days=2))
    open_one = _manual(desk, "Laptop order", contact_phone=NUMBER)
    later = _sms(db, clock, "It jammed again", "SM2")
    assert later.outcome == InboundOutcome.FOLLOW_UP
    assert later.ticket not in (first.ticket, open_one.number)
    follow_up = queries.get_ticket(db, later.ticket)
    assert follow_up.channel == Channel.SMS
    assert queries.ticket_detail(db, first.ticket).follow_ups == [later.ticket]


def test_an_email_reply_on_a_closed_manual_ticket_opens_an_email_follow_up_that_reaches_them(
    desk, db, clock
):
    t = _manual(desk, "Phone call: VPN", contact_email="sam@acme.example")
    desk.change_status(t.number, Status.RESOLVED, resolution="Reset the token")
    desk.run_auto_close(clock.advance(days=2))
    result = desk.add_customer_reply(t.number, "VPN is down again", channel=Channel.EMAIL)
    assert result.follow_up_of == t.number
    follow_up = queries.get_ticket(db, result.ticket_number)
    assert follow_up.channel == Channel.EMAIL
    desk.add_technician_reply(result.ticket_number, "Looking at it now")
    with db.read() as s:
        ticket_id = s.exec(select(Ticket.id).where(Ticket.number == result.ticket_number)).one()
        queued = s.exec(select(OutboundMessage).where(OutboundMessage.ticket_id == ticket_id))
        [message] = queued.all()
    assert message.channel == Channel.EMAIL and message.recipient == "sam@acme.example"


def test_a_reply_that_reaches_nobody_says_so_and_why():
    nobody = reply_reach(Channel.MANUAL, None, None)
    assert not nobody.sent
    assert nobody.after_send() == "Reply saved: not sent (manual ticket without an email address)"
    assert nobody.heading() == "not sent: manual ticket without an email address"
    told = reply_reach(Channel.MANUAL, "sam@acme.example", None)
    assert told.after_send() == "Reply saved: not sent (manual ticket: tell the customer yourself)"
    assert reply_reach(Channel.SMS, "sam@acme.example", None).why_not == (
        "SMS ticket without a phone number"
    )
    mail = reply_reach(Channel.PORTAL, "sam@acme.example", NUMBER)
    assert mail.after_send() == "Reply sent"
    assert mail.heading() == "by email to sam@acme.example"
    assert reply_reach(Channel.SMS, None, NUMBER).heading() == f"by SMS to {NUMBER}"


def test_an_sms_a_week_after_the_last_one_opens_a_new_ticket(desk, db, clock):
    first = _sms(db, clock, "Printer is jammed", "SM1")
    clock.advance(days=8)
    later = _sms(db, clock, "Hello?", "SM2")
    assert later.outcome == InboundOutcome.CREATED and later.ticket != first.ticket
