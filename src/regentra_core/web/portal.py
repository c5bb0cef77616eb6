"""The customer portal: sign in by a one-time email link, see and open tickets, reply.

Server-rendered HTML that works without JavaScript. Sessions live in a signed,
HttpOnly, SameSite=Lax cookie (Starlette's SessionMiddleware, keyed by
``portal_secret_key``); every form carries the session's CSRF token and a POST
without it is refused. A customer sees their own tickets (a client admin, their
client's), the public thread only: never notes, time entries, technicians' names or
other clients. A ticket they may not see answers 404, as one that does not exist.
New tickets and replies go through the intake seam (``Wiring.receive``) with a key
from the form as their exactly-once id, so a double-clicked submit stores one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..channels.message import Inbound
from ..desk import Desk
from ..desk.portal import SIGNIN_VALID
from ..enums import AuthorKind, Channel, InboundOutcome, Priority
from ..errors import RegentraError
from ..identity import Actor
from ..queries import TicketFilter, list_tickets, ticket_detail
from ..store.models import Contact, Ticket
from ..wiring import Wiring
from .hooks import wiring_of

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
SESSION_COOKIE = "regentra_portal"
SESSION_SECONDS = 8 * 3600
MAX_TEXT = 20_000
MAX_TICKET_NUMBER = 2**31 - 1
"""The largest ticket number (PostgreSQL's INTEGER); a path past it is 404."""


@dataclass(frozen=True, slots=True)
class PublicItem:
    author: str
    at: datetime
    body: str
    from_support: bool


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/signin", signin, methods=["POST"]),
        Route("/signin/{token}", signin_link, methods=["GET", "POST"]),
        Route("/signout", signout, methods=["POST"]),
        Route("/tickets", tickets),
        Route("/tickets/new", new_ticket, methods=["GET", "POST"]),
        Route("/tickets/{number:int}", show_ticket),
        Route("/tickets/{number:int}/reply", reply, methods=["POST"]),
    ]


# -- plumbing ---------------------------------------------------------------------------


def _csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def _form(request: Request) -> dict[str, str]:
    """The posted form, refused (403) unless it carries this session's CSRF token."""
    form = await request.form()
    sent = str(form.get("csrf") or "")
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "This form has expired or did not come from this site.")
    return {k: str(v)[:MAX_TEXT] for k, v in form.items()}


def _page(
    request: Request, template: str, contact: Contact | None = None, **context: Any
) -> Response:
    settings = wiring_of(request).settings
    status = context.pop("status_code", 200)
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "portal_name": settings.portal_name,
            "portal_color": settings.portal_color,
            "contact": contact,
            "csrf": _csrf(request),
            **context,
        },
        status_code=status,
    )


def _message(request: Request, heading: str, text: str, status: int = 200, **kw: Any) -> Response:
    return _page(request, "message.html", heading=heading, text=text, status_code=status, **kw)


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.portal_key, salt="portal-signin")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _contact(request: Request) -> Contact | None:
    contact_id = request.session.get("contact")
    if not isinstance(contact_id, int):
        return None
    with wiring_of(request).db.read() as s:
        contact = s.get(Contact, contact_id)
    if contact is None or not contact.email:
        request.session.clear()
        return None
    return contact


def _signed_in(request: Request) -> Contact:
    contact = _contact(request)
    if contact is None:
        raise HTTPException(303, headers={"Location": "/"})
    return contact


def _visible(wiring: Wiring, contact: Contact, number: int) -> bool:
    with wiring.db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).first()
    if ticket is None:
        return False
    if ticket.contact_id == contact.id:
        return True
    return bool(
        contact.client_admin and contact.client_id and ticket.client_id == contact.client_id
    )


def _scope(contact: Contact) -> TicketFilter:
    if contact.client_admin and contact.client_id is not None:
        return TicketFilter(client_id=contact.client_id)
    return TicketFilter(contact_id=contact.id)


async def _receive(
    request: Request, inbound: Inbound
) -> tuple[InboundOutcome, int | None, str | None]:
    wiring = wiring_of(request)
    (result,) = await run_in_threadpool(wiring.receive, Channel.PORTAL, [(inbound, None)])
    return result.outcome, result.ticket, result.reason


# -- pages ------------------------------------------------------------------------------


async def home(request: Request) -> Response:
    if _contact(request) is not None:
        return RedirectResponse("/tickets", status_code=303)
    return _page(request, "signin.html")


async def signin(request: Request) -> Response:
    form = await _form(request)
    email = form.get("email", "").strip().lower()
    if "@" in email and len(email) <= 320:
        token = secrets.token_urlsafe(32)
        link = (
            wiring_of(request).settings.public_url.rstrip("/")
            + "/signin/"
            + _serializer(request).dumps(token)
        )
        desk = _system_desk(request)
        await run_in_threadpool(desk.request_portal_signin, email, _hash(token), link)
    # The same answer whether or not the address is a contact: no account probing.
    return _message(
        request,
        "Check your email",
        "If the address belongs to one of our contacts, a sign-in link is on its way. "
        "It works once, for 30 minutes.",
    )


