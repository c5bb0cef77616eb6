"""A technician's files go out with the reply: as MIME parts by mail (through the
real SMTP server the suite starts, and the daemon's own wiring), and by SMS the
message says they were not sent."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from regentra_core import queries
from regentra_core.channels.mail import parse_mail
from regentra_core.channels.message import Inbound
from regentra_core.config import load_settings
from regentra_core.desk import Desk, Upload
from regentra_core.enums import Channel
from regentra_core.identity import Actor
from regentra_core.queries.attachments import attachments_of
from regentra_core.wiring import Wiring
from tests.conftest import with_config
from tests.helpers.smtp import SUPPORT

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@pytest.fixture
def settings(smtp, monkeypatch):
    monkeypatch.setenv("REGENTRA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REGENTRA_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("REGENTRA_SMTP_SECURITY", "none")
    monkeypatch.setenv("REGENTRA_SUPPORT_ADDRESS", SUPPORT)
    return load_settings()


@pytest.fixture
def send_mail(settings, db, clock):
    """The daemon's send-mail job, as the composition root builds it."""
    wiring = Wiring(settings, db, None, clock=clock)
    (job,) = [j for j in wiring.channel_jobs() if j.name == "send-mail"]
    return job.run


@pytest.fixture
def tech(desk, settings) -> Desk:
    return with_config(desk, shelf=settings.desk_config().shelf)


def _mail_ticket(db, clock) -> int:
    msg = EmailMessage()
    msg["From"] = "Pat Doe <pat@acme.example>"
    msg["To"] = SUPPORT
    msg["Subject"] = "Printer jams"
    msg["Message-ID"] = "<p1@acme.example>"
    msg.set_content("Every morning.")
    intake = Desk(db, Actor.system("email"), source="email", clock=clock)
    return intake.receive(parse_mail(msg.as_bytes(), received_at=clock())).ticket


def test_the_mailed_reply_carries_each_file_intact(tech, db, clock, smtp, send_mail):
    number = _mail_ticket(db, clock)
    tech.add_technician_reply(
        number,
        "The driver and a screenshot are attached.",
        attachments=[Upload("screen.png", PNG), Upload("steps.txt", "1. Öffnen\n".encode())],
    )
    assert send_mail() == "sent 1, failed 0"
    ((sent, _),) = smtp.inbox.received
    assert "The driver and a screenshot are attached." in sent.get_body(("plain",)).get_content()
    files = {part.get_filename(): part for part in sent.iter_attachments()}
    assert set(files) == {"screen.png", "steps.txt"}
    assert files["screen.png"].get_content_type() == "image/png"
    assert files["screen.png"].get_payload(decode=True) == PNG
    assert files["steps.txt"].get_payload(decode=True) == "1. Öffnen\n".encode()


def test_a_reply_without_files_is_one_plain_part(tech, db, clock, smtp, send_mail):
    number = _mail_ticket(db, clock)
    tech.add_technician_reply(number, "No files this time.")
    assert send_mail() == "sent 1, failed 0"
    ((sent, _),) = smtp.inbox.received
    assert not sent.is_multipart() and list(sent.iter_attachments()) == []


def test_a_file_gone_from_storage_fails_the_send_and_says_which(
    tech, db, clock, smtp, send_mail, settings
):
    number = _mail_ticket(db, clock)
    tech.add_technician_reply(number, "See attached.", attachments=[Upload("a.txt", b"abc")])
    (row,) = attachments_of(db, number)
    (settings.attachments_dir() / row.path).unlink()
    assert send_mail() == "sent 0, failed 1"
    assert smtp.inbox.received == []
    delivery = queries.ticket_detail(db, number).thread[-1].delivery
    assert delivery.startswith("failed, gave up") and "a.txt is missing from storage" in delivery


def test_an_sms_reply_says_its_files_were_not_sent(tech, db, clock):
    intake = Desk(db, Actor.system("sms"), source="sms", clock=clock)
    number = intake.receive(
        Inbound(
            channel=Channel.SMS,
            external_id="SM1",
            sender="+15550100199",
            received_at=clock(),
            body="Internet down at the shop",
        )
    ).ticket
    tech.add_technician_reply(number, "Photo of the router?", attachments=[Upload("r.png", PNG)])
    reply = queries.ticket_detail(db, number).thread[-1]
    assert "not sent by SMS: 1 attachment" in reply.delivery
    (row,) = attachments_of(db, number)
    assert row.filename == "r.png"  # kept on the ticket all the same
