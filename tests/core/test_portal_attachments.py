"""Files both ways in the customer portal (issue #28): a customer attaches files to a
new ticket and to a reply, and downloads the files of the tickets they may see (a
technician's included), always as a download; anyone else's file is 404 exactly as
their ticket is; a file over the desk's limit is refused in the page with nothing
kept. Through the real app (Starlette's test client, multipart forms as a browser
sends them), signed in by the link the desk queued."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func
from sqlmodel import select
from starlette.testclient import TestClient

from regentra_core.attachments import limit_bytes
from regentra_core.config import load_settings
from regentra_core.desk.attachments import Upload
from regentra_core.enums import Channel
from regentra_core.store.models import FileAttachment, Reply, Ticket
from regentra_core.wiring import Wiring, open_index
from regentra_web import create_app
from regentra_web.limits import FORM_BODY_BYTES, body_cap
from tests.conftest import with_config
from tests.core.test_portal_text import _csrf, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
"""Bytes that are a PNG by their first eight, whatever the name says."""


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.setenv("REGENTRA_PORTAL_SECRET_KEY", "portal-test-key")
    monkeypatch.setenv("REGENTRA_PUBLIC_URL", "https://help.example.com")
    monkeypatch.setenv("REGENTRA_MAX_ATTACHMENT_MB", "0.05")  # 52,428 bytes: 51.2 KB
    return load_settings()


@pytest.fixture
def wiring(db, settings, clock, clients):
    return Wiring(settings, db, open_index(settings, db), clock=clock)


@pytest.fixture
def web(wiring):
    with TestClient(create_app(wiring), base_url="https://testserver") as client:
        yield client


@pytest.fixture
def tickets(new_ticket):
    sams = new_ticket(subject="Sam's printer", contact_email="sam@acme.example")
    pats = new_ticket(subject="Pat's laptop", contact_email="pat@acme.example")
    other = new_ticket(
        subject="Bigwig VPN", contact_email="ceo@bigwig.example", client_name="Bigwig"
    )
    return {"sam": sams.number, "pat": pats.number, "other": other.number}


def _rows(db) -> list[FileAttachment]:
    with db.read() as s:
        return list(s.exec(select(FileAttachment).order_by(FileAttachment.id)).all())


def _stored_files(settings) -> list[Path]:
    folder = settings.attachments_dir()
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _file_links(html: str) -> dict[str, str]:
    """File name -> its download path, as the page links them."""
    return {
        name: href
        for href, name in re.findall(r'<a href="(/files/\d+)" download>([^<]+)</a>', html)
    }


def _open_with_files(web, files, subject="Screen flickers", description="See the photo."):
    form = web.get("/tickets/new").text
    return web.post(
        "/tickets/new",
        data={
            "csrf": _csrf(form),
            "key": "k" + str(abs(hash(subject)))[:10],
            "subject": subject,
            "description": description,
            "priority": "medium",
        },
        files=files,
        follow_redirects=False,
    )


def test_a_customer_attaches_files_to_a_new_ticket_and_downloads_them(web, db, tickets):
    sign_in(web, db, "sam@acme.example")
    opened = _open_with_files(
        web,
        [
            ("files", ("Bildschirm Übersicht €.png", PNG, "application/octet-stream")),
            ("files", ("notes.txt", b"flickers at 60 Hz\n", "text/plain")),
        ],
    )
    assert opened.status_code == 303
    page = web.get(opened.headers["location"])
    links = _file_links(page.text)
    assert set(links) == {"Bildschirm Übersicht €.png", "notes.txt"}
    assert "image/png" in page.text  # the real type, sniffed from the bytes
    got = web.get(links["Bildschirm Übersicht €.png"])
    assert got.status_code == 200 and got.content == PNG
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('Bildschirm Übersicht €.png', safe='')}" in disposition
    assert got.headers["x-content-type-options"] == "nosniff"
    assert web.get(links["notes.txt"]).content == b"flickers at 60 Hz\n"
    number = int(opened.headers["location"].rsplit("/", 1)[1])
    with db.read() as s:
        tid = s.exec(select(Ticket.id).where(Ticket.number == number)).one()
    assert {(r.ticket_id, r.reply_id) for r in _rows(db)} == {(tid, None)}  # opening message


def test_a_reply_carries_its_file_and_the_page_shows_it_under_that_reply(web, db, tickets):
    sign_in(web, db, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    sent = web.post(
        f"/tickets/{tickets['sam']}/reply",
        data={"csrf": _csrf(page), "key": "r1", "body": "Here is the error log."},
        files=[("files", ("error.log", b"E: paper jam tray 2\n", "text/plain"))],
        follow_redirects=False,
    )
    assert sent.status_code == 303
    (row,) = _rows(db)
    with db.read() as s:
        reply = s.get(Reply, row.reply_id)
    assert reply is not None and "Here is the error log." in reply.body
    assert reply.channel == Channel.PORTAL
    html = web.get(f"/tickets/{tickets['sam']}").text
    # The link sits in the reply's card, after its text.
    card = html[html.index("Here is the error log.") :]
    assert card.index('href="/files/') < card.index('id="reply"')
    # The intake's "Attachments: ..." line (kept for search) is not said twice.
    assert "Attachments: error.log" not in html
    assert web.get(f"/files/{row.id}").content == b"E: paper jam tray 2\n"


def test_a_customer_downloads_the_file_a_technician_sent(web, db, desk, settings, tickets):
    desk = with_config(desk, shelf=settings.desk_config().shelf)
    desk.add_technician_reply(
        tickets["sam"],
        "The driver is attached.",
        attachments=[Upload("driver-setup.zip", b"PK\x03\x04" + b"\x00" * 100)],
    )
    sign_in(web, db, "sam@acme.example")
    links = _file_links(web.get(f"/tickets/{tickets['sam']}").text)
    got = web.get(links["driver-setup.zip"])
    assert got.content == b"PK\x03\x04" + b"\x00" * 100
    assert got.headers["content-type"].startswith("application/zip")


def test_an_html_file_is_always_a_download_never_a_page_of_this_site(web, db, tickets):
    sign_in(web, db, "sam@acme.example")
    script = b"<html><script>fetch('/tickets').then(r => r.text())</script></html>"
    opened = _open_with_files(web, [("files", ("invoice.html", script, "text/html"))])
    (row,) = _rows(db)
    got = web.get(f"/files/{row.id}")
    assert opened.status_code == 303 and got.content == script
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]


def test_a_file_of_someone_elses_ticket_is_404_like_their_ticket(web, db, desk, settings, tickets):
    desk = with_config(desk, shelf=settings.desk_config().shelf)
    ids = {}
    for who in ("pat", "other"):
        (ids[who],) = desk.attach_files(tickets[who], [Upload(f"{who}.txt", b"private")])
    sign_in(web, db, "sam@acme.example")
    for who in ("pat", "other"):
        assert web.get(f"/tickets/{tickets[who]}").status_code == 404
        refused = web.get(f"/files/{ids[who]}")
        assert refused.status_code == 404 and b"private" not in refused.content
    for nonsense in ("/files/999999", "/files/0", "/files/99999999999999999999"):
        assert web.get(nonsense).status_code == 404
    # A client admin sees the client's tickets, and so their files; not another client's.
    desk.set_portal_admin("sam@acme.example", True)
    assert web.get(f"/files/{ids['pat']}").content == b"private"
    assert web.get(f"/files/{ids['other']}").status_code == 404


def test_a_signed_out_visitor_gets_no_file(web, db, desk, settings, tickets):
    desk = with_config(desk, shelf=settings.desk_config().shelf)
    (file_id,) = desk.attach_files(tickets["sam"], [Upload("sam.txt", b"private")])
    answer = web.get(f"/files/{file_id}", follow_redirects=False)
    assert answer.status_code == 303 and b"private" not in answer.content


def test_a_file_over_the_limit_is_refused_in_the_page_with_nothing_kept(web, db, settings, tickets):
    sign_in(web, db, "sam@acme.example")
    before = _stored_files(settings)
    big = b"x" * (limit_bytes(settings.max_attachment_mb) * 3 // 2)
    answer = _open_with_files(
        web,
        [("files", ("small.txt", b"fine", "text/plain")), ("files", ("huge.bin", big, None))],
        subject="Big log",
        description="The log is attached.",
    )
    assert answer.status_code == 422
    said = "huge.bin is 76.8 KB: over the attachment limit of 51.2 KB. Nothing was sent."
    assert said in answer.text
    assert "The log is attached." in answer.text  # what was typed is kept
    assert _rows(db) == [] and _stored_files(settings) == before
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(Ticket)).one() == 3


def test_files_over_the_limit_together_are_refused(web, db, settings, tickets):
    sign_in(web, db, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    half = b"y" * (limit_bytes(settings.max_attachment_mb) // 2 + 10)
    answer = web.post(
        f"/tickets/{tickets['sam']}/reply",
        data={"csrf": _csrf(page), "key": "r2", "body": "two halves"},
        files=[("files", ("a.bin", half, None)), ("files", ("b.bin", half, None))],
    )
    assert answer.status_code == 422
    assert "one message may carry 51.2 KB. Nothing was sent." in answer.text
    assert "two halves" in answer.text
    assert _rows(db) == [] and _stored_files(settings) == []
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(Reply)).one() == 0


def test_a_body_past_the_upload_cap_is_refused_in_the_page_unread(web, db, settings, tickets):
    sign_in(web, db, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    huge = b"z" * (body_cap("/tickets/1/reply", upload_cap_of(settings)) + 1)
    answer = web.post(
        f"/tickets/{tickets['sam']}/reply",
        data={"csrf": _csrf(page), "key": "r3", "body": "too much"},
        files=[("files", ("huge.bin", huge, None))],
    )
    assert answer.status_code == 413
    assert "Your files come to more than 51.2 KB" in answer.text
    assert "<html" in answer.text  # the portal's page, not a bare 413
    assert _rows(db) == [] and _stored_files(settings) == []


def upload_cap_of(settings) -> int:
    return limit_bytes(settings.max_attachment_mb) + FORM_BODY_BYTES


def test_only_the_forms_that_carry_files_take_an_attachment_sized_body(web, db, tickets):
    sign_in(web, db, "sam@acme.example")
    cap = 25 * 1024 * 1024 + FORM_BODY_BYTES
    assert body_cap("/tickets/new", cap) == body_cap("/tickets/12/reply", cap) == cap
    for other in ("/signin", "/signout", "/tickets", "/hooks/chat", "/tickets/12"):
        assert body_cap(other, cap) < 1024 * 1024
    # A 1 MB sign-in form is still refused before it is read.
    answer = web.post("/signin", content=b"x" * 1_000_001, headers={"Content-Type": "text/plain"})
    assert answer.status_code == 413


def test_an_upload_without_the_forms_csrf_token_is_refused_and_nothing_kept(
    web, db, settings, tickets
):
    sign_in(web, db, "sam@acme.example")
    answer = web.post(
        f"/tickets/{tickets['sam']}/reply",
        data={"key": "r4", "body": "forged"},
        files=[("files", ("x.txt", b"forged file", "text/plain"))],
    )
    assert answer.status_code == 403
    assert _rows(db) == [] and _stored_files(settings) == []


def test_an_empty_file_field_sends_no_file(web, db, tickets):
    sign_in(web, db, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    sent = web.post(
        f"/tickets/{tickets['sam']}/reply",
        data={"csrf": _csrf(page), "key": "r5", "body": "no file this time"},
        files=[("files", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert sent.status_code == 303 and _rows(db) == []


def test_a_file_of_a_reply_from_an_unverified_sender_is_not_offered(
    web, db, clock, wiring, tickets
):
    from regentra_core.attachments import keep_upload
    from regentra_core.channels.message import Inbound

    stranger = Inbound(
        Channel.EMAIL,
        "<stranger-1@evil.example>",
        "mallory@evil.example",
        clock(),
        subject=f"Re: [#{tickets['sam']}] Sam's printer",
        body="see attached",
        attachments=(
            keep_upload(
                wiring.settings.attachments_dir(), "payload.exe", b"MZ" + b"\x00" * 64, limit=10**6
            ),
        ),
    )
    wiring.receive(Channel.EMAIL, [(stranger, None)])
    (row,) = _rows(db)
    with db.read() as s:
        assert s.get(Reply, row.reply_id).unverified_sender
    sign_in(web, db, "sam@acme.example")
    assert "payload.exe" not in web.get(f"/tickets/{tickets['sam']}").text
    assert web.get(f"/files/{row.id}").status_code == 404


def test_a_signed_out_upload_past_the_cap_is_sent_to_sign_in_unread(web, db, settings, tickets):
    cap = upload_cap_of(settings)
    answer = web.post(
        "/tickets/new",
        content=b"x" * (cap + 1),
        headers={"Content-Type": "multipart/form-data; boundary=b"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert _rows(db) == [] and _stored_files(settings) == []


def test_a_contacts_messages_with_files_are_limited_per_hour(
    web, db, settings, clock, tickets, monkeypatch
):
    from regentra_web import portal

    monkeypatch.setattr(portal, "UPLOADS_PER_HOUR", 2)
    sign_in(web, db, "sam@acme.example")

    def send(i: int):
        page = web.get(f"/tickets/{tickets['sam']}").text
        return web.post(
            f"/tickets/{tickets['sam']}/reply",
            data={"csrf": _csrf(page), "key": f"u{i}", "body": f"photo {i}"},
            files=[("files", (f"photo{i}.png", PNG + bytes([i]), "image/png"))],
            follow_redirects=False,
        )

    assert [send(i).status_code for i in (1, 2)] == [303, 303]
    refused = send(3)
    assert refused.status_code == 422
    assert "You have sent files with 2 messages in the last hour" in refused.text
    assert len(_rows(db)) == 2 and len(_stored_files(settings)) == 2
    clock.advance(hours=1, minutes=1)
    assert send(4).status_code == 303
