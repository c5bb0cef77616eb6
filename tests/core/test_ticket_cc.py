"""A ticket's Cc list: the thread's other people, gathered from the customer's mail,
copied on every public reply by mail, edited through the Desk (issue #28).

Replies are sent through the real SMTP server helper and read as they arrived.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlmodel import select

from regentra_core import queries
from regentra_core.channels.delivery import deliver_due
from regentra_core.channels.mail import parse_mail
from regentra_core.channels.smtp import SmtpTransport
from regentra_core.desk import Desk
from regentra_core.enums import Channel, InboundOutcome, Status
from regentra_core.errors import NoChange, ValidationError
from regentra_core.events import EventKind
from regentra_core.identity import Actor
from regentra_core.store.models import Client, Contact, Event, OutboundMessage
from tests.conftest import T0
from tests.helpers.smtp import SUPPORT

OWN = frozenset({SUPPORT})


@pytest.fixture
def transport(smtp) -> SmtpTransport:
    return SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT, timeout=5)


@pytest.fixture
def intake(db, clock):
    return Desk(db, Actor.system("email"), source="email", clock=clock)


@pytest.fixture
def worker_desk(db, clock):
    return Desk(db, Actor.system("mail"), source="worker", clock=clock)


@pytest.fixture
def acme(db) -> int:
    """Acme claims acme.example: its people are colleagues of one another."""
    with db.write() as s:
        client = Client(name="Acme", vip=False, domains="acme.example", created_at=T0)
        s.add(client)
        s.flush()
        assert client.id is not None
        return client.id


def _mail(
    sender="Pat Doe <pat@acme.example>",
    to=SUPPORT,
    cc=None,
    subject="VPN down",
    body="Cannot connect since 9.",
    mid="<c1@acme.example>",
):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Message-ID"] = mid
    msg.set_content(body)
    return msg.as_bytes()


def _receive(desk, clock, raw, own=OWN, **kw):
    return desk.receive(parse_mail(raw, received_at=clock()), own_addresses=own, **kw)


def _cc(db, number) -> list[str]:
    return queries.ticket_detail(db, number).cc


def _cc_events(db, number):
    with db.read() as s:
        return s.exec(select(Event).where(Event.kind == EventKind.CC_CHANGED.value)).all()


def test_the_people_a_customer_copies_are_kept_on_the_ticket(db, intake, clock, acme):
    raw = _mail(
        to=f"Help Desk <{SUPPORT}>, Sam Lee <sam@acme.example>",
        cc="pat@acme.example, Kim <KIM@partner.example>, Help <help@desk.example>",
    )
    number = _receive(intake, clock, raw).ticket
    # Our own address and the ticket's contact are never its Cc; case does not matter.
    assert _cc(db, number) == ["sam@acme.example", "kim@partner.example"]
    (event,) = _cc_events(db, number)
    assert event.from_value == "nobody"
    assert event.to_value == "sam@acme.example, kim@partner.example"
    assert event.actor_kind == "customer"


def test_a_colleague_who_writes_on_the_thread_is_copied_from_then_on(db, intake, clock, acme):
    number = _receive(intake, clock, _mail()).ticket
    assert _cc(db, number) == []
    answer = _mail(
        sender="Sam Lee <sam@acme.example>",
        subject=f"Re: VPN down [#{number}]",
        body="Same here on the 2nd floor",
        mid="<s1@acme.example>",
    )
    assert _receive(intake, clock, answer).outcome == InboundOutcome.REPLY
    assert _cc(db, number) == ["sam@acme.example"]


def test_a_stranger_writing_on_the_thread_is_not_copied(db, intake, clock, acme):
    number = _receive(intake, clock, _mail()).ticket
    stranger = _mail(
        sender="eve@elsewhere.example",
        cc="mallory@elsewhere.example",
        subject=f"Re: VPN down [#{number}]",
        mid="<e1@elsewhere.example>",
    )
    _receive(intake, clock, stranger)
    assert _cc(db, number) == []


def test_without_an_address_of_our_own_nobody_named_is_copied(db, intake, clock, acme):
    """The desk's own address is in the To of everything it gets: not knowing it, a
    named address might be ourselves."""
    number = _receive(intake, clock, _mail(cc="sam@acme.example"), own=frozenset()).ticket
    assert _cc(db, number) == []


def test_every_public_reply_by_mail_copies_the_cc_and_no_note_leaves(
    db, desk, intake, worker_desk, clock, smtp, transport, acme
):
    raw = _mail(cc="Sam Lee <sam@acme.example>, kim@partner.example")
    number = _receive(intake, clock, raw, acknowledge=True).ticket
    desk.add_note(number, "INTERNAL: do not tell Sam")
    desk.add_technician_reply(number, "Please restart the VPN client.")
    desk.add_technician_reply(number, "Did that help?")
    assert deliver_due(worker_desk, Channel.EMAIL, transport.send) == "sent 3, failed 0"
    (ack, ack_rcpt), (first, rcpt), (second, rcpt2) = smtp.inbox.received
    # The acknowledgement is the sender's alone.
    assert ack["Cc"] is None and sorted(ack_rcpt) == sorted(["pat@acme.example", SUPPORT])
    for message, envelope in ((first, rcpt), (second, rcpt2)):
        assert message["To"] == "pat@acme.example"
        assert message["Cc"] == "sam@acme.example, kim@partner.example"
        assert sorted(envelope) == sorted(
            ["pat@acme.example", "sam@acme.example", "kim@partner.example", SUPPORT]
        )
        assert "INTERNAL" not in message.as_string()
    with db.read() as s:
        queued = s.exec(select(OutboundMessage.kind)).all()
    assert sorted(queued) == ["ack", "reply", "reply"]  # nothing queued for the note


def test_someone_taken_off_the_cc_before_the_send_is_not_copied(
    db, desk, intake, worker_desk, clock, smtp, transport, acme
):
    number = _receive(intake, clock, _mail(cc="sam@acme.example")).ticket
    desk.add_technician_reply(number, "On it.")
    desk.change_cc(number, remove=["sam@acme.example"])
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    ((sent, rcpt),) = smtp.inbox.received
    assert sent["Cc"] is None and "sam@acme.example" not in rcpt


def test_technicians_add_and_remove_cc_with_one_event_each(db, desk, intake, clock, acme):
    number = _receive(intake, clock, _mail(cc="sam@acme.example")).ticket
    record = desk.change_cc(number, add=["Kim@Partner.example", " lee@acme.example "])
    assert _cc(db, number) == ["sam@acme.example", "kim@partner.example", "lee@acme.example"]
    desk.change_cc(number, remove=["sam@acme.example"], expected_version=record.version)
    assert _cc(db, number) == ["kim@partner.example", "lee@acme.example"]
    desk.change_cc(number, replace=["lee@acme.example"])
    assert _cc(db, number) == ["lee@acme.example"]
    events = _cc_events(db, number)
    assert [e.detail for e in events] == [
        "added sam@acme.example",
        "added kim@partner.example, lee@acme.example",
        "removed sam@acme.example",
        "removed kim@partner.example",
    ]
    assert {e.actor for e in events[1:]} == {"alice"} and events[1].source == "test"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"add": ["not an address"]}, "not an email address mail can go to: 'not an address'"),
        ({"add": ["a@b.example\r\nBcc: x@y.example"]}, "not an email address"),
        ({"add": ["unknown-sender@invalid"]}, "not an email address"),
        ({"add": ["pat@acme.example"]}, "is the contact of"),
        ({"remove": ["nobody@acme.example"]}, "does not copy nobody@acme.example"),
    ],
)
def test_a_bad_cc_change_is_refused_in_one_line_and_changes_nothing(
    db, desk, intake, clock, acme, change, message
):
    number = _receive(intake, clock, _mail(cc="sam@acme.example")).ticket
    with pytest.raises(ValidationError, match=message) as refused:
        desk.change_cc(number, **change)
    assert "\n" not in str(refused.value)
    assert _cc(db, number) == ["sam@acme.example"]
    assert len(_cc_events(db, number)) == 1


def test_the_contact_typed_into_the_whole_list_is_refused_not_dropped(
    db, desk, intake, clock, acme
):
    """The app's prompt sets the whole list: the contact in it was dropped without a
    word (seen in the technician trial), where the CLI's --add says why."""
    number = _receive(intake, clock, _mail(cc="sam@acme.example")).ticket
    with pytest.raises(ValidationError, match="is the contact of"):
        desk.change_cc(number, replace=["lee@acme.example", "pat@acme.example"])
    assert _cc(db, number) == ["sam@acme.example"]


