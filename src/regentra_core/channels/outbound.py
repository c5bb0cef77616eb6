"""What an outgoing message says: subject token, threading headers, reference marker.

Pure functions the Desk uses when it queues a reply in the same transaction as the
reply itself; the transports (SMTP now, SMS later) only deliver what was queued.
"""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Iterable

from ..enums import Channel
from .route import marker

ANSWERABLE = frozenset({Channel.EMAIL, Channel.SMS, Channel.PORTAL, Channel.CHAT})
"""Channels whose tickets are answered through the outbox (manual tickets are not:
the technician talks to the customer the way the ticket came in, by phone)."""


def answer_route(
    ticket_channel: Channel, email: str | None, phone: str | None
) -> tuple[Channel, str] | None:
    """How a technician's public reply reaches the customer: (channel, recipient).

    SMS answers by SMS; email by email; a portal or finished chat session by email,
    when the contact has an address (the portal shows the reply too).
    """
    if ticket_channel not in ANSWERABLE:
        return None
    if ticket_channel == Channel.SMS:
        return (Channel.SMS, phone) if phone else None
    return (Channel.EMAIL, email) if email else None


MAX_REFERENCES = 20
"""References kept in a header: the first and the most recent, as mail clients do."""

_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd)\s*:\s*)+", re.IGNORECASE)
_TOKEN = re.compile(r"\s*\[#\d+\]")


def reply_subject(subject: str, number: int) -> str:
    """``Re: <subject> [#N]``, without piling up prefixes or tokens."""
    bare = _TOKEN.sub("", _REPLY_PREFIX.sub("", subject)).strip() or "Your request"
    return f"Re: {bare} [#{number}]"


def ack_subject(subject: str, number: int) -> str:
    bare = _TOKEN.sub("", _REPLY_PREFIX.sub("", subject)).strip() or "Your request"
    return f"[#{number}] Received: {bare}"


def with_marker(body: str, number: int) -> str:
    """The body with the reference marker our threading finds again in replies."""
    return f"{body.rstrip()}\n\n--\nTicket #{number} · {marker(number)}\n"


def ack_body(number: int) -> str:
    return with_marker(
        f"We have received your message and opened ticket #{number}.\n"
        "Reply to this email to add to it; keep the ticket number in the subject.",
        number,
    )


def new_message_id(number: int) -> str:
    """A globally unique Message-ID, fixed when the message is queued."""
    host = socket.gethostname() or "regentra"
    return f"<rgt{number}.{uuid.uuid4().hex}@{host}>"


def thread_headers(ids: Iterable[str]) -> tuple[str | None, str | None]:
    """``In-Reply-To`` (the newest id) and ``References`` (trimmed) of a thread."""
    ordered = list(dict.fromkeys(i for i in ids if i))
    if not ordered:
        return None, None
    kept = ordered if len(ordered) <= MAX_REFERENCES else [ordered[0], *ordered[-19:]]
    return ordered[-1], " ".join(kept)
