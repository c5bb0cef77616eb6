"""Live chat, the pure parts: the webhook's signature and its finished session.

A chat system posts each finished session once (and may replay it): the body is
signed with HMAC-SHA256 under the shared ``chat_webhook_secret``, checked in
constant time before anything is parsed. The transcript becomes the ticket's
description, each line with its author and time, or a reply on the ticket the
session names.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from ..enums import Channel, Priority
from ..errors import ValidationError
from .message import Inbound
from .sms import normalise_number

SIGNATURE_HEADER = "X-Regentra-Signature"
MAX_BODY_BYTES = 1_000_000


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
    if not isinstance(data, dict):
        raise ValidationError("the body must be a JSON object")
    session_id = _text(data, "id", required=True)
    contact = data.get("contact")
    if not isinstance(contact, dict):
        raise ValidationError("contact must be an object with an email or a phone")
    email = _text(contact, "email").lower()
    phone = _text(contact, "phone")
    if not email and not phone:
        raise ValidationError("contact needs an email or a phone")
    if email and ("@" not in email or any(c.isspace() for c in email)):
        raise ValidationError(f"contact.email is not an email address: {email!r}")
    sender = email or normalise_number(phone, region)
    name = _text(contact, "name")
    agent = _text(data, "agent")
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValidationError("messages must be a non-empty list")
    lines = [_line(n, m, name or sender, agent or "agent") for n, m in enumerate(messages)]
    ended = _when(data.get("ended_at"), "ended_at") if "ended_at" in data else received_at
    ended = min(ended, received_at)  # a clock ahead of ours does not date a ticket ahead
    ticket = data.get("ticket")
    if ticket is not None and (not isinstance(ticket, int) or isinstance(ticket, bool)):
        raise ValidationError("ticket must be a ticket number")
    priority = None
    if data.get("priority") is not None:
        priority = Priority.parse(str(data["priority"]))
    first = next((m["text"] for m in messages if m.get("from") == "customer"), "")
    subject = f"Chat: {' '.join(str(first).split())[:70]}" if first else "Chat session"
    header = f"Live chat {session_id}" + (f" with {agent}" if agent else "")
    return Inbound(
        channel=Channel.CHAT,
        external_id=session_id,
        sender=sender,
        sender_name=name,
        received_at=ended,
        subject=subject,
        body="\n".join([header, "", *lines]),
        ticket=ticket,
        priority=priority,
        agent=agent or None,
    )


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ValidationError(f"{key} is required")
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{key} must be a string")
    return value.strip()[:1000]


def _line(n: int, message: Any, customer: str, agent: str) -> str:
    if not isinstance(message, dict):
        raise ValidationError(f"messages[{n}] must be an object")
    who = message.get("from")
    if who not in ("customer", "agent"):
        raise ValidationError(f'messages[{n}].from must be "customer" or "agent"')
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"messages[{n}].text must be a non-empty string")
    at = _when(message.get("at"), f"messages[{n}].at")
    author = customer if who == "customer" else f"{agent} (agent)"
    return f"[{at:%Y-%m-%d %H:%M} UTC] {author}: {text.strip()}"


def _when(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be an ISO-8601 time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"{what} is not an ISO-8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
