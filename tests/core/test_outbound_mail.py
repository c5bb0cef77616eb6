"""Outbound mail through a real SMTP server (aiosmtpd on loopback): threading headers,
no note text, retries through an outage, and never a message sent twice."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlmodel import select

from regentra_core import queries
from regentra_core.channels.delivery import deliver_due
from regentra_core.channels.mail import parse_mail
from regentra_core.channels.route import marker_number
from regentra_core.channels.smtp import SmtpTransport
from regentra_core.desk import Desk
from regentra_core.enums import Channel, InboundOutcome
from regentra_core.identity import Actor
from regentra_core.store.models import OutboundMessage
from tests.helpers.smtp import SUPPORT


@pytest.fixture
def transport(smtp) -> SmtpTransport:
    return SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT, timeout=5)


@pytest.fixture
def intake(db, clock):
    return Desk(db, Actor.system("email"), source="email", clock=clock)


@pytest.fixture
def worker_desk(db, clock):
    return Desk(db, Actor.system("mail"), source="worker", clock=clock)


def _customer_mail(subject="VPN down", body="Cannot connect since 9.", mid="<c1@acme.example>"):
    msg = EmailMessage()
    msg["From"] = "Pat Doe <pat@acme.example>"
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Message-ID"] = mid
    msg.set_content(body)
    return msg.as_bytes()


def _receive(desk, clock, raw, **kw):
    return desk.receive(parse_mail(raw, received_at=clock()), **kw)


def test_a_reply_arrives_threaded_with_our_marker_and_no_note_text(
    desk, intake, worker_desk, clock, smtp, transport
):
    number = _receive(intake, clock, _customer_mail()).ticket
    desk.add_note(number, "INTERNAL: customer is on the cheap plan")
    desk.add_technician_reply(number, "Please restart the VPN client.")
    assert deliver_due(worker_desk, Channel.EMAIL, transport.send) == "sent 1, failed 0"
    ((sent, rcpt),) = smtp.inbox.received
    assert sent["From"] == SUPPORT and sent["To"] == "pat@acme.example"
    assert sent["Subject"] == f"Re: VPN down [#{number}]"
    assert sent["In-Reply-To"] == "<c1@acme.example>"
    assert "<c1@acme.example>" in sent["References"]
    assert sent["X-Regentra-Loop"] == SUPPORT
    assert sorted(rcpt) == sorted(["pat@acme.example", SUPPORT])  # our Bcc copy
    text = sent.get_content()
    assert "Please restart the VPN client." in text
    assert "INTERNAL" not in sent.as_string()
    assert marker_number(text) == number
    (reply,) = [i for i in queries.ticket_detail(desk.db, number).thread if i.kind == "reply"]
    assert reply.delivery.startswith("sent")


def test_the_customer_answering_our_mail_threads_back_by_its_message_id(
    desk, intake, worker_desk, clock, smtp, transport
):
    number = _receive(intake, clock, _customer_mail()).ticket
    desk.add_technician_reply(number, "Try again now?")
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    ours = smtp.inbox.received[0][0]["Message-ID"]
    answer = _customer_mail("Re: something", "Works now", "<c2@acme.example>")
    answer = answer.replace(b"Subject:", f"In-Reply-To: {ours}\r\nSubject:".encode(), 1)
    result = _receive(intake, clock, answer)
    assert result.ticket == number and result.via == "reference"


def test_an_smtp_outage_then_recovery_delivers_each_message_exactly_once(
    desk, intake, worker_desk, clock, smtp, transport
):
    number = _receive(intake, clock, _customer_mail()).ticket
    desk.add_technician_reply(number, "first")
    desk.add_technician_reply(number, "second")
    smtp.stop()
    assert deliver_due(worker_desk, Channel.EMAIL, transport.send) == "sent 0, failed 2"
    delivery = queries.ticket_detail(desk.db, number).thread[-1].delivery
    assert delivery.startswith("failed, retrying")
    assert deliver_due(worker_desk, Channel.EMAIL, transport.send) == "nothing to send"  # backoff
    smtp.start()
    clock.advance(minutes=2)
    assert deliver_due(worker_desk, Channel.EMAIL, transport.send) == "sent 2, failed 0"
    clock.advance(hours=1)
    assert deliver_due(worker_desk, Channel.EMAIL, transport.send) == "nothing to send"
    bodies = sorted(m.get_content().split("\n")[0] for m, _ in smtp.inbox.received)
    assert bodies == ["first", "second"]


def test_a_send_that_may_have_happened_is_confirmed_by_our_copy_not_repeated(
    desk, intake, worker_desk, clock, smtp, transport
):
    number = _receive(intake, clock, _customer_mail()).ticket
    desk.add_technician_reply(number, "did this go out?")
    with desk.db.read() as s:
        out_id = s.exec(select(OutboundMessage.id)).one()
    # The worker sends, then dies before it can record the send.
    transport.send(worker_desk.start_delivery(out_id))
    clock.advance(minutes=1)
    assert deliver_due(worker_desk, Channel.EMAIL, transport.send) == "nothing to send"
    # Our Bcc copy comes back through the mailbox: proof that it went out.
    copy, _ = smtp.inbox.received[0]
    loop = _receive(intake, clock, copy.as_bytes(), own_addresses=frozenset({SUPPORT}))
    assert loop.outcome == InboundOutcome.SKIPPED
    clock.advance(minutes=1)
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    assert len(smtp.inbox.received) == 1
    assert queries.ticket_detail(desk.db, number).thread[-1].delivery.startswith("sent")


def test_an_in_doubt_send_without_a_copy_is_sent_again_after_the_grace(
    desk, intake, worker_desk, clock, smtp, transport
):
    number = _receive(intake, clock, _customer_mail()).ticket
    desk.add_technician_reply(number, "lost in the crash")
    with desk.db.read() as s:
        out_id = s.exec(select(OutboundMessage.id)).one()
    worker_desk.start_delivery(out_id)  # the worker died before sending
    clock.advance(minutes=11)
    assert deliver_due(worker_desk, Channel.EMAIL, transport.send) == "sent 1, failed 0"
    assert len(smtp.inbox.received) == 1


def test_a_permanent_refusal_gives_up_and_says_why(desk, intake, worker_desk, clock, smtp):
    number = _receive(intake, clock, _customer_mail()).ticket
    desk.add_technician_reply(number, "hello")

    class Refusing(Message):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 5.1.1 no such user"

        def handle_message(self, message) -> None:  # pragma: no cover - never reached
            pass

    smtp.stop()
    refusing = Controller(Refusing(), hostname="127.0.0.1", port=smtp.port)
    refusing.start()
    try:
        transport = SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT, timeout=5)
        assert deliver_due(worker_desk, Channel.EMAIL, transport.send) == "sent 0, failed 1"
    finally:
        refusing.stop()
    delivery = queries.ticket_detail(desk.db, number).thread[-1].delivery
    assert delivery.startswith("failed, gave up") and "550" in delivery


def test_new_mail_is_acknowledged_once_as_an_automatic_reply(
    intake, worker_desk, clock, smtp, transport
):
    number = _receive(intake, clock, _customer_mail(), acknowledge=True).ticket
    _receive(intake, clock, _customer_mail(), acknowledge=True)  # the same mail again
    _receive(
        intake,
        clock,
        _customer_mail(mid="<auto@acme.example>").replace(
            b"Subject:", b"Auto-Submitted: auto-replied\r\nSubject:", 1
        ),
        acknowledge=True,
    )
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    ((ack, _),) = smtp.inbox.received
    assert ack["Auto-Submitted"] == "auto-replied"
    assert f"[#{number}]" in ack["Subject"] and ack["In-Reply-To"] == "<c1@acme.example>"


def test_a_cascaded_reply_goes_to_each_childs_own_contact(
    desk, intake, worker_desk, clock, smtp, transport
):
    master = _receive(intake, clock, _customer_mail("Outage", mid="<m@acme.example>")).ticket
    child = _receive(
        intake,
        clock,
        _customer_mail("Me too", mid="<k@b.example>").replace(
            b"Pat Doe <pat@acme.example>", b"Kim <kim@b.example>"
        ),
    ).ticket
    desk.promote(master)
    desk.link(master, child)
    desk.cascade(master, reply="The outage is fixed.")
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    recipients = sorted(m["To"] for m, _ in smtp.inbox.received)
    assert recipients == ["kim@b.example"]  # the cascade answers the children
    (only,) = smtp.inbox.received
    assert f"[#{child}]" in only[0]["Subject"]


def test_composed_mail_parses_back_as_ours(transport, desk, intake, clock):
    number = _receive(intake, clock, _customer_mail()).ticket
    desk.add_technician_reply(number, "hello")
    with desk.db.read() as s:
        out_id = s.exec(select(OutboundMessage.id)).one()
    composed = transport.compose(
        Desk(desk.db, Actor.system("mail"), source="worker", clock=clock).start_delivery(out_id)
    )
    parsed = message_from_bytes(composed.as_bytes(), policy=policy.default)
    assert parsed["Message-ID"].startswith(f"<rgt{number}.")


def test_automatic_mail_to_one_ticket_is_capped(desk, intake, db, clock):
    """Ten automatic messages per ticket in ten minutes, then none (and it is said)."""
    number = _receive(intake, clock, _customer_mail()).ticket
    from regentra_core.desk import outgoing
    from regentra_core.desk.tx import transaction
    from regentra_core.store.models import Ticket

    queued = []
    with transaction(desk.door) as tx:
        ticket = tx.session.exec(select(Ticket).where(Ticket.number == number)).one()
        for _ in range(12):
            queued.append(outgoing.queue_outbound(tx, ticket, "", clock(), kind="ack"))
    assert sum(q is not None for q in queued) == 10
    assert "automatic_mail_capped" in [e.kind for e in queries.ticket_history(db, number)]
    clock.advance(minutes=11)
    with transaction(desk.door) as tx:
        ticket = tx.session.exec(select(Ticket).where(Ticket.number == number)).one()
        assert outgoing.queue_outbound(tx, ticket, "", clock(), kind="ack") is not None
