"""The customer portal in a real browser: Debian's Chromium driven by Playwright,
the app served by uvicorn on loopback, the sign-in link read from a real SMTP server.

A customer signs in through the mailed link, opens a ticket, and sees a technician's
reply (made through the Desk, as the TUI makes it) appear in the thread.
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

from regentra_core.channels.delivery import deliver_due
from regentra_core.channels.smtp import SmtpTransport
from regentra_core.config import load_settings
from regentra_core.desk import Desk
from regentra_core.enums import Channel
from regentra_core.identity import Actor
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
"""Set to a folder (docs/screenshots) to keep the screenshots for the README."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(db, monkeypatch, new_ticket):
    import uvicorn

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("REGENTRA_PORTAL_SECRET_KEY", "browser-test-key")
    monkeypatch.setenv("REGENTRA_PUBLIC_URL", base)
    monkeypatch.setenv("REGENTRA_PORTAL_NAME", "Acme IT Help")
    new_ticket(subject="Printer on floor 2 offline", contact_email="sam@acme.example")
    settings = load_settings()
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
    yield base, wiring
    server.should_exit = True
    thread.join(10)


def _signin_queued(db) -> bool:
    from sqlmodel import select

    from regentra_core.store.models import OutboundMessage

    with db.read() as s:
        return (
            s.exec(select(OutboundMessage).where(OutboundMessage.kind == "signin")).first()
            is not None
        )


def test_a_customer_signs_in_opens_a_ticket_and_sees_the_reply(served, smtp, db, alice, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    base, wiring = served
    shots = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    with sync_playwright() as p:
        browser = p.chromium.launch(
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
        page = browser.new_page(viewport={"width": 420, "height": 860})  # a phone
        page.goto(base + "/")
        page.fill("#email", "sam@acme.example")
        page.click("text=Send me a link")
        expect(page.locator("h2")).to_have_text("Check your email")
        # The link is made after the page is sent (the same path for a stranger).
        assert wait_for(lambda: _signin_queued(db), timeout=10)

        worker = Desk(db, Actor.system("mail"), source="worker")
        deliver_due(
            worker, Channel.EMAIL, SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT).send
        )
        mail, _ = smtp.inbox.received[-1]
        link = re.search(r"(http://127\.0\.0\.1:\d+/signin/\S+)", mail.get_content()).group(1)
        page.goto(link)
        page.click("button:has-text('Sign in')")
        expect(page.locator("h2")).to_have_text("Your tickets")
        expect(page.locator("table")).to_contain_text("Printer on floor 2 offline")

        page.click("text=Open a new ticket")
        page.fill("#subject", "VPN drops every hour")
        page.select_option("#priority", "high")
        page.fill("#description", "Since Monday the VPN disconnects at :00.")
        page.click("button:has-text('Open ticket')")
        heading = page.locator("h2")
        expect(heading).to_contain_text("VPN drops every hour")
        number = int(re.search(r"#(\d+)", heading.inner_text()).group(1))

        Desk(db, alice, source="tui").add_technician_reply(
            number, "Thanks. We have updated the VPN profile; please reconnect."
        )
        page.reload()
        expect(page.locator(".from-support")).to_contain_text("updated the VPN profile")
        page.screenshot(path=str(shots / "portal-ticket.png"), full_page=True)
        browser.close()
    assert (shots / "portal-ticket.png").stat().st_size > 10_000
