"""The audit trail is written once per transaction, at commit.

Events are append-only and nothing but the automation rules reads them inside the
transaction that makes them, so a use case's events wait in its transaction
context (``desk.tx.Tx.events``) and go in as one multi-row INSERT just before it
commits. An ORM insert each cost a flush of its own: in a batch of inbound mail
that was a third of the time spent per message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..enums import ActorKind
from .models import Event


class Audited(Protocol):
    """A row an Event is about (a ticket); its id is read when the Event is written."""

    id: int | None


@dataclass(frozen=True, slots=True)
class EventRow:
    """One Event waiting for its transaction to commit."""

    ticket: Audited | None
    actor: str
    actor_kind: ActorKind
    source: str
    kind: str
    from_value: str | None
    to_value: str | None
    detail: str | None
    at: datetime


def write(session: Session, events: Sequence[EventRow]) -> None:
    """Insert ``events`` in one statement (after a flush gives every ticket its id)."""
    if not events:
        return
    session.flush()
    rows = [
        {
            "ticket_id": e.ticket.id if e.ticket is not None else None,
            "actor": e.actor,
            "actor_kind": e.actor_kind,
            "source": e.source,
            "kind": e.kind,
            "from_value": e.from_value,
            "to_value": e.to_value,
            "detail": e.detail,
            "at": e.at,
        }
        for e in events
    ]
    session.connection().execute(insert(Event), rows)
