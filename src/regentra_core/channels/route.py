"""The intake router: a pure decision for one inbound message.

The Desk gathers the facts inside its transaction (is this id known, which ticket
do its references, its subject token or our marker name, how many tickets did the
sender open in the last hour) and this module decides. No I/O, no clock.

Threading, in order: a reference to a Message-ID we stored or sent; the subject
token ``[#N]``; the reference marker our outgoing mail carries in its body
(providers that rewrite Message-IDs break the first). Loops and noise follow
RFC 3834 as Request Tracker reads it: ``Auto-Submitted`` other than ``no``,
``Precedence: bulk/junk/list``, an empty ``Return-Path``, or our own loop header
mean no ticket and no automatic answer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .message import Inbound

LOOP_HEADER = "x-regentra-loop"
"""Set on everything we send; mail carrying it is our own, come back."""

_SUBJECT_TOKEN = re.compile(r"\[#(\d{1,18})\]")
_MARKER = re.compile(r"RGT-(\d{1,18})-([0-9a-f]{6})")


@dataclass(frozen=True, slots=True)
class New:
    """Open a new ticket."""


@dataclass(frozen=True, slots=True)
class ReplyTo:
    """Add the message to ticket ``number`` as the customer's reply."""

    number: int
    via: str
    """Which rule matched: ``named`` (the customer named the ticket), ``reference``,
    ``subject``, ``marker`` or ``sender`` (an SMS from a number with a recent ticket)."""


@dataclass(frozen=True, slots=True)
class Drop:
    """Store no ticket or reply; record why."""

    reason: str
    duplicate: bool = False
    held: bool = False
    """Held back, not refused: the message's source is kept so a technician can
    still make it a ticket (``regentra mail accept``); a rate limit holds, a loop
    or a duplicate does not."""


Decision = New | ReplyTo | Drop


@dataclass(frozen=True, slots=True)
class Facts:
    """What the Desk found out about a message before deciding."""

    duplicate: bool = False
    referenced_ticket: int | None = None
    subject_ticket: int | None = None
    """The ``[#N]`` ticket, if that ticket exists."""
    marker_ticket: int | None = None
    """The ticket of a valid reference marker, if that ticket exists."""
    named_ticket: int | None = None
    """The ticket the message names (chat, portal), if it exists."""
    sender_ticket: int | None = None
    """For SMS, which has no threading: the ticket the sender last wrote about in
    the last week (a Closed one too: the reply opens a follow-up)."""
    new_tickets_by_sender_last_hour: int = 0
    rate_limit: int = 20
    own_addresses: frozenset[str] = frozenset()


def route(message: Inbound, facts: Facts) -> Decision:
    """Decide what ``message`` does, from the message and the facts alone."""
    if facts.duplicate:
        return Drop(f"already received ({message.external_id})", duplicate=True)
    if message.is_report:
        return Drop("delivery report (bounce)")
    automatic = automatic_reason(message.headers)
    if automatic is None and message.sender.lower() in facts.own_addresses:
        automatic = "sent from our own support address (mail loop)"
    if automatic is not None:
        return Drop(automatic)
    if facts.named_ticket is not None:
        return ReplyTo(facts.named_ticket, "named")
    if facts.referenced_ticket is not None:
        return ReplyTo(facts.referenced_ticket, "reference")
    if facts.subject_ticket is not None:
        return ReplyTo(facts.subject_ticket, "subject")
    if facts.marker_ticket is not None:
        return ReplyTo(facts.marker_ticket, "marker")
    if facts.sender_ticket is not None:
        return ReplyTo(facts.sender_ticket, "sender")
    if facts.new_tickets_by_sender_last_hour >= facts.rate_limit:
        return Drop(
            f"rate limit: {message.sender or 'an unreadable sender'} opened "
            f"{facts.new_tickets_by_sender_last_hour} tickets in the last hour "
            f"(limit {facts.rate_limit}); kept for a technician (regentra mail skipped)",
            held=True,
        )
    return New()


def automatic_reason(headers: Mapping[str, str]) -> str | None:
    """Why a message is automatic (no ticket, no answer), or None for a person's mail."""
    submitted = headers.get("auto-submitted", "").strip().lower()
    if submitted and submitted.split(";")[0].strip() != "no":
        return f"automatic mail (Auto-Submitted: {submitted[:40]})"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return f"bulk mail (Precedence: {precedence})"
    if "return-path" in headers and headers["return-path"].strip() in ("<>", ""):
        return "automatic mail (empty Return-Path)"
    if LOOP_HEADER in headers:
        return "our own mail came back (mail loop)"
    if headers.get("x-autoreply", "").strip().lower() == "yes":
        return "automatic mail (X-Autoreply)"
    return None


def subject_number(subject: str) -> int | None:
    """The ticket number in a ``[#N]`` subject token (the last one wins)."""
    found = _SUBJECT_TOKEN.findall(subject)
    return int(found[-1]) if found else None


def marker(number: int) -> str:
    """The reference marker our outgoing mail carries for ticket ``number``."""
    return f"RGT-{number}-{_check(number)}"


def marker_number(body: str) -> int | None:
    """The ticket a valid marker in ``body`` names (a checksum rules out look-alikes)."""
    for number, check in _MARKER.findall(body):
        if _check(int(number)) == check:
            return int(number)
    return None


def _check(number: int) -> str:
    return hashlib.sha256(f"regentra-ticket-{number}".encode()).hexdigest()[:6]
