"""The search outbox: every write that touches a ticket or article queues it.

A flush hook on write sessions sees every new or changed Ticket, Reply,
InternalNote, TimeEntry and KBArticle and inserts outbox rows in the same
transaction, so no use case can forget to, and a rolled-back change queues nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ..clock import utcnow
from .models import IndexOutbox, InternalNote, KBArticle, Reply, Ticket, TimeEntry


def _queue(session: Session, flush_context: Any) -> None:
    tickets: set[int] = set()
    articles: set[int] = set()
    # session.dirty is optimistic (any attribute set lands there); only real
    # changes need reindexing.
    changed = [o for o in session.dirty if session.is_modified(o)]
    for obj in (*session.new, *changed):
        if isinstance(obj, Ticket) and obj.id is not None:
            tickets.add(obj.id)
        elif isinstance(obj, Reply | InternalNote | TimeEntry):
            tickets.add(obj.ticket_id)
        elif isinstance(obj, KBArticle) and obj.id is not None:
            articles.add(obj.id)
    if not tickets and not articles:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {"ticket_id": t, "kb_id": None, "created_at": now} for t in sorted(tickets)
    ]
    rows += [{"ticket_id": None, "kb_id": k, "created_at": now} for k in sorted(articles)]
    session.connection().execute(insert(IndexOutbox), rows)


def install(session: Session) -> None:
    """Queue outbox rows for whatever this write session flushes."""
    event.listen(session, "after_flush", _queue)