def test_the_same_cc_again_is_no_change(desk, intake, clock, acme):
    number = _receive(intake, clock, _mail(cc="sam@acme.example")).ticket
    with pytest.raises(NoChange):
        desk.change_cc(number, add=["SAM@acme.example"])


def test_an_address_that_bounces_stays_and_the_bounce_is_recorded(
    db, desk, intake, worker_desk, clock, smtp, transport, acme
):
    number = _receive(intake, clock, _mail(cc="gone@acme.example")).ticket
    desk.add_technician_reply(number, "On it.")
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    ((sent, _),) = smtp.inbox.received
    report = EmailMessage()
    report["From"] = "MAILER-DAEMON@acme.example"
    report["To"] = SUPPORT
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = "<bounce1@acme.example>"
    report["In-Reply-To"] = sent["Message-ID"]
    report.set_content("<gone@acme.example>: user unknown")
    assert _receive(intake, clock, report.as_bytes()).outcome == InboundOutcome.SKIPPED
    assert _cc(db, number) == ["gone@acme.example"]
    history = [e.kind for e in queries.ticket_history(db, number)]
    assert "delivery_failed" in history


def test_a_follow_up_keeps_the_closed_tickets_cc(db, desk, intake, clock, acme):
    number = _receive(intake, clock, _mail(cc="sam@acme.example")).ticket
    desk.change_status(number, Status.RESOLVED, resolution="Fixed")
    desk.change_status(number, Status.CLOSED)
    again = _mail(subject=f"Re: VPN down [#{number}]", mid="<c2@acme.example>")
    result = _receive(intake, clock, again)
    assert result.outcome == InboundOutcome.FOLLOW_UP
    assert _cc(db, result.ticket) == ["sam@acme.example"]


def test_the_cc_column_is_json_text_on_every_database(db, intake, clock, acme):
    number = _receive(intake, clock, _mail(cc="sam@acme.example")).ticket
    with db.read() as s:
        contact = s.exec(select(Contact).where(Contact.email == "pat@acme.example")).one()
        assert contact.client_id == acme
    assert queries.ticket_detail(db, number).cc == ["sam@acme.example"]
