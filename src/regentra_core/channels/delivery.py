"""The outbox job: send what is due through a transport, one message at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import col, or_, select

from ..desk import Desk, Outgoing
from ..enums import Channel, DeliveryState
from ..errors import DeliveryError
from ..store.engine import Database
from ..store.models import OutboundMessage


def due_outbound(db: Database, channel: Channel, now: datetime, limit: int = 50) -> list[int]:
    """Messages to try now: queued or failing and due, or in doubt from a dead sender."""
    with db.read() as s:
        rows = s.exec(
            select(OutboundMessage.id)
            .where(
                OutboundMessage.channel == channel,
                OutboundMessage.state != DeliveryState.SENT,
                or_(
                    col(OutboundMessage.next_attempt_at) <= now,
                    col(OutboundMessage.attempt_started_at).is_not(None),
                ),
            )
            .order_by(col(OutboundMessage.id))
            .limit(limit)
        ).all()
    return [r for r in rows if r is not None]


def deliver_due(desk: Desk, channel: Channel, send: Callable[[Outgoing], None]) -> str:
    """One pass of the outbox for ``channel``; a one-line result for the health report.

    ``send`` raises a :class:`DeliveryError` of its transport's kind when it did not
    deliver; anything else is a bug, left to the job runner's log."""
    sent = failed = 0
    for outbound_id in due_outbound(desk.db, channel, desk.clock()):
        out = desk.start_delivery(outbound_id)
        if out is None:
            continue
        try:
            send(out)
        except DeliveryError as exc:
            desk.finish_delivery(
                outbound_id, error=str(exc), permanent=exc.permanent, in_doubt=exc.in_doubt
            )
            failed += 1
            continue
        desk.finish_delivery(outbound_id)
        sent += 1
    return f"sent {sent}, failed {failed}" if sent or failed else "nothing to send"
