"""Live chat, the pure parts: the webhook's signature and its finished session.

A chat system posts each finished session once (and may replay it): the body is
signed with HMAC-SHA256 under the shared ``chat_webhook_secret``, checked in
constant time before anything is parsed. The transcript becomes the ticket's
description, each line with its author and time, or a reply on the ticket the
session names. The first agent line answered the customer: it is the ticket's
first response, at its time (``Inbound.answered_at``).

Times in the session are the sender's word, not ours: one further than
``TRUSTED_PAST`` before the time we received the session, or further than
``TRUSTED_AHEAD`` after it, is replaced by the time received, and the transcript
says which and what the chat system gave (a year-1 ``ended_at`` once dated a
ticket 739,952 days overdue). A time that is no UTC time at all (``0001-01-01``
east of Greenwich) is refused like any other malformed field.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from ..enums import Channel, Priority
from ..errors import ValidationError
from ..text import shorten
from .message import MAX_EXTERNAL_ID, Inbound
from .sms import normalise_number

SIGNATURE_HEADER = "X-Regentra-Signature"
MAX_BODY_BYTES = 1_000_000
MAX_TICKET = 2**31 - 1
"""The largest ticket number a session may name (a database INTEGER): a larger one
is no ticket, and would overflow the lookup."""
TRUSTED_PAST = timedelta(days=7)
"""How long before its receipt a session's times may be (a chat system that was
down for a few days posts its backlog late)."""
TRUSTED_AHEAD = timedelta(minutes=10)
"""How far ahead of our clock a chat system's clock may be."""


def sign(body: bytes, secret: str) -> str:
    """The header value a sender puts on ``body``: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, header: str | None, secret: str) -> bool:
    """True when ``header`` is ``body``'s signature under ``secret``."""
    if not header or not secret:
        return False
    return hmac.compare_digest(header.strip().encode(), sign(body, secret).encode())


def chat_inbound(body: bytes, received_at: datetime, region: str = "US") -> Inbound:
    """A finished chat session as an Inbound; ValidationError says what is wrong."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"the body is not JSON: {exc}") from None
    except RecursionError:
        raise ValidationError("the body is JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        raise ValidationError("the body must be a JSON object")
    session_id = _text(data, "id", required=True, limit=MAX_EXTERNAL_ID)
    contact = data.get("contact")
    if not isinstance(contact, dict):
        raise ValidationError("contact must be an object with an email or a phone")
    email = _text(contact, "email").lower()
    phone = _text(contact, "phone")
    if not email and not phone:
        raise ValidationError("contact needs an email or a phone")
    if email and ("@" not in email or any(c.isspace() for c in email)):
        raise ValidationError(f"contact.email is not an email address: {email!r}")
    number = _number(phone, region, required=not email)
    sender = email or number
    name = _text(contact, "name")
    agent = _text(data, "agent")
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValidationError("messages must be a non-empty list")
    notes: list[str] = []
    stamped = [
        _line(n, m, name or sender, agent or "agent", received_at, notes)
        for n, m in enumerate(messages)
    ]
    lines = [line for line, _ in stamped]
    answered = next((at for line, at in stamped if at is not None), None)
    ended = received_at
    if "ended_at" in data:
        ended = _trusted(_when(data["ended_at"], "ended_at"), received_at, "ended_at", notes)
    ended = min(ended, received_at)  # a clock ahead of ours does not date a ticket ahead
    ticket = data.get("ticket")
    if ticket is not None and (
        not isinstance(ticket, int) or isinstance(ticket, bool) or not 0 < ticket <= MAX_TICKET
    ):
        raise ValidationError("ticket must be a ticket number")
    priority = None
    if data.get("priority") is not None:
        priority = Priority.parse(str(data["priority"]))
    first = next((m["text"] for m in messages if m.get("from") == "customer"), "")
    subject = f"Chat: {shorten(' '.join(str(first).split()), 70)}" if first else "Chat session"
    header = f"Live chat {session_id}" + (f" with {agent}" if agent else "")
    return Inbound(
        channel=Channel.CHAT,
        external_id=session_id,
        sender=sender,
        sender_name=name,
        sender_phone=number if email else "",
        received_at=ended,
        subject=subject,
        body="\n".join([header, *notes, "", *lines]),
        ticket=ticket,
        priority=priority,
        agent=agent or None,
        answered_at=min(answered, ended) if answered is not None else None,
    )


def _number(phone: str, region: str, *, required: bool) -> str:
    """The contact's number in E.164; beside an address, one that is no number is
    left out rather than refusing the session (the address says who it is)."""
    if not phone:
        return ""
    try:
        return normalise_number(phone, region)
    except ValidationError:
        if required:
            raise
        return ""


def _text(
    data: dict[str, Any], key: str, *, required: bool = False, limit: int | None = None
) -> str:
    """A string field, stripped; over ``limit`` characters refused (an id, which
    must stay whole), otherwise cut at 1,000 (a name)."""
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ValidationError(f"{key} is required")
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{key} must be a string")
    value = value.strip()
    if limit is not None and len(value) > limit:
        raise ValidationError(f"{key} is {len(value):,} characters long (at most {limit})")
    return value[:1000]


def _line(
    n: int, message: Any, customer: str, agent: str, received_at: datetime, notes: list[str]
) -> tuple[str, datetime | None]:
    """The transcript line, and its time when an agent wrote it (None: the customer)."""
    if not isinstance(message, dict):
        raise ValidationError(f"messages[{n}] must be an object")
    who = message.get("from")
    if who not in ("customer", "agent"):
        raise ValidationError(f'messages[{n}].from must be "customer" or "agent"')
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"messages[{n}].text must be a non-empty string")
    what = f"messages[{n}].at"
    at = _trusted(_when(message.get("at"), what), received_at, what, notes)
    author = customer if who == "customer" else f"{agent} (agent)"
    line = f"[{at:%Y-%m-%d %H:%M} UTC] {author}: {text.strip()}"
    return line, (at if who == "agent" else None)


def _when(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be an ISO-8601 time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"{what} is not an ISO-8601 time: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValidationError(f"{what} is not a time in UTC's range: {value[:40]!r}") from None


def _trusted(at: datetime, received_at: datetime, what: str, notes: list[str]) -> datetime:
    """``at``, or the time received when ``at`` is too far from it (said in ``notes``)."""
    if received_at - TRUSTED_PAST <= at <= received_at + TRUSTED_AHEAD:
        return at
    notes.append(
        f"{what}: time given by the chat system: {at.date().isoformat()} {at:%H:%M} UTC, "
        f"replaced by the time received ({received_at:%Y-%m-%d %H:%M} UTC)"
    )
    return received_at
