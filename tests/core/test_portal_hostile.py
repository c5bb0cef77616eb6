"""The customer portal under attack (issue #26): sign-in floods, probing for contacts,
sessions that outlive their sign-out, forged mail shown as the support team, text cut
or shown raw; and what held (CSRF, single-use links, 404 for other contacts' tickets,
escaped HTML), so it keeps holding. Through the real app (Starlette's test client, or
the ASGI call itself where the order of the answer and the work matters)."""

from __future__ import annotations

import asyncio
import re
from email.message import EmailMessage
from urllib.parse import urlencode

import pytest
from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from regentra_core.channels.mail import parse_mail
from regentra_core.channels.message import Inbound
from regentra_core.enums import AuthorKind, Channel, InboundOutcome, Status
from regentra_core.store.models import (
    Event,
    OutboundMessage,
    PortalLogin,
    Reply,
    Ticket,
)
from regentra_web import create_app
from regentra_web.portal import MAX_TEXT
from regentra_web.thread import author_label
from tests.core.test_portal import _csrf
from tests.helpers.portal import portal_wiring

BASE = "https://testserver"


@pytest.fixture
def wiring(db, monkeypatch, clock, clients):
    return portal_wiring(db, monkeypatch, clock)


@pytest.fixture
def web(wiring):
    with TestClient(create_app(wiring), base_url=BASE) as client:
        yield client


@pytest.fixture
def tickets(new_ticket, desk):
    """Sam's ticket with a technician's reply, Pat's (same client), another client's."""
    sams = new_ticket(subject="Sam's printer", contact_email="sam@acme.example")
    pats = new_ticket(subject="Pat's laptop", contact_email="pat@acme.example")
    other = new_ticket(
        subject="Bigwig VPN", contact_email="ceo@bigwig.example", client_name="Bigwig"
    )
    desk.add_technician_reply(sams.number, "We are looking at it.")
    return {"sam": sams.number, "pat": pats.number, "other": other.number}


def _link(db, email: str) -> str:
    """The path of the newest sign-in link queued for ``email`` (read from the outbox,
    as the worker would send it)."""
    with db.read() as s:
        out = s.exec(
            select(OutboundMessage)
            .where(OutboundMessage.recipient == email, OutboundMessage.kind == "signin")
            .order_by(OutboundMessage.id.desc())  # type: ignore[union-attr]
        ).first()
    assert out is not None, f"no sign-in link for {email}"
    return re.search(r"https://help\.example\.com(/signin/\S+)", out.body).group(1)


def _ask(client: TestClient, email: str):
    home = client.get("/")
    return client.post("/signin", data={"email": email, "csrf": _csrf(home.text)})


def _sign_in(client: TestClient, db, email: str) -> None:
    _ask(client, email)
    link = _link(db, email)
    confirm = client.get(link)
    signed = client.post(link, data={"csrf": _csrf(confirm.text)}, follow_redirects=False)
    assert signed.headers["location"] == "/tickets"


def _count(db, model, *where) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(model).where(*where)).one())


def _links_sent(db, email: str) -> int:
    return _count(
        db,
        OutboundMessage,
        OutboundMessage.recipient == email,
        OutboundMessage.kind == "signin",
    )


def _main(html: str) -> str:
    return html[html.index("<main>") :]


# -- sign-in mail is throttled ---------------------------------------------------------


def test_a_contact_is_sent_at_most_three_sign_in_links_an_hour(web, db, clock, tickets):
    pages = [_ask(web, "sam@acme.example") for _ in range(10)]
    assert {p.status_code for p in pages} == {200}
    assert len({_main(p.text) for p in pages}) == 1  # the same page every time
    assert _links_sent(db, "sam@acme.example") == 3
    clock.advance(minutes=61)
    _ask(web, "sam@acme.example")
    assert _links_sent(db, "sam@acme.example") == 4


def test_one_client_address_may_ask_twenty_times_an_hour(wiring, db, tickets):
    app = create_app(wiring)
    with (
        TestClient(app, base_url=BASE, client=("198.51.100.7", 4000)) as flooder,
        TestClient(app, base_url=BASE, client=("203.0.113.9", 4000)) as other,
    ):
        for n in range(20):
            _ask(flooder, f"stranger{n}@nowhere.example")
        refused = _ask(flooder, "sam@acme.example")
        assert refused.status_code == 200 and "Check your email" in refused.text
        assert _links_sent(db, "sam@acme.example") == 0
        _ask(other, "sam@acme.example")
        assert _links_sent(db, "sam@acme.example") == 1


def test_a_request_for_an_address_that_is_no_contact_writes_nothing(web, db, tickets):
    events, logins = _count(db, Event), _count(db, PortalLogin)
    for n in range(5):
        assert _ask(web, f"who{n}@nowhere.example").status_code == 200
    assert (_count(db, Event), _count(db, PortalLogin)) == (events, logins)
    assert _count(db, OutboundMessage, OutboundMessage.kind == "signin") == 0


