"""What the portal's ticket page says, read as the customer reads it (issue #28):
messages folded as the app folds them, a priority that policy raised with its
reason, and the SLA as times we aim for, in a named time zone. Through the real
app (Starlette's test client), signed in by the link the desk queued."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from regentra_core.channels.message import Inbound
from regentra_core.enums import Channel, EscalationReason, Priority, Status
from regentra_core.store.models import OutboundMessage
from regentra_web import create_app
from tests.helpers.portal import portal_wiring

THUNDERBIRD_REPLY = """Please restart the print spooler and try again.

Kind regards,
Alice

On 02/03/2026 09:00, Sam Customer wrote:
> The printer on floor 2 is offline.
> It says PAPER JAM SECRET-QUOTE-MARKER but there is no paper in it.
"""

CUSTOMER_MAIL = """The printer on floor 2 is offline again.

--\u0020
Sam Customer | Acme Ltd | +44 20 7946 0000
CONFIDENTIAL-DISCLAIMER-MARKER: this message is for its addressee only.
"""


@pytest.fixture
def wiring(db, monkeypatch, clock, clients):
    return portal_wiring(db, monkeypatch, clock)


@pytest.fixture
def web(wiring):
    with TestClient(create_app(wiring), base_url="https://testserver") as client:
        yield client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def sign_in(client: TestClient, db, email: str) -> None:
    """Ask for a link, take it from the outbox as the worker would send it, spend it."""
    home = client.get("/")
    client.post("/signin", data={"email": email, "csrf": _csrf(home.text)})
    with db.read() as s:
        out = s.exec(
            select(OutboundMessage)
            .where(OutboundMessage.recipient == email, OutboundMessage.kind == "signin")
            .order_by(OutboundMessage.id.desc())  # type: ignore[union-attr]
        ).first()
    assert out is not None, f"no sign-in link for {email}"
    link = re.search(r"https://help\.example\.com(/signin/\S+)", out.body).group(1)
    confirm = client.get(link)
    signed = client.post(link, data={"csrf": _csrf(confirm.text)}, follow_redirects=False)
    assert signed.headers["location"] == "/tickets"


class _Page(HTMLParser):
    """The page's text outside any <details>, and inside them, apart."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.shown: list[str] = []
        self.folded: list[str] = []
        self.summaries: list[str] = []
        self._in_summary = False

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self.depth += 1
        elif tag == "summary":
            self._in_summary = True

    def handle_endtag(self, tag):
        if tag == "details":
            self.depth -= 1
        elif tag == "summary":
            self._in_summary = False

    def handle_data(self, data):
        if self._in_summary:
            self.summaries.append(data)
        (self.folded if self.depth else self.shown).append(data)


def _read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _text(html: str) -> str:
    return " ".join(" ".join(_read(html).shown).split())


def test_a_replys_quoted_history_is_folded_behind_show_quoted_text(web, db, desk, new_ticket):
    t = new_ticket(description=CUSTOMER_MAIL)
    desk.add_technician_reply(t.number, THUNDERBIRD_REPLY)
    sign_in(web, db, "sam@acme.example")
    page = _read(web.get(f"/tickets/{t.number}").text)
    shown, folded = " ".join(page.shown), " ".join(page.folded)
    assert "Please restart the print spooler" in shown
    assert "SECRET-QUOTE-MARKER" not in shown and "SECRET-QUOTE-MARKER" in folded
    # The customer's own signature and disclaimer are folded the same way.
    assert "offline again" in shown
    assert "CONFIDENTIAL-DISCLAIMER-MARKER" not in shown
    assert "CONFIDENTIAL-DISCLAIMER-MARKER" in folded
    assert any("show quoted text" in s for s in page.summaries)


OUTLOOK_REPLY = """Thanks, that worked.

Sam Customer
Acme Ltd

From: Acme Support <help@acme-msp.example>
Sent: Monday, March 2, 2026 10:15 AM
To: Sam Customer <sam@acme.example>
Subject: RE: [#{number}] Printer offline

OUTLOOK-HISTORY-MARKER Please restart the spooler.

CONFIDENTIALITY NOTICE: This e-mail is intended only for the addressee.
"""


def test_an_outlook_reply_by_mail_is_folded_in_the_portal(web, db, clock, wiring, new_ticket):
    t = new_ticket()
    outlook = Inbound(
        Channel.EMAIL,
        "<outlook-1@acme.example>",
        "sam@acme.example",
        clock(),
        sender_name="Sam Customer",
        subject=f"RE: [#{t.number}] Printer offline",
        body=OUTLOOK_REPLY.format(number=t.number),
    )
    (result,) = wiring.receive(Channel.EMAIL, [(outlook, None)])
    assert result.ticket == t.number
    sign_in(web, db, "sam@acme.example")
    page = _read(web.get(f"/tickets/{t.number}").text)
    shown, folded = " ".join(page.shown), " ".join(page.folded)
    assert "Thanks, that worked." in shown
    assert "OUTLOOK-HISTORY-MARKER" not in shown and "OUTLOOK-HISTORY-MARKER" in folded
    assert "CONFIDENTIALITY NOTICE" not in shown


