"""Mail that used to be thrown away: held-back mail keeps its source and can still
become a ticket, unreadable mail is not one rate bucket, a From header with an
encoded CRLF keeps its address, and nothing is "sent" to an address that is none."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlmodel import select

from regentra_core import queries
from regentra_core.channels.delivery import deliver_due
from regentra_core.channels.mail import parse_mail
from regentra_core.channels.smtp import SmtpTransport
from regentra_core.desk import Desk
from regentra_core.desk.channels import held_messages, held_source
from regentra_core.enums import Channel, DeliveryState, InboundOutcome
from regentra_core.errors import ValidationError
from regentra_core.events import EventKind
from regentra_core.identity import Actor
from regentra_core.store.models import Event, InboundRecord, OutboundMessage, Ticket
from tests.helpers.smtp import SUPPORT


@pytest.fixture
def intake(db, clock):
    return Desk(db, Actor.system("email"), source="email", clock=clock)


def _mail(n: int, sender: str = "Flood <flood@evil.example>", body: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = f"Flood {n}"
    msg["Message-ID"] = f"<flood-{n}@evil.example>"
    msg.set_content(body or f"Body of flood mail number {n}, every word of it.")
    return msg.as_bytes()


def _unreadable(n: int, from_line: bytes) -> bytes:
    """Mail whose sender nobody can read: a From line with no address in it."""
    return (
        b"From: " + from_line + b"\r\nTo: " + SUPPORT.encode() + b"\r\n"
        b"Subject: unreadable " + str(n).encode() + b"\r\n"
        b"Message-ID: <unreadable-" + from_line.replace(b" ", b"-") + str(n).encode() + b"@x>\r\n"
        b"\r\nbody " + str(n).encode() + b"\r\n"
    )


def _receive(desk: Desk, clock, raw: bytes, **kw):
    return desk.receive(parse_mail(raw, received_at=clock()), **kw)


def _tickets(db) -> int:
    with db.read() as s:
        return len(s.exec(select(Ticket.id)).all())


def test_rate_limited_mail_keeps_its_source_and_a_redelivery_is_still_a_duplicate(
    intake, db, clock
):
    results = [_receive(intake, clock, _mail(n), rate_limit=20) for n in range(25)]
    assert [r.outcome for r in results].count(InboundOutcome.CREATED) == 20
    held = held_messages(db)
    assert len(held) == 5 and all("rate limit" in h.reason for h in held)
    # Every held message's whole source is kept, body and all.
    for h in held:
        raw = held_source(db, h.id)
        assert f"Flood {h.subject.split()[-1]}".encode() in raw
        assert b"every word of it" in raw
    again = _receive(intake, clock, _mail(24), rate_limit=20)
    assert again.outcome == InboundOutcome.DUPLICATE
    assert len(held_messages(db)) == 5  # the duplicate changed nothing


def test_a_technician_accepts_held_mail_as_a_ticket_through_the_desk(
    intake, desk, db, clock, alice
):
    for n in range(3):
        _receive(intake, clock, _mail(n), rate_limit=2)
    (held,) = held_messages(db)
    result = desk.accept_skipped(held.id, parse_mail(held_source(db, held.id), received_at=clock()))
    assert result.outcome == InboundOutcome.CREATED
    detail = queries.ticket_detail(db, result.ticket)
    assert detail.ticket.subject == "Flood 2"
    assert "Body of flood mail number 2" in detail.description
    assert held_messages(db) == []
    with db.read() as s:
        record = s.get(InboundRecord, held.id)
        assert record is not None and record.outcome == InboundOutcome.CREATED
        accepted = s.exec(select(Event).where(Event.kind == EventKind.INBOUND_ACCEPTED)).one()
    assert accepted.actor == alice.name
    # Accepting twice is one clear line, not a second ticket.
    with pytest.raises(ValidationError, match="not held back"):
        desk.accept_skipped(held.id, parse_mail(held_source(db, held.id), received_at=clock()))
    # And the mail delivered again is a duplicate of the accepted ticket.
    assert _receive(intake, clock, _mail(2), rate_limit=2).ticket == result.ticket


def test_held_mail_past_its_retention_forgets_its_source_only(intake, db, clock):
    for n in range(3):
        _receive(intake, clock, _mail(n), rate_limit=2)
    (held,) = held_messages(db)
    worker = Desk(db, Actor.system("housekeeping"), source="worker", clock=clock)
    assert worker.purge_skipped_mail(clock() - timedelta(days=30)) == 0
    clock.advance(days=31)
    assert worker.purge_skipped_mail(clock() - timedelta(days=30)) == 1
    assert held_messages(db) == []
    with db.read() as s:
        record = s.get(InboundRecord, held.id)
        assert record is not None and record.raw is None
        assert record.outcome == InboundOutcome.SKIPPED  # the record itself stays
    with pytest.raises(ValidationError, match="no kept source"):
        held_source(db, held.id)


def test_unreadable_mail_from_others_is_not_held_back_by_one_flooder(intake, db, clock):
    # The flooder's broken From lines name their address: they count as that address.
    for n in range(3):
        _receive(intake, clock, _mail(n, sender="eve@evil.example"), rate_limit=3)
    flooded = [
        _receive(intake, clock, _unreadable(n, b"=?x?q?eve?= eve@evil.example (:;<"), rate_limit=3)
        for n in range(5)
    ]
    assert all(r.outcome == InboundOutcome.SKIPPED for r in flooded)
    created_before = _tickets(db)
    # Another unreadable flood with no address at all fills its own bucket ...
    for n in range(6):
        _receive(intake, clock, _unreadable(n, b"garbage one ;;"), rate_limit=3)
    # ... and someone else's unreadable mail still lands.
    other = _receive(intake, clock, _unreadable(1, b"somebody else ;;"), rate_limit=3)
    assert other.outcome == InboundOutcome.CREATED
    assert _tickets(db) == created_before + 3 + 1


@pytest.mark.parametrize(
    "name",
    [b"=?utf-8?q?Eve=0D=0A?=", b"=?utf-8?q?Eve=0D=0A=3C?=", b"=?utf-8?b?RXZlDQo8?="],
    ids=["crlf", "crlf-and-angle", "base64-crlf-and-angle"],
)
def test_an_encoded_crlf_in_the_name_keeps_the_sender_address(intake, db, clock, name):
    raw = (
        b"From: " + name + b" <eve@example.com>\r\nTo: help@desk.example\r\n"
        b"Subject: hello\r\nMessage-ID: <crlf@example.com>\r\n\r\nhi\r\n"
    )
    message = parse_mail(raw, received_at=clock())
    assert message.sender == "eve@example.com"
    assert "\r" not in message.sender_name and "\n" not in message.sender_name
    number = intake.receive(message).ticket
    assert queries.ticket_detail(db, number).ticket.contact_email == "eve@example.com"


def test_an_address_inside_an_encoded_word_cannot_replace_the_sender(clock):
    raw = (
        b"From: =?utf-8?q?Support_=3Cceo@victim.example=3E?= <eve@evil.example>\r\n"
        b"Subject: x\r\nMessage-ID: <spoof@x>\r\n\r\nhi\r\n"
    )
    assert parse_mail(raw, received_at=clock()).sender == "eve@evil.example"


def test_a_reply_to_no_valid_address_is_refused_and_says_so(desk, intake, db, clock, smtp):
    raw = b"From: =?utf-8?q?broken?=\r\nSubject: help\r\nMessage-ID: <nobody@x>\r\n\r\nhelp me\r\n"
    number = _receive(intake, clock, raw, acknowledge=True).ticket
    assert number is not None
    desk.add_technician_reply(number, "We are on it.")
    transport = SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT, timeout=5)
    worker = Desk(db, Actor.system("mail"), source="worker", clock=clock)
    deliver_due(worker, Channel.EMAIL, transport.send)
    assert smtp.inbox.received == []  # nothing went to the server
    with db.read() as s:
        outs = s.exec(select(OutboundMessage)).all()
    assert outs and all(o.state == DeliveryState.FAILED for o in outs)
    assert all(o.kind != "ack" for o in outs)  # no acknowledgement to nobody
    thread = queries.ticket_detail(db, number).thread
    (reply,) = [e for e in thread if e.body == "We are on it."]
    assert "not sent: no valid address" in (reply.delivery or "")


def test_the_daemons_housekeeping_forgets_old_held_mail_and_stray_part_files(
    intake, db, clock, tmp_path, monkeypatch
):
    from regentra_core.config import load_settings
    from regentra_core.wiring import Wiring
    from tests.core.test_leftovers import _dead_pid

    monkeypatch.setenv("REGENTRA_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    for n in range(3):
        _receive(intake, clock, _mail(n), rate_limit=2)
    part = settings.attachments_dir() / "ab" / "abcd" / f".a.log.{_dead_pid()}.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"")
    job = Wiring(settings, db, index=None, clock=clock).housekeeping_job()  # type: ignore[arg-type]
    assert job.run() == "forgot 0 held-back message(s), removed 1 .part file(s)"
    assert len(held_messages(db)) == 1 and not part.exists()
    clock.advance(days=settings.skipped_mail_retention_days + 1)
    assert job.run() == "forgot 1 held-back message(s), removed 0 .part file(s)"
    assert held_messages(db) == []
