"""The intake seam: one router and one Desk use case for every channel's messages."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlmodel import select

from regentra_core import queries
from regentra_core.channels import Drop, Facts, Inbound, New, ReplyTo, route
from regentra_core.channels.mail import parse_mail
from regentra_core.channels.route import automatic_reason, marker, marker_number
from regentra_core.enums import Channel, InboundOutcome, Status
from regentra_core.store.models import Client, InboundRecord, OutboundMessage, Reply
from tests.conftest import T0


def mail(
    subject: str = "Printer offline",
    body: str = "The printer on floor 2 is offline.",
    *,
    sender: str = "Pat Doe <pat@acme.example>",
    message_id: str = "<m1@acme.example>",
    **headers: str,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "help@desk.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


@pytest.fixture
def receive(desk, clock):
    def go(raw: bytes, **kw):
        return desk.receive(parse_mail(raw, received_at=clock()), **kw)

    return go


# -- the pure router ------------------------------------------------------------------


def _msg(**kw) -> Inbound:
    base = dict(channel=Channel.EMAIL, external_id="<x@y>", sender="a@b.example", received_at=T0)
    base.update(kw)
    return Inbound(**base)


def test_router_threads_by_reference_then_subject_then_marker():
    facts = Facts(referenced_ticket=1, subject_ticket=2, marker_ticket=3)
    assert route(_msg(), facts) == ReplyTo(1, "reference")
    assert route(_msg(), Facts(subject_ticket=2, marker_ticket=3)) == ReplyTo(2, "subject")
    assert route(_msg(), Facts(marker_ticket=3)) == ReplyTo(3, "marker")
    assert route(_msg(), Facts()) == New()


@pytest.mark.parametrize(
    ("headers", "automatic"),
    [
        ({"auto-submitted": "auto-replied"}, True),
        ({"auto-submitted": "auto-generated; reason=x"}, True),
        ({"auto-submitted": "no"}, False),  # FreeScout got this one wrong
        ({"auto-submitted": "No"}, False),
        ({"precedence": "bulk"}, True),
        ({"precedence": "list"}, True),
        ({"precedence": "first-class"}, False),
        ({"return-path": "<>"}, True),
        ({"return-path": "<pat@acme.example>"}, False),
        ({"x-regentra-loop": "desk"}, True),
        ({}, False),
    ],
)
def test_rfc3834_automatic_mail_is_recognised(headers, automatic):
    assert (automatic_reason(headers) is not None) is automatic


def test_router_drops_duplicates_reports_loops_and_floods_with_reasons():
    assert route(_msg(), Facts(duplicate=True)) == Drop("already received (<x@y>)", True)
    assert isinstance(route(_msg(is_report=True), Facts()), Drop)
    own = Facts(own_addresses=frozenset({"a@b.example"}))
    assert "loop" in route(_msg(), own).reason  # type: ignore[union-attr]
    flood = route(_msg(), Facts(new_tickets_by_sender_last_hour=20, rate_limit=20))
    assert isinstance(flood, Drop) and "rate limit" in flood.reason
    # A reply on an existing thread is never rate limited.
    busy = Facts(referenced_ticket=7, new_tickets_by_sender_last_hour=99)
    assert route(_msg(), busy) == ReplyTo(7, "reference")


def test_marker_has_a_checksum_so_look_alikes_do_not_thread():
    assert marker_number(f"thanks\n\n{marker(1042)}") == 1042
    assert marker_number("RGT-1042-000000") is None


# -- Desk.receive ---------------------------------------------------------------------


def _sent_by_us(db, clock, message_id: str) -> None:
    """Record that we sent ``message_id`` on the first ticket (as the outbox would)."""
    with db.write() as s:
        ticket_id = s.exec(select(InboundRecord.ticket_id)).first()
        s.add(
            OutboundMessage(
                ticket_id=ticket_id,
                channel=Channel.EMAIL,
                recipient="pat@acme.example",
                subject="Re",
                body="b",
                message_id=message_id,
                state="sent",
                created_at=clock(),
            )
        )


def test_new_mail_opens_a_ticket_once_even_when_delivered_twice(receive, db):
    first = receive(mail())
    again = receive(mail())
    assert first.outcome == InboundOutcome.CREATED
    assert again.outcome == InboundOutcome.DUPLICATE and again.ticket == first.ticket
    assert len(queries.list_tickets(db, queries.TicketFilter())) == 1
    detail = queries.ticket_detail(db, first.ticket)
    assert detail.description == "The printer on floor 2 is offline."
    assert detail.thread == []  # the body is the description, not also a reply


def test_replies_thread_by_each_rule(receive, db, desk):
    opened = receive(mail()).ticket
    by_reference = receive(
        mail(
            "Re: Printer offline",
            "still off",
            message_id="<m2@acme.example>",
            In_Reply_To="<m1@acme.example>",
        )
    )
    by_subject = receive(
        mail(f"Re: something else [#{opened}]", "hello?", message_id="<m3@acme.example>")
    )
    by_marker = receive(
        mail(
            "Re: a rewritten subject",
            f"see below\n> {marker(opened)}",
            message_id="<m4@acme.example>",
        )
    )
    assert [r.via for r in (by_reference, by_subject, by_marker)] == [
        "reference",
        "subject",
        "marker",
    ]
    assert {r.ticket for r in (by_reference, by_subject, by_marker)} == {opened}
    assert len(queries.ticket_detail(db, opened).thread) == 3


def test_a_reference_to_a_message_we_sent_threads(receive, db, desk, clock):
    opened = receive(mail()).ticket
    _sent_by_us(db, clock, "<out-1@desk.example>")
    reply = receive(
        mail("Re:", "ok", message_id="<m9@acme.example>", References="<out-1@desk.example>")
    )
    assert reply.ticket == opened and reply.via == "reference"


def test_reply_to_resolved_reopens_and_to_closed_opens_a_follow_up(receive, desk, db, clock):
    opened = receive(mail()).ticket
    desk.change_status(opened, Status.RESOLVED, resolution="new toner")
    reopened = receive(mail(f"Re: [#{opened}]", "again", message_id="<r1@acme.example>"))
    assert reopened.outcome == InboundOutcome.REOPENED
    assert queries.get_ticket(db, opened).status == Status.IN_PROGRESS
    desk.change_status(opened, Status.RESOLVED, resolution="fuser")
    clock.advance(hours=25)
    follow = receive(mail(f"Re: [#{opened}]", "and again", message_id="<r2@acme.example>"))
    assert follow.outcome == InboundOutcome.FOLLOW_UP and follow.ticket != opened
    assert queries.get_ticket(db, opened).status == Status.CLOSED
    assert queries.get_ticket(db, follow.ticket).follow_up_of == opened


def test_the_reply_author_is_the_sender_and_strangers_are_unverified(receive, db):
    opened = receive(mail()).ticket
    receive(
        mail(
            f"Re: [#{opened}]",
            "me too",
            sender="Eve <eve@elsewhere.example>",
            message_id="<e1@elsewhere.example>",
        )
    )
    receive(mail(f"Re: [#{opened}]", "thanks", message_id="<p2@acme.example>"))
    with db.read() as s:
        replies = s.exec(select(Reply).order_by(Reply.id)).all()
    assert [(r.author_name, r.unverified_sender) for r in replies] == [
        ("Eve", True),
        ("Pat Doe", False),
    ]


def test_loops_bounces_and_automatic_mail_open_nothing(receive, db):
    results = [
        receive(mail(message_id="<a1@x>", Auto_Submitted="auto-replied")),
        receive(mail(message_id="<a2@x>", Precedence="bulk")),
        receive(
            mail(message_id="<a3@x>", sender="help@desk.example"),
            own_addresses=frozenset({"help@desk.example"}),
        ),
    ]
    assert {r.outcome for r in results} == {InboundOutcome.SKIPPED}
    assert all(r.reason for r in results)
    assert queries.list_tickets(db, queries.TicketFilter()) == []
    ok = receive(mail(message_id="<a4@x>", Auto_Submitted="no"))
    assert ok.outcome == InboundOutcome.CREATED


def test_a_bounce_marks_our_outbound_message_failed_on_its_ticket(receive, db, clock):
    opened = receive(mail()).ticket
    _sent_by_us(db, clock, "<out-7@desk.example>")
    report = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce1@mx>\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nmailbox full\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n"
        b"Message-ID: <out-7@desk.example>\r\nSubject: Re\r\n\r\nbody\r\n--b--\r\n"
    )
    result = receive(report)
    assert result.outcome == InboundOutcome.SKIPPED and result.ticket == opened
    with db.read() as s:
        out = s.exec(select(OutboundMessage)).one()
    assert out.state == "failed" and "mailbox full" in out.last_error
    kinds = [e.kind for e in queries.ticket_history(db, opened)]
    assert "delivery_failed" in kinds


def test_a_runaway_sender_is_held_back_after_the_rate_limit(receive, db, clock):
    outcomes = []
    for n in range(5):
        clock.advance(seconds=1)
        outcomes.append(
            receive(mail(f"Alert {n}", message_id=f"<flood{n}@x>"), rate_limit=3).outcome
        )
    assert outcomes == [InboundOutcome.CREATED] * 3 + [InboundOutcome.SKIPPED] * 2
    clock.advance(hours=1, seconds=1)
    assert receive(mail("Later", message_id="<late@x>"), rate_limit=3).outcome == (
        InboundOutcome.CREATED
    )


def test_unknown_senders_join_the_client_that_claims_their_domain(receive, db, clients):
    with db.write() as s:
        client = s.exec(select(Client).where(Client.name == "Acme")).one()
        client.domains = "acme.example, acme-corp.example"
    created = receive(mail(sender="New Person <new@ACME-corp.example>"))
    assert queries.get_ticket(db, created.ticket).client == "Acme"


def test_a_message_that_cannot_be_parsed_is_kept_as_a_flagged_ticket(desk, db, clock):
    broken = Inbound(
        Channel.EMAIL,
        "<sha256-x@regentra.invalid>",
        "",
        clock(),
        subject="(unreadable)",
        body="raw",
        unparsed=True,
        raw=b"\xff\xfe garbage",
    )
    result = desk.receive(broken)
    assert result.outcome == InboundOutcome.CREATED
    with db.read() as s:
        assert s.exec(select(InboundRecord.raw)).one() == b"\xff\xfe garbage"
    assert "unparsed_message" in [e.kind for e in queries.ticket_history(db, result.ticket)]


def test_same_external_id_on_another_channel_is_another_message(desk, clock):
    a = desk.receive(_msg(external_id="42", channel=Channel.SMS, subject="a", body="x"))
    b = desk.receive(_msg(external_id="42", channel=Channel.CHAT, subject="b", body="y"))
    assert a.outcome == b.outcome == InboundOutcome.CREATED
