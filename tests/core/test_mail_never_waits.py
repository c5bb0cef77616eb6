"""Mail that never waits on a bad header: a message whose content a check refuses
is stored (flagged, its source kept), never refused, never retried forever, never
the message an IMAP poll stops at. Only a failure a retry can cure is raised."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import select

from regentra_core.channels.mail import parse_mail, recipients
from regentra_core.enums import InboundOutcome
from regentra_core.events import EventKind
from regentra_core.store.models import Contact, Event, InboundRecord, Ticket
from tests.core.test_channels import mail

CORPUS = Path(__file__).parents[1] / "data" / "mail_realworld"


def _raw(from_line: str, subject: str = "Printer offline", **extra: str) -> bytes:
    head = [f"From: {from_line}", "To: help@desk.example", f"Subject: {subject}"]
    head += [f"{k.replace('_', '-')}: {v}" for k, v in extra.items()]
    return ("\r\n".join(head) + "\r\n\r\nThe printer is offline.\r\n").encode()


def _ticket(db, number: int) -> Ticket:
    with db.read() as s:
        return s.exec(select(Ticket).where(Ticket.number == number)).one()


def _record(db, number: int) -> InboundRecord:
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
        return s.exec(select(InboundRecord).where(InboundRecord.ticket_id == ticket.id)).one()


# -- the From header ------------------------------------------------------------------


def test_a_from_without_angle_brackets_is_read_by_its_one_address(clock):
    # The real-world message of the issue (imap_tools' mix_caps_content_type.eml).
    raw = (CORPUS / "imap_tools" / "plain_emails__mix_caps_content_type.eml").read_bytes()
    msg = parse_mail(raw, received_at=clock())
    assert (msg.sender, msg.sender_name, msg.unparsed) == ("bb@bug.com", "Big Bug", False)
    lower = parse_mail(_raw("big bug bb@bug.com"), received_at=clock())
    assert (lower.sender, lower.sender_name) == ("bb@bug.com", "big bug")


def test_a_from_that_names_no_address_opens_a_flagged_ticket_with_its_source(desk, db, clock):
    raw = _raw("big bug")
    result = desk.receive(parse_mail(raw, received_at=clock()))
    assert result.outcome == InboundOutcome.CREATED
    ticket = _ticket(db, result.ticket)
    assert ticket.description.startswith("[Regentra: sender not understood (From: big bug)")
    assert "The printer is offline." in ticket.description
    assert _record(db, result.ticket).raw == raw
    with db.read() as s:
        kinds = [e.kind for e in s.exec(select(Event).where(Event.ticket_id == ticket.id))]
    assert EventKind.UNPARSED_MESSAGE in kinds


def test_a_from_with_two_addresses_in_its_text_guesses_neither(clock):
    msg = parse_mail(_raw("ann@a.example bob@b.example"), received_at=clock())
    assert msg.sender == "" and msg.unparsed
    assert "sender not understood" in msg.body


def test_an_address_longer_than_smtp_allows_is_no_contact(desk, db, clock):
    # PostgreSQL refused the 320-character contact column (the poll stopped at it);
    # SQLite stored a "contact" nobody can write to.
    long_address = "a" * 300 + "@example.com"
    result = desk.receive(parse_mail(_raw(f"Eve <{long_address}>"), received_at=clock()))
    assert result.outcome == InboundOutcome.CREATED
    assert _ticket(db, result.ticket).description.startswith("[Regentra: sender not understood")
    with db.read() as s:
        assert s.exec(select(Contact).where(Contact.email == long_address)).first() is None


def test_a_message_without_a_from_header_is_flagged_and_kept(desk, db, clock):
    raw = b"To: help@desk.example\r\nSubject: who am I\r\n\r\nno sender here\r\n"
    result = desk.receive(parse_mail(raw, received_at=clock()))
    assert result.outcome == InboundOutcome.CREATED
    assert _ticket(db, result.ticket).description.startswith("[Regentra: this message has no From")
    assert _record(db, result.ticket).raw == raw


# -- the desk: a check that refuses content keeps the message ---------------------------


def test_a_sender_the_contact_check_refuses_is_kept_not_raised(desk, db, clock):
    # An adapter that hands over a sender no contact can have ("@" and blanks):
    # Desk.receive raised ValidationError, which mail import turned into exit 75.
    good = parse_mail(mail("VPN down", message_id="<ok@x>"), received_at=clock())
    bad = replace(good, external_id="<bad@x>", sender="big bug bb@bug.com", subject="Bad")
    result = desk.receive(bad)
    assert result.outcome == InboundOutcome.CREATED
    ticket = _ticket(db, result.ticket)
    assert ticket.description.startswith("[Regentra could not take this message as it came")
    assert "not an email address" in ticket.description
    assert "It said it was from big bug bb@bug.com" in ticket.description


def test_one_refused_message_in_a_batch_leaves_the_others_stored(desk, db, clock):
    first = parse_mail(mail("VPN down", message_id="<one@x>"), received_at=clock())
    bad = replace(first, external_id="<two@x>", sender="not an address@x", subject="Bad")
    third = parse_mail(mail("Mail slow", message_id="<three@x>"), received_at=clock())
    results = desk.receive_many([(first, None), (bad, None), (third, None)])
    assert [r.outcome for r in results] == [InboundOutcome.CREATED] * 3
    subjects = [_ticket(db, r.ticket).subject for r in results]
    assert subjects == ["VPN down", "Bad", "Mail slow"]
    with db.read() as s:
        kept = s.exec(select(InboundRecord).where(InboundRecord.external_id == "<two@x>")).one()
    assert kept.raw is not None  # its source, the only copy of what it said


# -- what the corpus found in the parser ------------------------------------------------


def test_a_to_header_the_stdlib_cannot_read_names_nobody_instead_of_crashing():
    # MimeKit's stack-overflow.txt: a To of 135,000 characters of nested groups.
    raw = (CORPUS / "mimekit" / "stack-overflow.txt").read_bytes()
    to = raw.split(b"\nTo:", 1)[1].split(b"\nSubject", 1)[0].decode("ascii", "replace")
    assert recipients(to) == []


def test_a_to_header_the_stdlib_cannot_read_still_makes_a_ticket(desk, db, clock):
    raw = (CORPUS / "mimekit" / "stack-overflow.txt").read_bytes()
    result = desk.receive(parse_mail(raw, received_at=clock()))
    assert result.outcome == InboundOutcome.CREATED


def test_a_boundary_folded_over_two_lines_keeps_the_body(clock):
    # MIME-tools' multi-simple.msg: boundary="simple\r\n boundary"; compat32 kept the
    # fold in the boundary, found no part and the body was empty.
    raw = (CORPUS / "mime4j-mimetools" / "multi-simple.msg").read_bytes()
    msg = parse_mail(raw, received_at=clock())
    assert "This is implicitly typed plain ASCII text." in msg.body
    assert "This is explicitly typed plain ASCII text." in msg.body


def test_a_multipart_nobody_can_split_keeps_its_text_as_the_body(clock):
    raw = (
        b"From: Pat <pat@acme.example>\r\nSubject: split me\r\n"
        b'Content-Type: multipart/mixed; boundary="nowhere"\r\n\r\n'
        b"--elsewhere\r\n\r\nThe printer is offline.\r\n--elsewhere--\r\n"
    )
    assert "The printer is offline." in parse_mail(raw, received_at=clock()).body


def test_raw_8bit_inside_an_encoded_word_is_decoded_in_its_charset(clock):
    # Eudora 4.2 (hunnysoft's m2004.txt): =?iso-8859-1?Q?...Fr\xf6sche?=.
    raw = (CORPUS / "mail-mime-parser" / "m2004.txt").read_bytes()
    assert parse_mail(raw, received_at=clock()).subject == "Die Hasen und die Frösche"


def test_a_raw_8bit_subject_is_read_in_the_charset_the_text_declares(clock):
    subject = "Принтер не печатает"
    raw = (
        b"From: Ivan <ivan@example.ru>\r\nSubject: "
        + subject.encode("koi8-r")
        + b"\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n"
        + "Здравствуйте".encode("koi8-r")
        + b"\r\n"
    )
    msg = parse_mail(raw, received_at=clock())
    assert (msg.subject, msg.body) == (subject, "Здравствуйте")


def test_an_attachment_that_cannot_be_saved_now_is_raised_not_kept_unparsed(clock, tmp_path):
    # A full disk (here: a file where the folder should be) is a failure a retry
    # cures: it became an "unreadable" message without its attachment.
    blocked = tmp_path / "attachments"
    blocked.write_text("in the way")
    raw = (Path(__file__).parents[1] / "data" / "mail" / "20-attachment.eml").read_bytes()
    with pytest.raises(OSError):
        parse_mail(raw, received_at=clock(), attachments_dir=blocked / "inner")


# -- the IMAP poll goes past such a message ---------------------------------------------


@pytest.fixture
def imap(db, monkeypatch, tmp_path, clients):
    from regentra_core.config import load_settings
    from regentra_core.wiring import Wiring, open_index
    from tests.helpers import dovecot

    dovecot.require()
    server = dovecot.Dovecot()
    server.start()
    for name, value in server.settings_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    yield server, Wiring(settings, db, open_index(settings, db))
    server.remove()


def test_the_poll_stores_mail_whose_content_is_refused_and_goes_on(imap, db):
    server, wiring = imap
    hostile = (CORPUS / "mimekit" / "stack-overflow.txt").read_bytes()  # a To of 135 kB
    no_address = _raw("big bug", Message_ID="<bb@x>")
    server.deliver(hostile, no_address, mail("VPN down", message_id="<ok@x>"))
    report = wiring.poll_mail()
    assert report.outcomes == {"created": 3}
    assert wiring.poll_mail().summary() == "no new mail"  # past all three, none refetched
    with server.client() as c:
        c.select_folder("INBOX")
        flags = c.get_flags(c.search(["ALL"]))
    assert all(b"\\Seen" in f for f in flags.values())
    with db.read() as s:
        kept = s.exec(select(InboundRecord).where(InboundRecord.external_id == "<bb@x>")).one()
    assert kept.raw == no_address


def test_a_references_header_of_thousands_asks_about_its_newest_hundred(desk, clock):
    # Each id is a question to the database: 3,000 held the poll's transaction for
    # seconds. The thread's newest ids are the last ones; ours is among them.
    desk.receive(parse_mail(mail("Printer offline"), received_at=clock()))
    older = " ".join(f"<old{i}@elsewhere.example>" for i in range(3000))
    raw = mail(
        "Re: Printer offline",
        "still off",
        message_id="<r@x>",
        References=f"{older} <m1@acme.example>",
    )
    reply = parse_mail(raw, received_at=clock())
    assert len(reply.references) == 100 and reply.references[-1] == "<m1@acme.example>"
    assert desk.receive(reply).outcome == InboundOutcome.REPLY


def test_a_picture_with_neither_name_nor_disposition_is_kept_as_a_file(clock, tmp_path):
    # imap_tools' missing_content_disposition.eml: a multipart/related whose only part
    # is an image/jpg without a name; it was neither text nor attachment, and lost.
    raw = (CORPUS / "imap_tools" / "error_emails__missing_content_disposition.eml").read_bytes()
    msg = parse_mail(raw, received_at=clock(), attachments_dir=tmp_path)
    assert [(a.filename, a.content_type) for a in msg.attachments] == [
        ("attachment.jpg", "image/jpg")
    ]
    assert msg.attachments[0].path is not None


def test_an_address_with_a_control_character_is_no_contact(clock):
    msg = parse_mail(_raw("Eve <e\x00ve@example.com>"), received_at=clock())
    assert msg.sender == "" and "sender not understood" in msg.body
