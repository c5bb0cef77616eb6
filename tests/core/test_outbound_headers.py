"""What our outgoing mail says about itself: threading headers, Message-IDs, subjects,
From, and the acknowledgement (issue #28, "Mail that is lost or malformed").

Every message is sent through the real SMTP server helper and parsed as it arrived.
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pydantic
import pytest

from regentra_core.channels import Inbound
from regentra_core.channels.delivery import deliver_due
from regentra_core.channels.mail import parse_mail
from regentra_core.channels.outbound import is_message_id, outgoing_subject, thread_headers
from regentra_core.channels.smtp import SmtpTransport
from regentra_core.config import Settings
from regentra_core.desk import Desk
from regentra_core.desk_config import DeskConfig
from regentra_core.enums import Channel, InboundOutcome, Status
from regentra_core.identity import Actor
from regentra_core.mail_identity import MailIdentity, host_domain
from tests.conftest import with_config
from tests.helpers.smtp import SUPPORT

MESSAGE_ID = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")


@pytest.fixture
def transport(smtp) -> SmtpTransport:
    return SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT, timeout=5)


@pytest.fixture
def desk_config() -> DeskConfig:
    """The desk's mail is from the support address (its domain names Message-IDs)."""
    return DeskConfig(mail=MailIdentity(SUPPORT))


@pytest.fixture
def intake(db, clock, desk_config):
    return Desk(db, Actor.system("email"), source="email", clock=clock, config=desk_config)


@pytest.fixture
def worker_desk(db, clock):
    return Desk(db, Actor.system("mail"), source="worker", clock=clock)


def _mail(subject="VPN down", body="Cannot connect since 9.", mid="<c1@acme.example>", extra=""):
    msg = EmailMessage()
    msg["From"] = "Pat Doe <pat@acme.example>"
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    if mid:
        msg["Message-ID"] = mid
    msg.set_content(body)
    raw = msg.as_bytes()
    return raw.replace(b"Subject:", extra.encode() + b"Subject:", 1) if extra else raw


def _receive(desk, clock, raw, **kw):
    return desk.receive(parse_mail(raw, received_at=clock()), **kw)


def _sent(smtp) -> list[EmailMessage]:
    return [message for message, _ in smtp.inbox.received]


def _threading_ids(message: EmailMessage) -> list[str]:
    """Every token of In-Reply-To and References, as a mail client would split them."""
    return " ".join(str(message[h] or "") for h in ("In-Reply-To", "References")).split()


def test_replies_on_chat_and_portal_tickets_carry_only_real_message_ids(
    desk, intake, worker_desk, clock, smtp, transport
):
    chat = Inbound(
        Channel.CHAT,
        "chat-2026-12-04-0001",
        "pat@acme.example",
        clock(),
        sender_name="Pat Doe",
        subject="Printer offline",
        body="Customer: the printer is offline",
    )
    portal = Inbound(
        Channel.PORTAL,
        "portal:360e9f1c2b7d4a0e",
        "pat@acme.example",
        clock(),
        subject="New laptop",
        body="Please order one",
    )
    numbers = [intake.receive(chat).ticket, intake.receive(portal).ticket]
    for number in numbers:
        desk.add_technician_reply(number, "On it.")
        desk.add_technician_reply(number, "Done, please check.")
    assert deliver_due(worker_desk, Channel.EMAIL, transport.send) == "sent 4, failed 0"
    sent = _sent(smtp)
    first, second = sent[0], sent[1]
    assert first["In-Reply-To"] is None and first["References"] is None
    # The second reply threads on our first, the only Message-ID the thread has.
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == first["Message-ID"]
    for message in sent:
        ids = _threading_ids(message)
        assert all(MESSAGE_ID.fullmatch(i) for i in ids), ids
        assert not any("chat-" in i or "portal:" in i for i in ids)


