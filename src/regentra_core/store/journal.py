"""The audit trail is written once per transaction, at commit.

Events are append-only and nothing reads them inside the transaction that writes
them, so a use case's events wait in the session and go in as one multi-row INSERT
when it commits. An ORM insert each cost a flush of its own: in a batch of inbound
mail that was a third of the time spent per message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ..enums import ActorKind
from .models import Event

_PENDING = "journal_pending"


class _HasId(Protocol):
    id: int | None


def record(
    session: Session,
    ticket: _HasId | None,
    *,
    actor: str,
    actor_kind: ActorKind,
    source: str,
    kind: str,
    from_value: str | None,
    to_value: str | None,
    detail: str | None,
    at: datetime,
) -> None:
    """Queue one Event; ``ticket`` is read for its id at commit, after it is flushed."""
    pending: list[tuple[_HasId | None, dict[str, Any]]] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
    row = {
        "actor": actor,
        "actor_kind": actor_kind,
        "source": source,
        "kind": kind,
        "from_value": from_value,
        "to_value": to_value,
        "detail": detail,
        "at": at,
    }
    pending.append((ticket, row))


def pending(session: Session) -> list[tuple[_HasId | None, dict[str, Any]]]:
    """The events queued in this transaction so far, oldest first (automation rules
    read what a change did from here)."""
    queued: list[tuple[_HasId | None, dict[str, Any]]] = session.info.setdefault(_PENDING, [])
    return queued


def _write(session: Session) -> None:
    pending: list[tuple[_HasId | None, dict[str, Any]]] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()  # every ticket the events name has its id now
    rows = [{**row, "ticket_id": ticket.id if ticket else None} for ticket, row in pending]
    session.connection().execute(insert(Event), rows)


def install(session: Session) -> None:
    """Write the events queued in this write session when it commits."""
    event.listen(session, "before_commit", _write)