async def signin_link(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        raw = _serializer(request).loads(token, max_age=int(SIGNIN_VALID.total_seconds()))
    except (SignatureExpired, BadSignature):
        return _expired(request)
    if request.method == "GET":
        # Mail scanners open links: the link is spent only by the button below.
        return _page(request, "confirm.html")
    await _form(request)
    desk = _system_desk(request)
    contact_id = await run_in_threadpool(desk.use_portal_signin, _hash(str(raw)))
    if contact_id is None:
        return _expired(request)
    request.session.clear()
    request.session["contact"] = contact_id
    request.session["csrf"] = secrets.token_urlsafe(32)
    return RedirectResponse("/tickets", status_code=303)


def _expired(request: Request) -> Response:
    return _message(
        request,
        "This link does not work any more",
        "Sign-in links work once, for 30 minutes. Ask for a new one.",
        status=400,
        back="/",
    )


async def signout(request: Request) -> Response:
    await _form(request)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


async def tickets(request: Request) -> Response:
    contact = _signed_in(request)
    wiring = wiring_of(request)
    rows = await run_in_threadpool(
        lambda: list_tickets(wiring.db, _scope(contact), descending=True, limit=200)
    )
    return _page(request, "tickets.html", contact, tickets=rows)


async def new_ticket(request: Request) -> Response:
    contact = _signed_in(request)
    if request.method == "GET":
        return _new_form(request, contact)
    form = await _form(request)
    subject, description = form.get("subject", "").strip(), form.get("description", "").strip()
    try:
        priority = Priority.parse(form.get("priority", "medium"))
    except RegentraError:
        priority = Priority.MEDIUM
    if not subject or not description:
        return _new_form(
            request,
            contact,
            error="Please give a subject and say what happened.",
            subject=subject,
            description=description,
            priority=priority.value,
        )
    inbound = Inbound(
        channel=Channel.PORTAL,
        external_id=f"portal:{_key(form)}",
        sender=contact.email or "",
        sender_name=contact.name,
        received_at=wiring_of(request).clock(),
        subject=subject[:300],
        body=description,
        priority=priority,
    )
    outcome, number, reason = await _receive(request, inbound)
    if number is None:
        return _new_form(
            request,
            contact,
            error=f"Not opened: {reason}",
            subject=subject,
            description=description,
            priority=priority.value,
        )
    return RedirectResponse(f"/tickets/{number}", status_code=303)


def _new_form(request: Request, contact: Contact, **context: Any) -> Response:
    context.setdefault("subject", "")
    context.setdefault("description", "")
    context.setdefault("priority", Priority.MEDIUM.value)
    return _page(
        request, "new.html", contact, priorities=list(Priority), key=uuid.uuid4().hex, **context
    )


def _key(form: dict[str, str]) -> str:
    key = form.get("key", "")
    return key if key.isalnum() and len(key) <= 64 else uuid.uuid4().hex


def _own_ticket(request: Request) -> tuple[Contact, int]:
    """The signed-in contact and the ticket in the path, 404 if they may not see it
    (the same answer as for a ticket that does not exist)."""
    contact = _signed_in(request)
    number = int(request.path_params["number"])
    # A number no ticket can have (past a database integer) is not looked up: the
    # database would overflow on it rather than find nothing.
    if not 0 < number <= MAX_TICKET_NUMBER or not _visible(wiring_of(request), contact, number):
        raise HTTPException(404, "No such ticket.")
    return contact, number


async def show_ticket(request: Request) -> Response:
    contact, number = _own_ticket(request)
    wiring = wiring_of(request)
    detail = await run_in_threadpool(ticket_detail, wiring.db, number)
    replies = [
        PublicItem(
            author="Support" if item.author_kind == AuthorKind.TECHNICIAN else item.author,
            at=item.at,
            body=item.body,
            from_support=item.author_kind == AuthorKind.TECHNICIAN,
        )
        for item in detail.thread
        if item.kind == "reply" and not item.private
    ]
    sla = detail.ticket.sla.badge.label if detail.ticket.sla is not None else None
    return _page(
        request,
        "ticket.html",
        contact,
        t=detail.ticket,
        description=detail.description,
        replies=replies,
        sla=sla,
        key=uuid.uuid4().hex,
    )


async def reply(request: Request) -> Response:
    contact, number = _own_ticket(request)
    wiring = wiring_of(request)
    form = await _form(request)
    body = form.get("body", "").strip()
    if not body:
        return RedirectResponse(f"/tickets/{number}", status_code=303)
    inbound = Inbound(
        channel=Channel.PORTAL,
        external_id=f"portal:{_key(form)}",
        sender=contact.email or "",
        sender_name=contact.name,
        received_at=wiring.clock(),
        body=body,
        ticket=number,
    )
    _, landed, _ = await _receive(request, inbound)
    return RedirectResponse(f"/tickets/{landed or number}", status_code=303)


def _system_desk(request: Request) -> Desk:
    wiring = wiring_of(request)
    return Desk(wiring.db, Actor.system("portal"), source="portal", clock=wiring.clock)
