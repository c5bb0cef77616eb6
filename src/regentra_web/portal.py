"""The customer portal: sign in by a one-time email link, see and open tickets, reply.

Server-rendered HTML that works without JavaScript. The cookie is signed,
HttpOnly and SameSite=Lax (Starlette's SessionMiddleware, keyed by
``portal_secret_key``) and names a session row in the desk, checked on every
request: signing out, or a lead's ``regentra client portal-signout``, ends it at
once. Every form carries the session's CSRF token and a POST without it is
refused. A request for a sign-in link answers the same page at once, for a contact
or not, and does its database work after the response (a background task), so
neither the page nor its timing says which addresses are contacts.

A customer sees their own tickets (a client admin, their client's), the public
thread only: never notes, time entries, technicians' names or other clients, nor
replies from strangers a technician has not accepted. A ticket they may not see
answers 404, as one that does not exist. Text from customers and mail is shown
escaped and with control characters visible. New tickets and replies go through
the intake seam (``Wiring.receive``) with a key from the form as their exactly-once
id, so a double-clicked submit stores one; a text over its limit is refused with
what was typed kept, never cut.

Files go both ways under the desk's one limit (``max_attachment_mb``): a new
ticket or a reply may carry files (a multipart form; ``limits`` lets that much body
through on those two forms only), checked before any is kept and then stored as
mail's are (``attachments.keep_upload``), their rows made by the intake in the
message's transaction. A customer downloads the files of the tickets they may see,
always as a download with ``nosniff``; anyone else's file is 404.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from regentra_core import (
    OCTET,
    PORTAL_SIGNIN_VALID,
    SUBJECT_MAX,
    Channel,
    Desk,
    Inbound,
    InboundAttachment,
    InboundOutcome,
    NoChange,
    PortalContact,
    Priority,
    RegentraError,
    TicketFilter,
    ValidationError,
    check_file,
    human_size,
    keep_upload,
    limit_bytes,
    list_tickets,
    literal,
    portal_contact,
    portal_file,
    public_thread,
    ticket_visible,
)

from .hooks import wiring_of
from .limits import BodyTooLarge
from .thread import PortalTicket, portal_ticket
from .throttle import Throttle
from .wording import priority_words, sla_lines, when

log = logging.getLogger("regentra.web")

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
TEMPLATES.env.filters["literal"] = literal
"""Every text a customer or a mail wrote is shown with ``|literal``: control and
bidi characters visible (``\x1b``, ``\u202e``) as in the app and the CLI."""
TEMPLATES.env.filters["filesize"] = human_size
SESSION_COOKIE = "regentra_portal"
SESSION_SECONDS = 8 * 3600
MAX_TEXT = 20_000
"""The longest description or reply the portal takes, said on its forms; a longer
one is refused with the text kept in the form, never cut."""
MAX_SUBJECT = SUBJECT_MAX
"""The one subject limit every door keeps (regentra_core.limits)."""
MAX_FILES = 10
"""Files one message may carry from the portal (all together within the limit)."""
UPLOADS_PER_HOUR = 30
"""Messages with files one contact may send through the portal in an hour."""
MAX_TICKET_NUMBER = 2**31 - 1
"""The largest ticket number (PostgreSQL's INTEGER); a path past it is 404."""


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
        Route("/files/{file_id:int}", download),
    ]


# -- plumbing ---------------------------------------------------------------------------


def _csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def _form(request: Request) -> dict[str, str]:
    """The posted form's text fields, refused (403) unless it carries this session's
    CSRF token."""
    fields, _ = await _form_with_files(request)
    return fields


@dataclass(frozen=True, slots=True)
class SentFile:
    """A file as the form sent it: its name, its first ``limit + 1`` bytes (more
    are never needed to refuse it), how many bytes it had, what type it claimed."""

    name: str
    data: bytes
    size: int
    claimed: str | None