def test_a_message_with_nothing_carried_along_has_nothing_folded(web, db, desk, new_ticket):
    t = new_ticket(description="Just one line.")
    desk.add_technician_reply(t.number, "Fixed it.")
    sign_in(web, db, "sam@acme.example")
    html = web.get(f"/tickets/{t.number}").text
    assert "<details" not in html
    assert "Fixed it." in _text(html)


def test_a_priority_the_vip_policy_raised_says_so_in_the_customers_words(web, db, new_ticket):
    t = new_ticket(priority=Priority.LOW, contact_email="ceo@bigwig.example", client_name="Bigwig")
    assert t.priority == Priority.HIGH  # VIP escalation at creation
    sign_in(web, db, "ceo@bigwig.example")
    text = _text(web.get(f"/tickets/{t.number}").text)
    assert "High: raised from Low by our support policy for your account" in text


def test_a_priority_a_spike_raised_says_many_customers_reported_it(web, db, desk, new_ticket):
    t = new_ticket(priority=Priority.LOW)
    desk.escalate_priority(t.number, EscalationReason.TICKET_SPIKE)
    sign_in(web, db, "sam@acme.example")
    text = _text(web.get(f"/tickets/{t.number}").text)
    assert "High: raised from Low because many customers reported the same problem" in text


def test_a_priority_the_customer_chose_is_shown_as_it_is(web, db, new_ticket):
    t = new_ticket(priority=Priority.MEDIUM)
    sign_in(web, db, "sam@acme.example")
    text = _text(web.get(f"/tickets/{t.number}").text)
    assert "Priority: Medium" in text and "raised" not in text


@pytest.fixture
def berlin_hours(desk, db):
    """Mon-Fri 09:00-17:00 in Berlin: a Medium ticket is answered within 1 h and
    resolved within 8 business hours."""
    desk.add_calendar("Office", timezone="Europe/Berlin", hours="mon-fri 09:00-17:00")
    desk.add_policy("Standard", calendar="Office", default=True)
    for p in Priority:
        desk.set_target("Standard", p, response_minutes=60, resolution_minutes=480)


def test_the_sla_says_by_when_we_aim_to_reply_and_resolve_in_a_named_zone(
    web, db, desk, new_ticket, berlin_hours
):
    # Created Monday 2 March 2026, 09:00 UTC = 10:00 in Berlin (business hours).
    t = new_ticket()
    sign_in(web, db, "sam@acme.example")
    text = _text(web.get(f"/tickets/{t.number}").text)
    assert "We aim to reply by Mon 2 Mar, 11:00 (Europe/Berlin time)" in text
    # 7 hours left on Monday (10:00-17:00), the eighth on Tuesday from 09:00.
    assert "Resolution target: Tue 3 Mar, 10:00 (Europe/Berlin time)" in text
    assert "Opened 2 Mar 2026, 10:00 (Europe/Berlin time)" in text  # one clock
    for jargon in ("On Track", "At Risk", "SLA:"):
        assert jargon not in text


def test_the_sla_says_replied_once_support_answered_and_on_hold_while_waiting(
    web, db, desk, new_ticket, clock, berlin_hours
):
    t = new_ticket()
    clock.advance(minutes=20)
    desk.add_technician_reply(t.number, "Which printer?", then=Status.WAITING_ON_CUSTOMER)
    sign_in(web, db, "sam@acme.example")
    text = _text(web.get(f"/tickets/{t.number}").text)
    assert "Replied Mon 2 Mar, 10:20 (Europe/Berlin time)" in text
    assert "Resolution target: on hold while we wait for your answer" in text
    assert "We aim to reply" not in text


def test_a_late_reply_is_said_to_be_late(web, db, new_ticket, clock, berlin_hours):
    t = new_ticket()
    clock.advance(hours=3)
    sign_in(web, db, "sam@acme.example")
    text = _text(web.get(f"/tickets/{t.number}").text)
    assert "Our reply is late: we aimed to reply by Mon 2 Mar, 11:00 (Europe/Berlin time)" in text


def test_a_ticket_without_an_sla_policy_promises_nothing(web, db, new_ticket):
    t = new_ticket()
    sign_in(web, db, "sam@acme.example")
    text = _text(web.get(f"/tickets/{t.number}").text)
    assert "We aim" not in text and "Resolution target" not in text
