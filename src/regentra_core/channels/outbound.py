"""What an outgoing message says: subject token, threading headers, reference marker.

Pure functions the Desk uses when it queues a reply in the same transaction as the
reply itself; the transports (SMTP now, SMS later) only deliver what was queued.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from ..detail_records import cc_list as cc_list
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
_MESSAGE_ID = re.compile(r"<[^<>@\s]+@([^<>@\s]+)>")

SUBJECT_PREFIX = {"reply": "Re:", "ack": "Received:"}
"""What an outgoing subject starts with, by the kind of message."""


def outgoing_subject(subject: str, number: int, *, kind: str = "reply") -> str:
    """Every subject we send about a ticket: ``Re: <subject> [#N]`` (an acknowledgement
    ``Received: <subject> [#N]``), the token always last, without piling up prefixes
    or tokens. Intake finds ``[#N]`` anywhere in a subject, so mail answering an
    older acknowledgement (``[#N] Received: ...``) still threads."""
    bare = _TOKEN.sub("", _REPLY_PREFIX.sub("", subject)).strip() or "Your request"
    return f"{SUBJECT_PREFIX.get(kind, 'Re:')} {bare} [#{number}]"


def with_marker(body: str, number: int) -> str:
    """The body with the reference marker our threading finds again in replies."""
    return f"{body.rstrip()}\n\n--\nTicket #{number} · {marker(number)}\n"


def ack_body(number: int, portal_link: str | None = None) -> str:
    """The acknowledgement: the number, how to add to the ticket, and where the
    customer sees it in the portal when the portal is on."""
    text = (
        f"We have received your message and opened ticket #{number}.\n"
        "Reply to this email to add to it; keep the ticket number in the subject."
    )
    if portal_link:
        text += (
            f"\n\nYou can also follow ticket #{number} in our support portal:\n{portal_link}\n"
            "(sign in there with this email address; we send you a one-time link)."
        )
    return with_marker(text, number)


def new_message_id(number: int, domain: str) -> str:
    """A globally unique Message-ID, fixed when the message is queued, in the support
    address's ``domain`` (``MailIdentity.domain``), never the host's name."""
    return f"<rgt{number}.{uuid.uuid4().hex}@{domain}>"


_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]+@[^\s@<>(),;\"\\]+")


def deliverable(address: str) -> bool:
    """True for an address mail can go to: one plain ``local@domain``, no spaces or
    line breaks, and not in the reserved ``.invalid`` domain (RFC 2606), which
    Regentra gives a contact whose address it could not read. The one rule for
    every address we send to: a reply's recipient and a ticket's Cc list."""
    if not _ADDRESS.fullmatch(address):
        return False
    domain = address.rpartition("@")[2].lower().rstrip(".")
    return domain != "invalid" and not domain.endswith(".invalid")


def cc_text(addresses: Iterable[str]) -> str:
    """The column's JSON text for ``addresses`` (in order, each once)."""
    return json.dumps(list(dict.fromkeys(addresses)), ensure_ascii=False)


def is_message_id(value: str) -> bool:
    """True for a real RFC 5322 Message-ID (``<id@domain>``) a mail client knows.

    Channel ids of SMS, chat and portal messages (``chat-2026-12-04-0001``,
    ``portal:360e...``, a Twilio SID) are not, nor the stand-in id given to mail that
    came without one (``@regentra.invalid``): in ``In-Reply-To`` they made headers
    no client could thread by.
    """
    found = _MESSAGE_ID.fullmatch(value.strip())
    if found is None:
        return False
    domain = found.group(1).lower().rstrip(".")
    return domain != "invalid" and not domain.endswith(".invalid")


def thread_headers(ids: Iterable[str]) -> tuple[str | None, str | None]:
    """``In-Reply-To`` (the newest id) and ``References`` (trimmed) of a thread, from
    the Message-IDs among ``ids`` (the thread's inbound and outbound ids, any channel)."""
    ordered = list(dict.fromkeys(i.strip() for i in ids if i and is_message_id(i)))
    if not ordered:
        return None, None
    kept = ordered if len(ordered) <= MAX_REFERENCES else [ordered[0], *ordered[-19:]]
    return ordered[-1], " ".join(kept)
