"""The customer portal on a phone (issue #28's acceptance): Debian's Chromium driven
by Playwright at 390x844 with touch, the app served by uvicorn on loopback, the
sign-in link read from a real SMTP server.

A customer signs in through the mailed link, opens their ticket that has a file,
reads the technician's reply with its quoted history folded (hidden until they
open it), downloads the file (the same bytes), and answers with a photo attached.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import select

from regentra_core.channels.delivery import deliver_due
from regentra_core.channels.smtp import SmtpTransport
from regentra_core.config import load_settings
from regentra_core.desk import Desk
from regentra_core.desk.attachments import Upload
from regentra_core.enums import Channel, Priority
from regentra_core.identity import Actor
from regentra_core.store.models import FileAttachment, OutboundMessage, Reply
from regentra_core.wiring import Wiring, open_index
from regentra_web import create_app
from tests.helpers.smtp import SUPPORT
from tests.helpers.waiting import wait_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]
SCREENSHOTS = os.environ.get("REGENTRA_SCREENSHOT_DIR")
"""Set to a folder to keep the screenshots (else they go to the test's tmp folder)."""

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
    ),
}
DIAGNOSTICS = b"%PDF-1.4\n" + b"printer diagnostics page\n" * 400
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
REPLY = """Thanks Sam. The fuser unit reports an error; I have attached the printer's
diagnostics page. Please power it off for 30 seconds and send a photo of the
display when it is back on.

Alice
Acme MSP Support

On Mon, 2 Mar 2026 at 09:00, Sam Customer <sam@acme.example> wrote:
> The printer on floor 2 is offline again.
> QUOTED-HISTORY-MARKER: it shows error 50.2 and will not print.
>
> Sam
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(db, monkeypatch, alice, clients):
    import uvicorn

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("REGENTRA_PORTAL_SECRET_KEY", "phone-test-key")
    monkeypatch.setenv("REGENTRA_PUBLIC_URL", base)
    monkeypatch.setenv("REGENTRA_PORTAL_NAME", "Acme IT Help")
    monkeypatch.setenv("REGENTRA_MAX_ATTACHMENT_MB", "1")
    settings = load_settings()
    # The desk's real clock: the SLA lines the page shows are about now.
    desk = Desk(db, alice, source="tui", config=settings.desk_config())
    desk.add_calendar("Office", timezone="Europe/London", hours="mon-fri 08:00-18:00")
    desk.add_policy("Standard", calendar="Office", default=True)
    for p in Priority:
        desk.set_target("Standard", p, response_minutes=240, resolution_minutes=1440)
    ticket = desk.create_ticket(
        subject="Printer on floor 2 offline",
        description="The printer on floor 2 is offline again.\n\nSam",
        priority=Priority.MEDIUM,
        channel=Channel.EMAIL,
        contact_email="sam@acme.example",
        client_name="Acme",
    )
    desk.add_technician_reply(
        ticket.number, REPLY, attachments=[Upload("diagnostics page.pdf", DIAGNOSTICS)]
    )
    wiring = Wiring(settings, db, open_index(settings, db))
    server = uvicorn.Server(
        uvicorn.Config(create_app(wiring), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield base, ticket.number
    server.should_exit = True
    thread.join(10)


def _browser(p):
    return p.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


def _signin_queued(db) -> bool:
    with db.read() as s:
        return (
            s.exec(select(OutboundMessage).where(OutboundMessage.kind == "signin")).first()
            is not None
        )


def _portal_reply(db) -> bool:
    with db.read() as s:
        return s.exec(select(Reply).where(Reply.channel == Channel.PORTAL)).first() is not None


def _photo_kept(db) -> bool:
    with db.read() as s:
        row = s.exec(select(FileAttachment).where(FileAttachment.filename == "display.png")).first()
        return row is not None and row.reply_id is not None


def test_a_customer_on_a_phone_reads_the_folded_reply_downloads_and_uploads(
    served, smtp, db, tmp_path
):
    from playwright.sync_api import expect, sync_playwright

    base, number = served
    shots = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    with sync_playwright() as p:
        browser = _browser(p)
        context = browser.new_context(accept_downloads=True, **PHONE)
        page = context.new_page()
        page.goto(base + "/")
        page.fill("#email", "sam@acme.example")
        page.tap("text=Send me a link")
        expect(page.locator("h2")).to_have_text("Check your email")
        assert wait_for(lambda: _signin_queued(db), timeout=10)

        worker = Desk(db, Actor.system("mail"), source="worker")
        deliver_due(
            worker, Channel.EMAIL, SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT).send
        )
        mail, recipients = smtp.inbox.received[-1]
        assert recipients == ["sam@acme.example"]
        link = re.search(r"(http://127\.0\.0\.1:\d+/signin/\S+)", mail.get_content()).group(1)
        page.goto(link)
        page.tap("button:has-text('Sign in')")
        expect(page.locator("h2")).to_have_text("Your tickets")

        page.get_by_role("link", name="Printer on floor 2 offline").tap()
        expect(page.locator("h2")).to_contain_text("Printer on floor 2 offline")
        support = page.locator(".from-support")
        expect(support).to_contain_text("fuser unit reports an error")
        # The quoted history is folded: hidden until the customer opens it.
        quoted = support.get_by_text("QUOTED-HISTORY-MARKER")
        expect(quoted).to_be_hidden()
        page.screenshot(path=str(shots / "portal-phone-ticket.png"), full_page=True)
        support.locator("summary").tap()
        expect(quoted).to_be_visible()

        with page.expect_download() as download:
            support.get_by_role("link", name="diagnostics page.pdf").tap()
        assert download.value.suggested_filename == "diagnostics page.pdf"
        assert Path(download.value.path()).read_bytes() == DIAGNOSTICS

        page.fill("#body", "Here is the display after the restart.")
        # A file over the limit is refused in the page before a byte is sent.
        page.set_input_files(
            "#files",
            files=[{"name": "video.mp4", "mimeType": "video/mp4", "buffer": b"v" * 1_500_000}],
        )
        page.tap("button:has-text('Send reply')")
        expect(page.locator("#files-error")).to_contain_text("one message may carry 1.0 MB")
        expect(page.locator("#body")).to_have_value("Here is the display after the restart.")
        assert not _portal_reply(db)
        page.set_input_files(
            "#files", files=[{"name": "display.png", "mimeType": "image/png", "buffer": PHOTO}]
        )
        page.tap("button:has-text('Send reply')")
        mine = page.locator(".card", has_text="Here is the display after the restart.")
        expect(mine.get_by_role("link", name="display.png")).to_be_visible()
        assert wait_for(lambda: _photo_kept(db), timeout=10)
        with page.expect_download() as again:
            mine.get_by_role("link", name="display.png").tap()
        assert Path(again.value.path()).read_bytes() == PHOTO
        page.screenshot(path=str(shots / "portal-phone-replied.png"), full_page=True)
        context.close()
        browser.close()
    with db.read() as s:
        reply = s.exec(select(Reply).where(Reply.channel == Channel.PORTAL)).one()
    assert "display after the restart" in reply.body
    assert (shots / "portal-phone-ticket.png").stat().st_size > 10_000


def test_without_scripts_files_past_the_cap_are_refused_in_the_page(served, smtp, db):
    """A phone with scripts off sends the whole form: the server answers in the page
    (uvicorn discards the rest of the body), not with a reset connection."""
    from playwright.sync_api import expect, sync_playwright

    base, number = served
    with sync_playwright() as p:
        browser = _browser(p)
        context = browser.new_context(java_script_enabled=False, **PHONE)
        page = context.new_page()
        page.goto(base + "/")
        page.fill("#email", "sam@acme.example")
        page.tap("text=Send me a link")
        expect(page.locator("h2")).to_have_text("Check your email")
        assert wait_for(lambda: _signin_queued(db), timeout=10)
        worker = Desk(db, Actor.system("mail"), source="worker")
        deliver_due(
            worker, Channel.EMAIL, SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT).send
        )
        mail, _ = smtp.inbox.received[-1]
        page.goto(re.search(r"(http://127\.0\.0\.1:\d+/signin/\S+)", mail.get_content()).group(1))
        page.tap("button:has-text('Sign in')")
        expect(page.locator("h2")).to_have_text("Your tickets")
        page.goto(f"{base}/tickets/{number}")
        page.fill("#body", "Two videos.")
        page.set_input_files(
            "#files",
            files=[
                {"name": f"video{i}.mp4", "mimeType": "video/mp4", "buffer": b"v" * 3_000_000}
                for i in (1, 2)
            ],
        )
        page.tap("button:has-text('Send reply')")
        expect(page.locator("p.error").first).to_contain_text("Your files come to more than 1.0 MB")
        context.close()
        browser.close()
    assert not _portal_reply(db)
