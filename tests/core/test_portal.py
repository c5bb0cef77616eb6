"""The customer portal through the real app (Starlette's test client), with the
sign-in link delivered by the email outbox to a real SMTP server and read from there."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from regentra_core.channels.delivery import deliver_due
from regentra_core.channels.smtp import SmtpTransport
from regentra_core.desk import Desk
from regentra_core.enums import Channel, Priority, Status
from regentra_core.identity import Actor
from regentra_core.store.models import OutboundMessage, Ticket
from regentra_web import create_app
from tests.helpers.portal import portal_wiring
from tests.helpers.smtp import SUPPORT

PUBLIC = "https://help.example.com"


@pytest.fixture
def wiring(db, monkeypatch, clock, clients):
    monkeypatch.setenv("REGENTRA_PORTAL_NAME", "Acme IT Help")
    return portal_wiring(db, monkeypatch, clock, public=PUBLIC)


@pytest.fixture
def web(wiring):
    # base_url https: the session cookie is Secure when public_url is https.
    with TestClient(create_app(wiring), base_url="https://testserver") as client:
        yield client


@pytest.fixture
def tickets(new_ticket, desk):
    """Sam's ticket, Pat's ticket (same client), and one of another client."""
    sams = new_ticket(subject="Sam's printer", contact_email="sam@acme.example")
    pats = new_ticket(subject="Pat's laptop", contact_email="pat@acme.example")
    other = new_ticket(
        subject="Bigwig VPN", contact_email="ceo@bigwig.example", client_name="Bigwig"
    )
    desk.add_note(sams.number, "internal: customer's router password is hunter2")
    desk.add_technician_reply(sams.number, "We are looking at it.")
    return {"sam": sams.number, "pat": pats.number, "other": other.number}


def _csrf(page_text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page_text)
    assert found, page_text
    return found.group(1)


def _sign_in(web, db, smtp, clock, email: str) -> str:
    """The whole sign-in: ask, the worker mails the link, open it, press the button."""
    home = web.get("/")
    web.post("/signin", data={"email": email, "csrf": _csrf(home.text)})
    worker = Desk(db, Actor.system("mail"), source="worker", clock=clock)
    transport = SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT, timeout=5)
    deliver_due(worker, Channel.EMAIL, transport.send)
    mail, recipients = smtp.inbox.received[-1]
    assert recipients == [email]
    link = re.search(r"https://help\.example\.com(/signin/\S+)", mail.get_content()).group(1)
    confirm = web.get(link)
    assert confirm.status_code == 200
    signed = web.post(link, data={"csrf": _csrf(confirm.text)}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/tickets"
    web.last_sign_in = signed
    return link


def test_sign_in_by_a_one_time_link_from_the_email_outbox(web, db, smtp, clock, tickets):
    link = _sign_in(web, db, smtp, clock, "sam@acme.example")
    cookie = web.cookies.get("regentra_portal")
    assert cookie
    page = web.get("/tickets")
    assert "Sam&#39;s printer" in page.text
    again = web.get(link)  # single use
    assert web.post(link, data={"csrf": _csrf(again.text)}).status_code == 400


def test_the_session_cookie_is_signed_httponly_samesite_and_secure(web, db, smtp, clock, tickets):
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    header = web.last_sign_in.headers.get("set-cookie", "").lower()
    assert header.startswith("regentra_portal=")
    assert "httponly" in header and "samesite=lax" in header and "secure" in header


def test_an_address_that_is_no_contact_gets_the_same_page_and_no_mail(web, db, tickets):
    home = web.get("/")
    known = web.post("/signin", data={"email": "sam@acme.example", "csrf": _csrf(home.text)})
    unknown = web.post("/signin", data={"email": "who@nowhere.example", "csrf": _csrf(home.text)})
    assert known.status_code == unknown.status_code == 200
    assert _main(known.text) == _main(unknown.text)
    with db.read() as s:
        recipients = [o.recipient for o in s.exec(select(OutboundMessage)).all()]
    assert "who@nowhere.example" not in recipients


def _main(html: str) -> str:
    return html[html.index("<main>") :]


def test_a_link_expires_after_thirty_minutes(web, db, smtp, clock, tickets):
    home = web.get("/")
    web.post("/signin", data={"email": "sam@acme.example", "csrf": _csrf(home.text)})
    worker = Desk(db, Actor.system("mail"), source="worker", clock=clock)
    deliver_due(worker, Channel.EMAIL, SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT).send)
    mail, _ = smtp.inbox.received[-1]
    link = re.search(r"https://help\.example\.com(/signin/\S+)", mail.get_content()).group(1)
    clock.advance(minutes=31)
    confirm = web.get(link)
    assert web.post(link, data={"csrf": _csrf(confirm.text)}).status_code == 400


def test_a_customer_sees_only_their_own_tickets_and_another_is_404(web, db, smtp, clock, tickets):
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    listing = web.get("/tickets").text
    assert "Sam&#39;s printer" in listing
    assert "Pat&#39;s laptop" not in listing and "Bigwig VPN" not in listing
    assert web.get(f"/tickets/{tickets['pat']}").status_code == 404
    assert web.get(f"/tickets/{tickets['other']}").status_code == 404
    assert web.get("/tickets/999999").status_code == 404


def test_a_client_admin_sees_their_clients_tickets_and_no_others(
    web, db, smtp, clock, tickets, desk
):
    desk.set_portal_admin("Sam@acme.example", True)  # a lead's decision (alice is one)
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    listing = web.get("/tickets").text
    assert "Pat&#39;s laptop" in listing and "Bigwig VPN" not in listing
    assert web.get(f"/tickets/{tickets['pat']}").status_code == 200
    assert web.get(f"/tickets/{tickets['other']}").status_code == 404


def test_the_thread_shows_public_replies_never_notes_or_technician_names(
    web, db, smtp, clock, tickets
):
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    assert "We are looking at it." in page
    assert "hunter2" not in page and "alice" not in page
    assert "Support" in page


def test_a_new_ticket_keeps_the_customers_critical_priority(web, db, smtp, clock, tickets):
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    form = web.get("/tickets/new").text
    key = re.search(r'name="key" value="([^"]+)"', form).group(1)
    data = {
        "csrf": _csrf(form),
        "key": key,
        "subject": "Server room flooding",
        "priority": "critical",
        "description": "Water under the racks",
    }
    made = web.post("/tickets/new", data=data, follow_redirects=False)
    assert made.status_code == 303
    number = int(made.headers["location"].rsplit("/", 1)[1])
    again = web.post("/tickets/new", data=data, follow_redirects=False)  # double click
    assert again.headers["location"] == made.headers["location"]
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
        same = s.exec(select(Ticket).where(Ticket.subject == "Server room flooding")).all()
    assert ticket.priority == Priority.CRITICAL and ticket.channel == Channel.PORTAL
    assert len(same) == 1


def test_a_reply_in_the_portal_reopens_a_resolved_ticket(web, db, smtp, clock, tickets, desk):
    desk.change_status(tickets["sam"], Status.RESOLVED)
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    answer = web.post(
        f"/tickets/{tickets['sam']}/reply",
        data={"csrf": _csrf(page), "key": key, "body": "It broke again"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == f"/tickets/{tickets['sam']}"
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == tickets["sam"])).one()
    assert ticket.status not in (Status.RESOLVED, Status.CLOSED)  # reopened
    assert "It broke again" in web.get(f"/tickets/{tickets['sam']}").text


def test_a_subject_with_markup_is_shown_escaped(web, db, smtp, clock, new_ticket):
    new_ticket(subject='<script>alert("x")</script>', contact_email="sam@acme.example")
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    page = web.get("/tickets").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_a_post_without_its_csrf_token_is_refused(web, db, smtp, clock, tickets):
    assert web.post("/signin", data={"email": "sam@acme.example"}).status_code == 403
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    refused = web.post(
        "/tickets/new",
        data={"subject": "x", "description": "y", "priority": "low", "key": "k1"},
    )
    assert refused.status_code == 403
    with db.read() as s:
        assert s.exec(select(Ticket).where(Ticket.subject == "x")).first() is None


def test_signed_out_pages_send_you_to_sign_in(web):
    answer = web.get("/tickets", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"


# -- status badges as the app draws them ----------------------------------------------


def _badge(html: str, number: int) -> str:
    """The classes of the status badge in ``number``'s row of the list."""
    row = re.search(rf'<tr[^>]*>\s*<td><a href="/tickets/{number}">.*?</tr>', html, re.S)
    assert row, html
    found = re.search(r'<span class="(badge[^"]*)">(Open|Resolved)</span>', row.group(0))
    assert found, row.group(0)
    return found.group(1)


def test_the_portal_mutes_a_resolved_ticket_and_not_an_open_one(
    web, db, smtp, clock, tickets, desk, new_ticket
):
    still_open = new_ticket(subject="Sam's monitor", contact_email="sam@acme.example").number
    done = tickets["sam"]
    desk.change_status(done, Status.RESOLVED)
    _sign_in(web, db, smtp, clock, "sam@acme.example")
    listing = web.get("/tickets").text
    assert _badge(listing, done) == "badge status done"
    assert _badge(listing, still_open) == "badge status"
    assert re.search(rf'<tr class="done">\s*<td><a href="/tickets/{done}">', listing)
    page = web.get(f"/tickets/{done}").text
    assert '<span class="badge status done">Resolved</span>' in page
    page = web.get(f"/tickets/{still_open}").text
    assert '<span class="badge status">Open</span>' in page