# -- which addresses are contacts does not leak by the path taken -----------------------


def _signin_path(app, db, cookie: str, csrf: str, email: str) -> list[str]:
    """The SQL statements a sign-in request runs, with ``--answered--`` where the
    answer's last byte was sent: what runs before it is what a timer can measure."""
    log: list[str] = []

    def statement(conn, cursor, sql, params, context, executemany):
        log.append(sql)

    body = urlencode({"email": email, "csrf": csrf}).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": "/signin",
        "raw_path": b"/signin",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
            (b"cookie", cookie.encode()),
        ],
        "client": ("192.0.2.1", 5000),
        "server": ("testserver", 443),
    }

    async def call() -> None:
        answered = asyncio.Event()
        sent = False

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await answered.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.body" and not message.get("more_body"):
                log.append("--answered--")
                answered.set()

        await app(scope, receive, send)

    event.listen(Engine, "before_cursor_execute", statement)
    try:
        asyncio.run(call())
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
    return log


def test_a_contact_and_a_stranger_take_the_same_path_to_the_answer(wiring, db, tickets):
    app = create_app(wiring)
    with TestClient(app, base_url=BASE) as client:
        home = client.get("/")
        cookie = "regentra_portal=" + client.cookies["regentra_portal"]
    csrf = _csrf(home.text)
    known = _signin_path(app, db, cookie, csrf, "sam@acme.example")
    stranger = _signin_path(app, db, cookie, csrf, "who@nowhere.example")
    before = [k[: k.index("--answered--")] for k in (known, stranger)]
    assert before == [[], []]  # no database work at all before the answer
    assert any(sql.startswith("INSERT") for sql in known[known.index("--answered--") :])
    assert not any(sql.startswith("INSERT") for sql in stranger)
    assert _links_sent(db, "sam@acme.example") == 1


# -- sessions end when they are ended ---------------------------------------------------


def _copy(wiring, client: TestClient) -> TestClient:
    """Another browser holding a copy of ``client``'s cookie (a stolen or kept one)."""
    copy = TestClient(create_app(wiring), base_url=BASE)
    copy.cookies.set("regentra_portal", client.cookies["regentra_portal"])
    return copy


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(web, wiring, db, clock, tickets):
    _sign_in(web, db, "sam@acme.example")
    page = web.get("/tickets/new").text
    with _copy(wiring, web) as kept:
        assert kept.get("/tickets", follow_redirects=False).status_code == 200
        web.post("/signout", data={"csrf": _csrf(page)})
        listing = kept.get("/tickets", follow_redirects=False)
        assert listing.status_code == 303 and listing.headers["location"] == "/"
        key = re.search(r'name="key" value="([^"]+)"', page).group(1)
        made = kept.post(
            "/tickets/new",
            data={
                "csrf": _csrf(page),
                "key": key,
                "subject": "Made after sign-out",
                "priority": "low",
                "description": "should not exist",
            },
            follow_redirects=False,
        )
        assert made.status_code == 303 and made.headers["location"] == "/"
    assert _count(db, Ticket, Ticket.subject == "Made after sign-out") == 0
    assert _count(db, Event, Event.kind == "portal_signed_out") == 1


