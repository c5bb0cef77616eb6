"""What an outgoing message says: subject token, threading headers, reference marker.

Pure functions the Desk uses when it queues a reply in the same transaction as the
reply itself; the transports (SMTP now, SMS later) only deliver what was queued.
"""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class ReplyReach:
    """Where a technician's public reply on a ticket goes, or why nowhere."""

    channel: Channel | None
    recipient: str | None
    why_not: str | None = None
    """Why it reaches nobody (``manual ticket without an email address``)."""

    @property
    def sent(self) -> bool:
        return self.channel is not None

    def heading(self) -> str:
        """For where a reply is written: ``by email to sam@acme.example``."""
        if self.channel is None:
            return f"not sent: {self.why_not}"
        return f"by {_word(self.channel)} to {self.recipient}"

    def after_send(self) -> str:
        """What the app and the command line say once the reply is saved."""
        return "Reply sent" if self.sent else f"Reply saved: not sent ({self.why_not})"


def reply_reach(
    ticket_channel: Channel, email: str | None, phone: str | None, *, has_contact: bool = True
) -> ReplyReach:
    """Where a reply on a ticket of ``ticket_channel`` goes (:func:`answer_route`), and
    when it goes nowhere, why, in words a technician can act on."""
    route = answer_route(ticket_channel, email, phone) if has_contact else None
    if route is not None:
        return ReplyReach(route[0], route[1])
    if not has_contact:
        return ReplyReach(None, None, "the ticket has no contact")
    kind = _word(ticket_channel)
    if ticket_channel == Channel.SMS:
        return ReplyReach(None, None, "SMS ticket without a phone number")
    if ticket_channel not in ANSWERABLE and email:
        return ReplyReach(None, None, f"{kind} ticket: tell the customer yourself")
    return ReplyReach(None, None, f"{kind} ticket without an email address")


def _word(channel: Channel) -> str:
    return "SMS" if channel == Channel.SMS else channel.label.lower()


def follow_up_channel(closed_channel: Channel, door: Channel) -> Channel:
    """The channel of a follow-up opened by a reply that came in by ``door`` on a
    closed ticket of ``closed_channel``: the thread's, when replies there reach the
    customer (an email thread stays email, whatever door); else the door the
    customer wrote in by (a manual ticket's follow-up by email is answered by email)."""
    if closed_channel in ANSWERABLE or door not in ANSWERABLE:
        return closed_channel
    return door


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