def test_a_reply_to_mail_without_a_message_id_references_no_made_up_id(
    desk, intake, worker_desk, clock, smtp, transport
):
    number = _receive(intake, clock, _mail(mid=None)).ticket
    desk.add_technician_reply(number, "Looking into it.")
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    (sent,) = _sent(smtp)
    assert sent["In-Reply-To"] is None and sent["References"] is None


def test_only_message_ids_make_threading_headers():
    assert is_message_id("<c1@acme.example>")
    for not_one in (
        "chat-2026-12-04-0001",
        "portal:360e9f1c",
        "SM0123456789abcdef0123456789abcdef",
        "<sha256-00ff@regentra.invalid>",
        "<no-domain>",
        "c1@acme.example",
    ):
        assert not is_message_id(not_one), not_one
    assert thread_headers(["chat-1", "<a@x.example>", "portal:2", "<b@x.example>"]) == (
        "<b@x.example>",
        "<a@x.example> <b@x.example>",
    )


def test_message_ids_end_in_the_support_address_domain(
    desk, intake, worker_desk, clock, smtp, transport
):
    number = _receive(intake, clock, _mail(), acknowledge=True).ticket
    desk.add_technician_reply(number, "Please restart the VPN client.")
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    ack, reply = _sent(smtp)
    for message in (ack, reply):
        assert message["Message-ID"].endswith("@desk.example>"), message["Message-ID"]


def test_message_ids_without_a_support_address_end_in_the_hosts_domain_name():
    domain = MailIdentity().domain
    assert domain == host_domain() and "." in domain
    assert MailIdentity("help@Acme-MSP.example.").domain == "acme-msp.example"


def test_the_acknowledgement_and_replies_put_the_ticket_token_last(
    desk, intake, worker_desk, clock, smtp, transport
):
    number = _receive(intake, clock, _mail("Re: [#77] VPN down"), acknowledge=True).ticket
    desk.add_technician_reply(number, "Please restart the VPN client.")
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    ack, reply = _sent(smtp)
    assert ack["Subject"] == f"Received: VPN down [#{number}]"
    assert reply["Subject"] == f"Re: VPN down [#{number}]"
    assert outgoing_subject("Fwd: RE: x [#5]", 9, kind="ack") == "Received: x [#9]"


def test_mail_answering_an_old_acknowledgement_with_the_token_first_still_threads(intake, clock):
    number = _receive(intake, clock, _mail()).ticket
    answer = _mail(f"Re: [#{number}] Received: VPN down", "Still down", "<c2@acme.example>")
    result = _receive(intake, clock, answer)
    assert result.outcome == InboundOutcome.REPLY and result.ticket == number
    assert result.via == "subject"


@pytest.mark.parametrize(
    ("name", "encoded"),
    [("Acme MSP Support", False), ("Société Générale — Support", True)],
)
def test_from_carries_the_support_name(desk, intake, worker_desk, clock, smtp, name, encoded):
    transport = SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT, timeout=5, sender_name=name)
    number = _receive(intake, clock, _mail()).ticket
    desk.add_technician_reply(number, "Hello")
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    (sent,) = _sent(smtp)
    raw_from = next(v for k, v in sent.raw_items() if k == "From")
    assert ("=?utf-8?" in raw_from.lower()) is encoded  # RFC 2047, never raw 8-bit
    again = BytesParser(policy=policy.default).parsebytes(sent.as_bytes())
    (address,) = again["From"].addresses
    assert address.display_name == name and address.addr_spec == SUPPORT
    assert again["X-Regentra-Loop"] == SUPPORT  # the loop header stays the bare address


def test_the_settings_name_the_desk_in_its_mail():
    settings = Settings(
        support_address="help@msp.example",
        support_name="Acme MSP Support",
        public_url="https://help.msp.example/",
        portal_secret_key="k" * 32,
    )
    identity = settings.mail_identity()
    assert identity == MailIdentity(
        "help@msp.example", "Acme MSP Support", "https://help.msp.example/"
    )
    assert identity.ticket_url(1004) == "https://help.msp.example/tickets/1004"
    no_portal = Settings(support_address="help@msp.example").mail_identity()
    assert no_portal.portal_url is None and no_portal.ticket_url(1004) is None


