"""How much of a request body the web service reads: a cap per route, kept while
the body is read, whatever its framing.

A ``Content-Length`` over the cap is answered 413 before a byte is read. A body
without one (``Transfer-Encoding: chunked``) or one that sends more than it
declared is counted as uvicorn hands it over, and the read stops with 413 as soon
as the count passes the cap: the server never holds more than the cap (and one
chunk) of a body in memory, and since the app stops reading, uvicorn stops reading
the socket too (its flow control pauses the transport). A signature cannot be
checked before the body is read, so this cap is what stands between an unsigned
sender and the server's memory.

The portal's two forms that carry files (a new ticket, a reply) are read to an
attachment's size instead (``upload_cap``: the desk's ``max_attachment_mb`` and
the form's text), and nothing else is. There a body over the cap, declared or
counted, is not answered by this middleware: the route's read raises
:class:`BodyTooLarge` and the route says so in its page (uvicorn discards the rest
of the body), as it says a file over the limit.
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from regentra_core import CHAT_BODY_BYTES

SMS_BODY_BYTES = 64 * 1024
"""Twilio's inbound form: a 1,600-character body, numbers, places and up to ten
media URLs come to a few kilobytes."""
FORM_BODY_BYTES = 512 * 1024
"""The portal's forms: the longest, a description, percent-encoded at up to nine
bytes a character, stays well under this."""

CAPS: tuple[tuple[str, int], ...] = (
    ("/hooks/chat", CHAT_BODY_BYTES),
    ("/hooks/twilio/", SMS_BODY_BYTES),
)
"""Path prefix -> the most bytes of body read; every other path gets FORM_BODY_BYTES."""

UPLOAD_PATHS = re.compile(r"^/tickets/(new|[0-9]{1,10}/reply)$")
"""The portal's forms that carry files."""
DEFAULT_UPLOAD_CAP = 25 * 1024 * 1024 + FORM_BODY_BYTES
"""The default attachment limit (25 MB) and the form's text."""


def upload_cap(attachment_limit: int) -> int:
    """The body an upload form may send: files up to ``attachment_limit`` in all,
    and its text."""
    return attachment_limit + FORM_BODY_BYTES


def is_upload(path: str) -> bool:
    """Whether ``path`` is one of the portal's forms that carry files."""
    return UPLOAD_PATHS.match(path) is not None


def body_cap(path: str, uploads: int = DEFAULT_UPLOAD_CAP) -> int:
    """The most bytes of body a request to ``path`` may send (``uploads`` on the
    forms that carry files)."""
    if is_upload(path):
        return uploads
    for prefix, cap in CAPS:
        if path.startswith(prefix):
            return cap
    return FORM_BODY_BYTES


class BodyTooLarge(HTTPException):
    """The body passed its cap while it was read (413). Raised from inside the
    app's own read, so the route that reads may answer in its own format."""

    def __init__(self, cap: int) -> None:
        super().__init__(413, f"The request body is over the limit of {cap:,} bytes.")
        self.cap = cap


class BodyLimit:
    """ASGI middleware: every HTTP request's body is capped by :func:`body_cap`."""

    def __init__(self, app: ASGIApp, uploads: int = DEFAULT_UPLOAD_CAP) -> None:
        self.app = app
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        cap = body_cap(path, self.uploads)
        declared = _content_length(scope)
        if declared is not None and (not declared.isdigit() or len(declared) > 18):
            await PlainTextResponse("Content-Length is not a number.\n", 400)(scope, receive, send)
            return
        over = declared is not None and int(declared) > cap
        if over and is_upload(path):
            # The route answers in its page; its first read raises, nothing is read.
            async def refused() -> Message:
                raise BodyTooLarge(cap)

            await self.app(scope, refused, send)
            return
        if over:
            too_large = BodyTooLarge(cap)
            answer = PlainTextResponse(f"{too_large.detail}\n", 413)
            await answer(scope, receive, send)
            return
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise BodyTooLarge(cap)
            return message

        await self.app(scope, capped, send)


def _content_length(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text: str = value.decode("latin-1").strip()
            return text
    return None
