"""What every channel adapter hands to the desk: one parsed inbound message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..enums import Channel, Priority

MAX_EXTERNAL_ID = 200
"""The longest id an SMS or chat sender may give a message (Twilio's SIDs are 34
characters). Refused beyond it at the adapter, so SQLite (which does not enforce a
column's width) and PostgreSQL (which does) answer the same."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with a message (saved under the desk's attachments folder)."""

    filename: str
    content_type: str
    size: int
    path: str | None = None
    """Where it was saved, relative to the desk; None when over the size limit."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from any channel, parsed; the router and the Desk take it from here."""

    channel: Channel
    external_id: str
    """Message-ID, SMS SID, chat id: the same delivery twice has the same id."""
    sender: str
    """The address (email) or number (SMS) it came from, normalised."""
    received_at: datetime
    sender_name: str = ""
    sender_phone: str = ""
    """A number the sender gave beside an address (a chat's contact), in E.164: the
    desk stores it on the contact, or notes it."""
    subject: str = ""
    body: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Lower-cased header names (email); empty for channels without headers."""
    references: tuple[str, ...] = ()
    """Message-IDs this one answers (In-Reply-To first, then References)."""
    attachments: tuple[Attachment, ...] = ()
    bounce_of: tuple[str, ...] = ()
    """For a delivery report: the Message-IDs of the messages that bounced."""
    is_report: bool = False
    """A delivery status notification (multipart/report, mailer-daemon)."""
    unparsed: bool = False
    """The source could not be parsed; ``raw`` keeps it."""
    raw: bytes | None = None
    ticket: int | None = None
    """The ticket the customer named (a chat about #N, a reply in the portal)."""
    priority: Priority | None = None
    """The priority the customer chose for a new ticket (portal, chat)."""
    agent: str | None = None
    """Who answered on the customer's side (a live-chat agent)."""
    answered_at: datetime | None = None
    """When an agent first answered the customer in the message (a chat session's
    first agent line): the ticket's first response, at that time."""