def test_a_support_name_with_a_line_break_is_refused():
    with pytest.raises(pydantic.ValidationError, match="support_name"):
        Settings(support_name="Acme\r\nBcc: victim@example.org")


def _closed_ticket(desk, intake, clock) -> int:
    number = _receive(intake, clock, _mail()).ticket
    desk.change_status(number, Status.RESOLVED, resolution="Restarted")
    desk.change_status(number, Status.CLOSED)
    return number


def test_a_follow_up_of_a_closed_ticket_is_acknowledged(
    desk, intake, worker_desk, clock, smtp, transport
):
    closed = _closed_ticket(desk, intake, clock)
    answer = _mail(f"Re: VPN down [#{closed}]", "It is down again", "<c2@acme.example>")
    result = _receive(intake, clock, answer, acknowledge=True)
    assert result.outcome == InboundOutcome.FOLLOW_UP and result.ticket != closed
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    (ack,) = _sent(smtp)
    assert ack["To"] == "pat@acme.example" and ack["Auto-Submitted"] == "auto-replied"
    assert ack["Subject"].endswith(f"[#{result.ticket}]")
    assert ack["In-Reply-To"] == "<c2@acme.example>"
    assert f"opened ticket #{result.ticket}" in ack.get_content()


def test_the_acknowledgement_says_where_the_ticket_is_in_the_portal(
    db, intake, worker_desk, clock, smtp, transport
):
    intake = with_config(
        intake, mail=MailIdentity(SUPPORT, "Acme MSP Support", "https://help.msp.example")
    )
    number = _receive(intake, clock, _mail(), acknowledge=True).ticket
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    (ack,) = _sent(smtp)
    text = ack.get_content()
    assert f"https://help.msp.example/tickets/{number}" in text
    assert "portal" in text and "sign in" in text


def test_the_acknowledgement_has_no_portal_link_when_the_portal_is_off(
    intake, worker_desk, clock, smtp, transport
):
    _receive(intake, clock, _mail(), acknowledge=True)
    deliver_due(worker_desk, Channel.EMAIL, transport.send)
    (ack,) = _sent(smtp)
    assert "http" not in ack.get_content() and "portal" not in ack.get_content()


def test_the_daemon_sends_as_the_support_name_from_the_settings(
    db, db_path, clock, smtp, monkeypatch
):
    """The composition root carries the settings through: the desk it opens names the
    support address's domain in Message-IDs, the send-mail job signs with the name."""
    from regentra_core.config import load_settings
    from regentra_core.wiring import Wiring, open_database

    monkeypatch.setenv("REGENTRA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REGENTRA_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("REGENTRA_SMTP_SECURITY", "none")
    monkeypatch.setenv("REGENTRA_SUPPORT_ADDRESS", SUPPORT)
    monkeypatch.setenv("REGENTRA_SUPPORT_NAME", "Acme MSP Support")
    settings = load_settings()
    opened = open_database(settings, db_path)
    try:
        wiring = Wiring(settings, opened, None, clock=clock)
        (result,) = wiring.receive_mail([(parse_mail(_mail(), received_at=clock()), None)])
        assert result.outcome == InboundOutcome.CREATED
        (job,) = [j for j in wiring.channel_jobs() if j.name == "send-mail"]
        assert job.run() == "sent 1, failed 0"
    finally:
        opened.close()
    (ack,) = _sent(smtp)
    assert str(ack["From"]) == f"Acme MSP Support <{SUPPORT}>"
    assert ack["Message-ID"].endswith("@desk.example>")
    assert ack["Subject"] == f"Received: VPN down [#{result.ticket}]"