def test_a_lead_signs_a_contact_out_everywhere_at_once(web, wiring, db, desk, tickets):
    _sign_in(web, db, "sam@acme.example")
    with TestClient(create_app(wiring), base_url=BASE) as phone:
        _sign_in(phone, db, "sam@acme.example")
        _ask(phone, "sam@acme.example")  # an unused link too
        unused = _link(db, "sam@acme.example")
        assert desk.end_portal_sessions("Sam@acme.example") == 3
        for client in (web, phone):
            answer = client.get("/tickets", follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"] == "/"
        confirm = phone.get(unused)
        assert phone.post(unused, data={"csrf": _csrf(confirm.text)}).status_code == 400


def test_a_session_ends_when_its_contact_loses_the_address(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    from regentra_core.store.models import Contact

    with db.write() as s:
        contact = s.exec(select(Contact).where(Contact.email == "sam@acme.example")).one()
        contact.email = None
    assert web.get("/tickets", follow_redirects=False).status_code == 303


# -- nothing forged is shown as the support team ----------------------------------------


def _forged(number: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Support <attacker@evil.example>"
    mail["To"] = "help@msp.example"
    mail["Subject"] = f"[#{number}] Action needed: reset your password"
    mail["Message-ID"] = "<lure@evil.example>"
    mail.set_content("Your password expires today: https://evil.example/reset")
    return mail.as_bytes()


def test_a_forged_support_mail_is_not_shown_until_a_technician_accepts_it(
    web, db, desk, clock, tickets
):
    inbound = parse_mail(_forged(tickets["sam"]), received_at=clock())
    assert desk.receive(inbound).outcome == InboundOutcome.REPLY
    _sign_in(web, db, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    assert "evil.example/reset" not in page
    assert "We are looking at it." in page  # the technician's reply is there
    assert desk.accept_replies(tickets["sam"], "attacker@evil.example") == 1
    page = web.get(f"/tickets/{tickets['sam']}").text
    assert "evil.example/reset" in page
    labels = re.findall(r'<p class="muted">([^<]*) · \d', page)
    assert labels == ["Support", "Support (customer)"]  # only the technician is Support


def test_a_stranger_naming_a_closed_ticket_gets_neither_its_client_nor_its_subject(
    web, db, desk, clock, tickets
):
    desk.change_status(tickets["sam"], Status.RESOLVED)
    desk.change_status(tickets["sam"], Status.CLOSED)
    result = desk.receive(parse_mail(_forged(tickets["sam"]), received_at=clock()))
    assert result.outcome == InboundOutcome.FOLLOW_UP
    with db.read() as s:
        follow_up = s.exec(select(Ticket).where(Ticket.number == result.ticket)).one()
    assert follow_up.client_id is None and "printer" not in follow_up.subject.lower()
    desk.set_portal_admin("pat@acme.example", True)  # Acme's admin does not see it
    _sign_in(web, db, "pat@acme.example")
    assert web.get(f"/tickets/{result.ticket}").status_code == 404


def test_only_a_technicians_reply_is_labelled_as_the_support_team():
    # The labels the page gives; a reply from an unverified sender is not read for the
    # portal at all (test_a_forged_support_mail_is_not_shown_until_a_technician_accepts_it).
    assert author_label("alice", AuthorKind.TECHNICIAN) == ("Support", True)
    assert author_label("Support", AuthorKind.CUSTOMER) == ("Support (customer)", False)
    assert author_label("Support", AuthorKind.SYSTEM) == ("Automatic message", False)


def test_a_chat_session_naming_another_clients_ticket_opens_a_new_one(desk, db, clock, tickets):
    session = Inbound(
        Channel.CHAT,
        "chat-session-1",
        "ceo@bigwig.example",
        clock(),
        subject="Chat",
        body="transcript: I am from Bigwig",
        ticket=tickets["sam"],
    )
    result = desk.receive(session)
    assert result.outcome == InboundOutcome.CREATED and result.ticket != tickets["sam"]
    assert "not the sender's ticket" in (result.reason or "")
    with db.read() as s:
        sams = s.exec(select(Ticket).where(Ticket.number == tickets["sam"])).one()
        joined = s.exec(select(Reply).where(Reply.ticket_id == sams.id)).all()
    assert all("Bigwig" not in r.body for r in joined)
    own = Inbound(
        Channel.CHAT,
        "chat-session-2",
        "sam@acme.example",
        clock(),
        body="transcript: still broken",
        ticket=tickets["sam"],
    )
    assert desk.receive(own).ticket == tickets["sam"]  # its own contact still joins


# -- long texts are refused with what was typed, never cut ------------------------------


def _new_ticket_form(web) -> tuple[str, str]:
    form = web.get("/tickets/new").text
    return _csrf(form), re.search(r'name="key" value="([^"]+)"', form).group(1)


def test_the_form_says_the_limit_and_a_longer_description_is_refused_and_kept(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    assert "up to 20,000 characters" in web.get("/tickets/new").text
    csrf, key = _new_ticket_form(web)
    description = "x" * 25_000 + "THE END"
    refused = web.post(
        "/tickets/new",
        data={
            "csrf": csrf,
            "key": key,
            "subject": "Long",
            "priority": "low",
            "description": description,
        },
    )
    assert refused.status_code == 422
    assert "25,007 characters long; the limit is 20,000" in refused.text
    assert description in refused.text  # kept in the form, whole
    assert _count(db, Ticket, Ticket.subject == "Long") == 0


def test_a_description_at_the_limit_with_browser_line_breaks_is_kept_whole(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    csrf, key = _new_ticket_form(web)
    lines = "\r\n".join(["y" * 99] * 200)  # 19,999 characters as typed, 20,198 as sent
    made = web.post(
        "/tickets/new",
        data={
            "csrf": csrf,
            "key": key,
            "subject": "Exact",
            "priority": "low",
            "description": lines,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.subject == "Exact")).one()
    assert ticket.description.replace("\r\n", "\n") == lines.replace("\r\n", "\n")


def test_a_reply_over_the_limit_is_refused_and_kept(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    assert "up to 20,000 characters" in page
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    body = "z" * (MAX_TEXT + 1)
    refused = web.post(
        f"/tickets/{tickets['sam']}/reply", data={"csrf": _csrf(page), "key": key, "body": body}
    )
    assert refused.status_code == 422 and "the limit is 20,000" in refused.text
    assert body in refused.text
    assert _count(db, Reply, Reply.body == body) == 0


def test_a_subject_over_300_characters_is_refused_not_cut(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    csrf, key = _new_ticket_form(web)
    refused = web.post(
        "/tickets/new",
        data={"csrf": csrf, "key": key, "subject": "s" * 301, "description": "d"},
    )
    assert refused.status_code == 422 and "the limit is 300" in refused.text
    assert _count(db, Ticket, Ticket.channel == Channel.PORTAL) == 0


# -- control characters are shown, not sent raw ------------------------------------------

HOSTILE = "pay\u202eexe.txt \x07bell \x1b[2Jclear"


def test_control_characters_are_visible_in_the_portal_as_in_the_app(
    web, db, desk, new_ticket, tickets
):
    made = new_ticket(subject=f"Subject {HOSTILE}", description=f"Body {HOSTILE}")
    desk.add_technician_reply(made.number, f"Reply {HOSTILE}")
    _sign_in(web, db, "sam@acme.example")
    for page in (web.get("/tickets").text, web.get(f"/tickets/{made.number}").text):
        assert not re.search("[\u202e\x07\x1b]", page)
        assert r"pay\u202eexe.txt \x07bell \x1b[2Jclear" in page


@pytest.mark.sqlite_only  # PostgreSQL's text cannot hold a NUL at all
def test_a_nul_in_the_desk_is_shown_as_x00(web, db, desk, new_ticket, tickets):
    made = new_ticket(subject="a\x00b", description="c\x00d")
    _sign_in(web, db, "sam@acme.example")
    page = web.get(f"/tickets/{made.number}").text
    assert "\x00" not in page and r"a\x00b" in page and r"c\x00d" in page


def test_a_nul_typed_into_the_portal_is_stored_as_a_replacement_character(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    csrf, key = _new_ticket_form(web)
    made = web.post(
        "/tickets/new",
        data={"csrf": csrf, "key": key, "subject": "nul\x00here", "description": "x\x00y"},
        follow_redirects=False,
    )
    assert made.status_code == 303  # on PostgreSQL too, where a NUL was a 500
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.channel == Channel.PORTAL)).one()
    assert (ticket.subject, ticket.description) == ("nul\ufffdhere", "x\ufffdy")


def test_an_attachment_name_loses_its_bidi_override(desk, db, clock, tickets, tmp_path):
    folder = tmp_path / "attachments"
    mail = EmailMessage()
    mail["From"] = "sam@acme.example"
    mail["Subject"] = "Invoice"
    mail["Message-ID"] = "<invoice@acme.example>"
    mail.set_content("see attached")
    mail.add_attachment(
        b"MZ", maintype="application", subtype="octet-stream", filename="invoice\u202etxt.exe"
    )
    inbound = parse_mail(mail.as_bytes(), received_at=clock(), attachments_dir=folder)
    number = desk.receive(inbound).ticket
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
    assert "\u202e" not in ticket.description and "invoice_txt.exe" in ticket.description
    stored = [p.name for p in folder.rglob("*") if p.is_file()]
    assert stored == ["invoice_txt.exe"]


# -- what held, and must keep holding ---------------------------------------------------


def test_every_portal_post_needs_its_csrf_token(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    assert web.post(f"/tickets/{tickets['sam']}/reply", data={"body": "hi"}).status_code == 403
    assert web.post("/signout", data={}).status_code == 403
    assert web.get("/tickets", follow_redirects=False).status_code == 200  # still in
    assert _count(db, Reply, Reply.body == "hi") == 0


def test_a_sign_in_link_works_once(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    link = _link(db, "sam@acme.example")
    with TestClient(web.app, base_url=BASE) as other:
        confirm = other.get(link)
        assert other.post(link, data={"csrf": _csrf(confirm.text)}).status_code == 400
        assert other.get("/tickets", follow_redirects=False).status_code == 303


def test_replying_to_another_contacts_ticket_is_404_and_stores_nothing(web, db, tickets):
    _sign_in(web, db, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    for number in (tickets["pat"], tickets["other"]):
        answer = web.post(
            f"/tickets/{number}/reply", data={"csrf": _csrf(page), "key": "k1", "body": "mine"}
        )
        assert answer.status_code == 404
    assert _count(db, Reply, Reply.body == "mine") == 0


def test_markup_in_a_reply_is_shown_escaped(web, db, desk, tickets):
    desk.add_technician_reply(tickets["sam"], '<img src=x onerror="alert(1)">')
    _sign_in(web, db, "sam@acme.example")
    page = web.get(f"/tickets/{tickets['sam']}").text
    assert "<img" not in page and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