async def _form_with_files(request: Request) -> tuple[dict[str, str], list[SentFile]]:
    """The posted form (urlencoded or multipart) and the files it carries, refused
    (403) unless it carries this session's CSRF token. :class:`BodyTooLarge` when
    the body passes its cap while read. The parser's temporary files are closed
    here, whatever happens."""
    form = await request.form(max_files=MAX_FILES + 1)
    try:
        sent = form.get("csrf")
        expected = request.session.get("csrf")
        if (
            not isinstance(sent, str)
            or not isinstance(expected, str)
            or not hmac.compare_digest(sent, expected)
        ):
            raise HTTPException(403, "This form has expired or did not come from this site.")
        # Nothing is cut here: a field over its limit is refused where it is read,
        # with what was typed kept in the form.
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        limit = _limit(request)
        files = []
        for name, value in form.multi_items():
            # A file input left empty is sent as a part with no name and no bytes.
            if name != "files" or not isinstance(value, UploadFile):
                continue
            if not value.filename and not value.size:
                continue
            data = await value.read(limit + 1)
            size = max(value.size or 0, len(data))
            files.append(SentFile(value.filename or "", data, size, value.content_type))
        return fields, files
    finally:
        await form.close()


def _page(
    request: Request, template: str, contact: PortalContact | None = None, **context: Any
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
            "max_files": MAX_FILES,
            "max_upload": _limit(request),
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


async def _contact(request: Request) -> PortalContact | None:
    """The signed-in contact, or None. The cookie names a session row; it counts
    only while that row is a spent link that has not ended (sign-out, a lead's
    sign-out everywhere) and its contact still has the address it signed in with.
    Read in the thread pool, as every database read here: a read waiting on a lock
    must not hold up the event loop and every other request with it."""
    contact_id = request.session.get("contact")
    session_id = request.session.get("session")
    if not isinstance(contact_id, int) or not isinstance(session_id, int):
        if contact_id is not None:
            request.session.clear()  # a cookie from before sessions were rows
        return None
    wiring = wiring_of(request)
    contact = await run_in_threadpool(
        portal_contact, wiring.db, contact_id, session_id, wiring.clock()
    )
    if contact is None:
        request.session.clear()
    return contact


async def _signed_in(request: Request) -> PortalContact:
    contact = await _contact(request)
    if contact is None:
        raise HTTPException(303, headers={"Location": "/"})
    return contact


def _scope(contact: PortalContact) -> TicketFilter:
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
    if await _contact(request) is not None:
        return RedirectResponse("/tickets", status_code=303)
    return _page(request, "signin.html")


async def signin(request: Request) -> Response:
    """Ask for a sign-in link. The same page, at once, whatever the address: the
    database is not touched before the answer is sent (the link is made and queued
    by a background task after it), so a stranger's address and a contact's take
    the same path. Past the per-client-address limit nothing is done at all."""
    form = await _form(request)
    wiring = wiring_of(request)
    email = form.get("email", "").strip().lower()
    work: BackgroundTask | None = None
    if (
        "@" in email
        and len(email) <= 320
        and _throttle(request).allow(_client(request), wiring.clock())
    ):
        token = secrets.token_urlsafe(32)
        link = (
            wiring.settings.public_url.rstrip("/") + "/signin/" + _serializer(request).dumps(token)
        )
        work = BackgroundTask(_send_link(request, email, _hash(token), link))
    # The same answer whether or not the address is a contact: no account probing.
    page = _message(
        request,
        "Check your email",
        "If the address belongs to one of our contacts, a sign-in link is on its way. "
        "It works once, for 30 minutes.",
    )
    page.background = work
    return page


def _send_link(request: Request, email: str, token_hash: str, link: str) -> Callable[[], None]:
    """The sign-in request's database work, run after the answer is sent (Starlette
    runs a sync background task in its thread pool)."""
    desk = _system_desk(request)
    per_hour = wiring_of(request).settings.portal_signin_per_address

    def send() -> None:
        desk.request_portal_signin(email, token_hash, link, per_hour=per_hour)

    return send


def _upload_throttle(request: Request) -> Throttle:
    """The app's count of messages with files per contact (made on first use): a
    signed-in customer cannot fill the desk's disk at ``max_attachment_mb`` a post.
    In memory, as the sign-in count per address: a first gate, per process."""
    state = request.app.state
    throttle: Throttle | None = getattr(state, "upload_throttle", None)
    if throttle is None:
        throttle = state.upload_throttle = Throttle(UPLOADS_PER_HOUR)
    return throttle


def _throttle(request: Request) -> Throttle:
    """The app's per-client-address count of sign-in requests (made on first use)."""
    state = request.app.state
    throttle: Throttle | None = getattr(state, "signin_throttle", None)
    if throttle is None:
        throttle = state.signin_throttle = Throttle(
            wiring_of(request).settings.portal_signin_per_ip
        )
    return throttle


def _client(request: Request) -> str:
    """The client's address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else "unknown"


async def signin_link(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        raw = _serializer(request).loads(token, max_age=int(PORTAL_SIGNIN_VALID.total_seconds()))
    except (SignatureExpired, BadSignature):
        return _expired(request)
    if request.method == "GET":
        # Mail scanners open links: the link is spent only by the button below.
        return _page(request, "confirm.html")
    await _form(request)
    desk = _system_desk(request)
    session = await run_in_threadpool(desk.use_portal_signin, _hash(str(raw)))
    if session is None:
        return _expired(request)
    request.session.clear()
    request.session["contact"] = session.contact_id
    request.session["session"] = session.id
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
    """End the session in the desk, not only in this browser: a copy of the cookie
    is refused from now on."""
    await _form(request)
    session_id = request.session.get("session")
    request.session.clear()
    if isinstance(session_id, int):
        try:
            await run_in_threadpool(_system_desk(request).end_portal_session, session_id)
        except NoChange:
            pass  # ended already (signed out elsewhere, or by a lead)
    return RedirectResponse("/", status_code=303)


async def tickets(request: Request) -> Response:
    contact = await _signed_in(request)
    wiring = wiring_of(request)
    rows = await run_in_threadpool(
        lambda: list_tickets(wiring.db, _scope(contact), descending=True, limit=200)
    )
    return _page(request, "tickets.html", contact, tickets=rows)


async def new_ticket(request: Request) -> Response:
    contact = await _signed_in(request)
    if request.method == "GET":
        return _new_form(request, contact)
    try:
        form, uploads = await _form_with_files(request)
    except BodyTooLarge:
        return _new_form(request, contact, error=_files_too_big(request), status_code=413)
    subject, description = _typed(form, "subject"), _typed(form, "description")
    try:
        priority = Priority.parse(form.get("priority", "medium"))
    except RegentraError:
        priority = Priority.MEDIUM
    error = None
    if not subject or not description:
        error = "Please give a subject and say what happened."
    elif len(subject) > MAX_SUBJECT:
        error = f"The subject is {len(subject):,} characters long; the limit is {MAX_SUBJECT}."
    elif _length(description) > MAX_TEXT:
        error = _too_long("description", _length(description))
    files: list[InboundAttachment] = []
    if error is None:
        files, error = await _keep_files(request, contact, uploads)
    if error is not None:
        return _new_form(
            request,
            contact,
            error=error,
            subject=subject,
            description=description,
            priority=priority.value,
            status_code=200 if not subject or not description else 422,
        )
    inbound = Inbound(
        channel=Channel.PORTAL,
        external_id=f"portal:{_key(form)}",
        sender=contact.email,
        sender_name=contact.name,
        received_at=wiring_of(request).clock(),
        subject=subject,
        body=description,
        priority=priority,
        attachments=tuple(files),
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


def _typed(form: dict[str, str], name: str) -> str:
    """A text field as the desk stores it. A NUL (which no keyboard types, but a
    script can send) becomes U+FFFD, as an undecodable byte does: PostgreSQL cannot
    store it (a 500 there) and SQLite then keeps the same text."""
    return form.get(name, "").replace("\x00", "\ufffd").strip()


def _length(text: str) -> int:
    """Characters as the customer typed them: a browser sends each line break of a
    text area as CR LF, which would count twice."""
    return len(text) - text.count("\r\n")


def _too_long(what: str, length: int) -> str:
    return (
        f"Your {what} is {length:,} characters long; the limit is {MAX_TEXT:,}. Nothing "
        "was sent: shorten it, or send the rest in a reply."
    )


def _new_form(request: Request, contact: PortalContact, **context: Any) -> Response:
    context.setdefault("subject", "")
    context.setdefault("description", "")
    context.setdefault("priority", Priority.MEDIUM.value)
    return _page(
        request,
        "new.html",
        contact,
        priorities=list(Priority),
        key=uuid.uuid4().hex,
        max_text=MAX_TEXT,
        max_subject=MAX_SUBJECT,
        **context,
    )


def _key(form: dict[str, str]) -> str:
    key = form.get("key", "")
    return key if key.isalnum() and len(key) <= 64 else uuid.uuid4().hex


async def _own_ticket(request: Request) -> tuple[PortalContact, int]:
    """The signed-in contact and the ticket in the path, 404 if they may not see it
    (the same answer as for a ticket that does not exist)."""
    contact = await _signed_in(request)
    number = int(request.path_params["number"])
    # A number no ticket can have (past a database integer) is not looked up: the
    # database would overflow on it rather than find nothing.
    if not 0 < number <= MAX_TICKET_NUMBER or not await run_in_threadpool(
        ticket_visible, wiring_of(request).db, contact, number
    ):
        raise HTTPException(404, "No such ticket.")
    return contact, number


async def _shown(request: Request, number: int) -> PortalTicket:
    """Ticket ``number``'s page content: its public thread, read in the thread pool
    (the notes are never selected), then worded for the customer."""
    wiring = wiring_of(request)
    return portal_ticket(await run_in_threadpool(public_thread, wiring.db, number, wiring.clock()))


async def show_ticket(request: Request) -> Response:
    contact, number = await _own_ticket(request)
    return _ticket_page(request, contact, await _shown(request, number))


def _ticket_page(
    request: Request, contact: PortalContact, shown: PortalTicket, **context: Any
) -> Response:
    t = shown.row
    return _page(
        request,
        "ticket.html",
        contact,
        t=t,
        description=shown.description,
        opening_files=shown.opening_files,
        replies=shown.items,
        priority=priority_words(t.priority, shown.priority_change),
        sla=sla_lines(
            t.sla,
            first_response_at=t.first_response_at,
            resolved_at=t.resolved_at,
            zone=shown.timezone,
        ),
        zone=shown.timezone,
        when=when,
        key=uuid.uuid4().hex,
        max_text=MAX_TEXT,
        **context,
    )


async def reply(request: Request) -> Response:
    contact, number = await _own_ticket(request)
    wiring = wiring_of(request)
    error: str | None = None
    try:
        form, uploads = await _form_with_files(request)
    except BodyTooLarge:
        form, uploads, error = {}, [], _files_too_big(request)
    body = _typed(form, "body")
    if error is None and not body and not uploads:
        return RedirectResponse(f"/tickets/{number}", status_code=303)
    if error is None and _length(body) > MAX_TEXT:
        error = _too_long("reply", _length(body))
    files: list[InboundAttachment] = []
    if error is None:
        files, error = await _keep_files(request, contact, uploads)
    if error is not None:
        shown = await _shown(request, number)
        status = 413 if not form else 422
        return _ticket_page(request, contact, shown, error=error, body=body, status_code=status)
    inbound = Inbound(
        channel=Channel.PORTAL,
        external_id=f"portal:{_key(form)}",
        sender=contact.email,
        sender_name=contact.name,
        received_at=wiring.clock(),
        body=body,
        ticket=number,
        attachments=tuple(files),
    )
    _, landed, _ = await _receive(request, inbound)
    return RedirectResponse(f"/tickets/{landed or number}", status_code=303)


# -- files ------------------------------------------------------------------------------


def _limit(request: Request) -> int:
    """The desk's attachment limit in bytes (the one mail and technicians keep)."""
    return limit_bytes(wiring_of(request).settings.max_attachment_mb)


def _files_too_big(request: Request) -> str:
    return (
        f"Your files come to more than {human_size(_limit(request))}, the most one message "
        "may carry. Nothing was sent: attach fewer or smaller files (your text was not "
        "kept either: please type it again)."
    )


async def _keep_files(
    request: Request, contact: PortalContact, uploads: list[SentFile]
) -> tuple[list[InboundAttachment], str | None]:
    """The uploaded files checked (a name, not empty, each and all together within
    the desk's limit, the contact's messages with files this hour) and then kept by
    hash; or, if any is refused, what to say and nothing kept. Stored before the
    message: a message that then fails leaves at most a file nothing names, which
    the same file sent again reuses."""
    if not uploads:
        return [], None
    if len(uploads) > MAX_FILES:
        return [], f"You can attach up to {MAX_FILES} files to one message. Nothing was sent."
    limit = _limit(request)
    for upload in uploads:
        try:
            check_file(upload.name, upload.size, limit)
        except ValidationError as exc:
            return [], f"{exc}. Nothing was sent."
    total = sum(upload.size for upload in uploads)
    if total > limit:
        return [], (
            f"Your files come to {human_size(total)}; one message may carry "
            f"{human_size(limit)}. Nothing was sent."
        )
    if not _upload_throttle(request).allow(f"contact:{contact.id}", wiring_of(request).clock()):
        return [], (
            f"You have sent files with {UPLOADS_PER_HOUR} messages in the last hour. "
            "Nothing was sent: please send these a little later."
        )
    folder = wiring_of(request).settings.attachments_dir()

    def keep() -> list[InboundAttachment]:
        return [
            keep_upload(folder, upload.name, upload.data, limit=limit, claimed=upload.claimed)
            for upload in uploads
        ]

    try:
        return await run_in_threadpool(keep), None
    except OSError:
        log.exception("portal upload not kept")
        return [], "Your files could not be kept just now. Nothing was sent: please try again."


async def download(request: Request) -> Response:
    """``GET /files/N``: one of the signed-in customer's files, always as a download
    (never shown inline, whatever its type: an HTML or SVG file from someone's mail
    must not run as this site), with its name in UTF-8. A file of a ticket they may
    not see is 404, exactly as the ticket is."""
    contact = await _signed_in(request)
    file_id = int(request.path_params["file_id"])
    wiring = wiring_of(request)
    found = None
    if 0 < file_id <= MAX_TICKET_NUMBER:
        found = await run_in_threadpool(
            portal_file, wiring.db, contact, file_id, wiring.settings.attachments_dir()
        )
    if found is None:
        raise HTTPException(404, "No such file.")
    return FileResponse(
        found.path,
        media_type=found.content_type or OCTET,
        headers={
            "Content-Disposition": content_disposition(found.filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


def content_disposition(filename: str) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''%E2%80%A6`` (RFC 6266): every
    browser saves it under its real name, an old one under the ASCII fallback."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _system_desk(request: Request) -> Desk:
    wiring = wiring_of(request)
    return wiring.system_desk("portal", source="portal")


__all__ = ["MAX_TEXT", "SESSION_COOKIE", "SESSION_SECONDS", "routes"]
