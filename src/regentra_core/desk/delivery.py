"""Delivering queued messages: the two bookkeeping steps around a transport's send.

A send is not a database operation, so it cannot sit inside a transaction. The
worker starts a delivery (committed: this message is being sent, attempt n), sends
it, and finishes it (sent, or failed with the error and the next attempt). If the
worker dies in between, the message is *in doubt*: it may have gone out. It is
not repeated blindly: our own copy (every message is Bcc'd to the support address
and carries our loop header) comes back through the mailbox and proves it went
out; only when no copy has arrived after a grace period is it sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from ..channels.outbound import cc_list
from ..enums import Channel, DeliveryState
from ..errors import NotFoundError
from ..events import EventKind
from ..store.models import InboundRecord, OutboundMessage, Ticket
from .tx import Tx

MAX_ATTEMPTS = 10
IN_DOUBT_GRACE = timedelta(minutes=10)
"""How long to wait for our own copy of an in-doubt message before sending again."""


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failure, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What a transport needs to send one message (a copy, not a live row)."""

    id: int
    ticket_number: int | None
    """None for mail about no ticket (a portal sign-in link)."""
    kind: str
    recipient: str
    subject: str
    body: str
    message_id: str
    in_reply_to: str | None
    references: str | None
    attempt: int
    in_doubt: bool = False
    """An earlier attempt may have gone out (its sender died mid-send): a transport
    that can ask the provider whether it did (Twilio's message log) asks first."""
    cc: tuple[str, ...] = ()
    """The ticket's Cc list as it is when the message is sent (a public reply by
    email only): someone taken off the list before the send is not copied."""


def start_delivery(tx: Tx, outbound_id: int) -> Outgoing | None:
    """Claim a due message for sending; None if it is not due (or proven sent)."""
    now = tx.now()
    s = tx.session
    out = _outbound(s, outbound_id)
    ticket = s.get(Ticket, out.ticket_id) if out.ticket_id is not None else None
    if out.state == DeliveryState.SENT:
        return None
    if out.attempt_started_at is not None:
        if _copy_came_back(s, out.message_id):
            _mark_sent(tx, out, ticket, now, "confirmed by our own copy")
            return None
        if now - out.attempt_started_at < IN_DOUBT_GRACE:
            return None  # may have gone out: wait for our copy
    if out.next_attempt_at is None or out.next_attempt_at > now:
        return None
    in_doubt = out.attempt_started_at is not None
    out.attempts += 1
    out.attempt_started_at = now
    cc = copied(out, ticket)
    tx.event(
        ticket,
        EventKind.OUTBOUND_SENDING,
        to=out.recipient,
        detail=f"attempt {out.attempts}" + (f", cc {', '.join(cc)}" if cc else ""),
    )
    assert out.id is not None
    return Outgoing(
        out.id,
        ticket.number if ticket is not None else None,
        out.kind,
        out.recipient,
        out.subject,
        out.body,
        out.message_id,
        out.in_reply_to,
        out.references,
        out.attempts,
        in_doubt,
        cc,
    )


def finish_delivery(
    tx: Tx,
    outbound_id: int,
    *,
    error: str | None = None,
    permanent: bool = False,
    in_doubt: bool = False,
) -> DeliveryState:
    """Record how a send ended: sent, or failed (retried with backoff, or given up).

    ``in_doubt`` (the connection broke mid-send) keeps the attempt open, so the
    next pass checks for our own copy before it sends again.
    """
    now = tx.now()
    s = tx.session
    out = _outbound(s, outbound_id)
    ticket = s.get(Ticket, out.ticket_id) if out.ticket_id is not None else None
    if in_doubt and error is not None:
        out.last_error = f"may have been sent, checking: {error}"[:2000]
        tx.event(ticket, EventKind.OUTBOUND_IN_DOUBT, to=out.recipient, detail=out.last_error)
        return out.state
    out.attempt_started_at = None
    if error is None:
        _mark_sent(tx, out, ticket, now, f"attempt {out.attempts}")
        return out.state
    out.state, out.last_error = DeliveryState.FAILED, error[:2000]
    if permanent or out.attempts >= MAX_ATTEMPTS:
        out.next_attempt_at = None
        detail = f"gave up after {out.attempts} attempt(s): {error}"
    else:
        out.next_attempt_at = now + backoff(out.attempts)
        retry = f"{out.next_attempt_at:%H:%M} UTC"
        detail = f"attempt {out.attempts} failed, retrying at {retry}: {error}"
    tx.event(ticket, EventKind.OUTBOUND_FAILED, to=out.recipient, detail=detail[:2000])
    return out.state


def _outbound(s: Session, outbound_id: int) -> OutboundMessage:
    out = s.exec(
        select(OutboundMessage).where(OutboundMessage.id == outbound_id).with_for_update()
    ).first()
    if out is None:
        raise NotFoundError(f"no outbound message {outbound_id}")
    return out


def _mark_sent(
    tx: Tx, out: OutboundMessage, ticket: Ticket | None, now: datetime, how: str
) -> None:
    out.state, out.sent_at = DeliveryState.SENT, now
    out.next_attempt_at = out.attempt_started_at = None
    out.last_error = None
    tx.event(ticket, EventKind.OUTBOUND_SENT, to=out.recipient, detail=f"{out.kind}, {how}")


def copied(out: OutboundMessage, ticket: Ticket | None) -> tuple[str, ...]:
    """Who is copied on ``out``: the ticket's Cc list on a technician's public reply
    by email (never an acknowledgement, a notification or an SMS), less its recipient."""
    if ticket is None or out.kind != "reply" or out.channel != Channel.EMAIL:
        return ()
    return tuple(a for a in cc_list(ticket.cc) if a != out.recipient.lower())


def _copy_came_back(s: Session, message_id: str) -> bool:
    found = s.exec(select(InboundRecord.id).where(InboundRecord.external_id == message_id))
    return found.first() is not None
