"""Attachments as rows: the rules (name, type, size), storage by hash, intake from
mail, a technician's files with a reply, and the reads."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import select

from regentra_core import attachments as rules
from regentra_core import queries
from regentra_core.channels.mail import parse_mail
from regentra_core.desk import Desk, Upload
from regentra_core.desk_config import Shelf
from regentra_core.errors import NotFoundError, ValidationError
from regentra_core.events import EventKind
from regentra_core.identity import Actor
from regentra_core.queries.attachments import attachment, attachments_of
from regentra_core.store.models import Event, FileAttachment
from tests.conftest import with_config

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _mail(body="See attached.", files=(), mid="<a1@acme.example>", subject="Printer log"):
    msg = EmailMessage()
    msg["From"] = "Pat Doe <pat@acme.example>"
    msg["To"] = "help@desk.example"
    msg["Subject"] = subject
    msg["Message-ID"] = mid
    msg.set_content(body)
    for name, data, kind in files:
        main, sub = kind.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg.as_bytes()


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "attachments"


@pytest.fixture
def intake(db, clock):
    return Desk(db, Actor.system("email"), source="email", clock=clock)


@pytest.fixture
def tech(desk, folder) -> Desk:
    return with_config(desk, shelf=Shelf(folder))


def _receive(intake, clock, raw, folder, limit=rules.MAX_ATTACHMENT_BYTES):
    return intake.receive(
        parse_mail(raw, received_at=clock(), attachments_dir=folder, max_attachment_bytes=limit)
    )


# -- rules -------------------------------------------------------------------


def test_the_recorded_type_is_what_the_bytes_are_not_what_the_name_claims():
    assert rules.sniff_type("photo.txt", PNG) == "image/png"
    assert rules.sniff_type("scan", b"%PDF-1.7 ...", "application/octet-stream") == (
        "application/pdf"
    )
    assert rules.sniff_type("report.docx", b"PK\x03\x04rest").startswith(
        "application/vnd.openxmlformats"
    )
    assert rules.sniff_type("notes.bin", "grüße\n".encode()) == "text/plain"
    assert rules.sniff_type("data.csv", b"a,b\n1,2\n") == "text/csv"
    assert rules.sniff_type("blob", b"\x00\x01\x02\xff") == "application/octet-stream"


def test_any_type_is_accepted_and_only_empty_unnamed_or_too_big_refused():
    rules.check_file("setup.exe", 10, 100)  # no type is refused
    with pytest.raises(ValidationError, match="empty"):
        rules.check_file("a.txt", 0, 100)
    with pytest.raises(ValidationError, match="file name"):
        rules.check_file("  ", 5, 100)
    with pytest.raises(ValidationError, match="over the attachment limit of 100 B"):
        rules.check_file("big.iso", 101, 100)


def test_a_name_cannot_leave_its_folder_nor_hide_its_extension():
    assert rules.safe_name("../../etc/passwd") == "_.._etc_passwd"
    assert "\u202e" not in rules.safe_name("invoice\u202etxt.exe")
    assert rules.safe_name("...") == "attachment"


def test_bytes_are_stored_once_by_hash_and_atomically(folder):
    first = rules.store_bytes(folder, "log.txt", b"hello")
    again = rules.store_bytes(folder, "log.txt", b"hello")
    assert first == again
    assert (folder / first.path).read_bytes() == b"hello"
    assert first.path.split("/")[1] == first.sha256
    assert not [p for p in folder.rglob("*") if p.name.endswith(".part")]


def test_sizes_read_as_a_file_manager_says_them():
    assert rules.human_size(512) == "512 B"
    assert rules.human_size(3 * 1024 + 100) == "3.1 KB"
    assert rules.human_size(25 * 1024 * 1024) == "25.0 MB"


# -- intake ------------------------------------------------------------------


def test_a_mailed_file_becomes_a_row_on_the_tickets_opening_message(intake, clock, db, folder):
    raw = _mail(files=[("printer.log", b"paper jam\n", "text/plain")])
    number = _receive(intake, clock, raw, folder).ticket
    (row,) = attachments_of(db, number)
    assert (row.filename, row.content_type, row.size, row.reply_id) == (
        "printer.log",
        "text/plain",
        10,
        None,
    )
    assert (folder / row.path).read_bytes() == b"paper jam\n"
    assert row.sha256 and row.sha256 in row.path


def test_the_text_names_the_file_for_search_but_never_its_hash_path(intake, clock, db, folder):
    raw = _mail(files=[("printer.log", b"paper jam\n", "text/plain")])
    number = _receive(intake, clock, raw, folder).ticket
    description = queries.ticket_detail(db, number).description
    assert "Attachments: printer.log (text/plain, 10 B)" in description
    (row,) = attachments_of(db, number)
    assert row.path not in description and row.sha256 not in description


def test_a_file_in_a_customer_reply_is_a_row_of_that_reply(intake, clock, db, folder):
    number = _receive(intake, clock, _mail(), folder).ticket
    answer = _mail(
        "Here is the screenshot",
        files=[("screen.png", PNG, "image/png")],
        mid="<a2@acme.example>",
        subject=f"Re: Printer log [#{number}]",
    )
    clock.advance(minutes=5)
    assert _receive(intake, clock, answer, folder).ticket == number
    (row,) = attachments_of(db, number)
    assert row.reply_id is not None and row.content_type == "image/png"


def test_a_file_over_the_limit_is_listed_without_a_path(intake, clock, db, folder):
    raw = _mail(files=[("huge.bin", b"x" * 300, "application/octet-stream")])
    number = _receive(intake, clock, raw, folder, limit=100).ticket
    (row,) = attachments_of(db, number)
    assert row.path is None and row.size == 300
    found = attachment(db, row.id, folder)
    assert found.location is None and "over the attachment limit" in (found.missing or "")


# -- a technician's files ------------------------------------------------------


def test_a_reply_carries_its_files_in_its_own_transaction(tech, new_ticket, db, folder):
    number = new_ticket().number
    reply = tech.add_technician_reply(
        number, "Manual attached.", attachments=[Upload("manual.pdf", b"%PDF-1.4 x")]
    )
    (row,) = attachments_of(db, number)
    assert row.reply_id == reply.id and row.content_type == "application/pdf"
    found = attachment(db, row.id, folder)
    assert found.missing is None and found.location.read_bytes() == b"%PDF-1.4 x"
    with db.read() as s:
        kinds = [e.kind for e in s.exec(select(Event)).all()]
    assert EventKind.ATTACHMENTS_ADDED in kinds


def test_a_too_big_file_refuses_the_reply_before_anything_is_written(tech, new_ticket, db, folder):
    number = new_ticket().number
    tech = with_config(tech, shelf=Shelf(folder, limit=100))
    before = len(queries.ticket_detail(db, number).thread)
    with pytest.raises(ValidationError, match="over the attachment limit"):
        tech.add_technician_reply(
            number,
            "two files",
            attachments=[Upload("ok.txt", b"fine"), Upload("big.bin", b"x" * 101)],
        )
    assert len(queries.ticket_detail(db, number).thread) == before
    assert attachments_of(db, number) == []
    assert not folder.exists()  # the good file was not stored either


def test_a_refused_reply_keeps_no_row_of_its_files(tech, new_ticket, db):
    number = new_ticket().number
    with pytest.raises(ValidationError):
        tech.add_technician_reply(number, "   ", attachments=[Upload("a.txt", b"a")])
    with db.read() as s:
        assert s.exec(select(FileAttachment)).all() == []


def test_files_can_be_added_to_a_tickets_opening_message(tech, new_ticket, db):
    number = new_ticket().number
    ids = tech.attach_files(number, [Upload("photo.jpg", b"\xff\xd8\xff\xe0 jpeg")])
    (row,) = attachments_of(db, number)
    assert ids == [row.id] and row.reply_id is None and row.content_type == "image/jpeg"


def test_the_reads_name_what_is_not_there(db, tech, new_ticket, folder):
    with pytest.raises(NotFoundError):
        attachments_of(db, 99999)
    with pytest.raises(NotFoundError):
        attachment(db, 12345, folder)
    number = new_ticket().number
    (row_id,) = tech.attach_files(number, [Upload("gone.txt", b"soon gone")])
    found = attachment(db, row_id, folder)
    found.location.unlink()
    assert "missing from storage" in (attachment(db, row_id, folder).missing or "")


def test_a_portal_upload_is_checked_typed_and_stored(folder):
    kept = rules.keep_upload(folder, "pic.txt", PNG, limit=1000)
    assert kept.content_type == "image/png" and (folder / kept.path).read_bytes() == PNG
    with pytest.raises(ValidationError):
        rules.keep_upload(folder, "big", b"x" * 1001, limit=1000)
