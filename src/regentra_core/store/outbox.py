"""The search outbox: every write that touches a ticket or article queues it.

Mapper events note each Ticket, Reply, InternalNote, TimeEntry and KBArticle row a
flush inserts or updates, and a flush hook on write sessions inserts outbox rows
for them in the same transaction: no use case can forget to, and a rolled-back
change queues nothing. (Asking the session which objects are dirty instead costs a
walk over everything it holds at every flush: a third of a millisecond per flush
in a batch of inbound mail.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, object_session

from ..clock import utcnow
from .models import IndexOutbox, InternalNote, KBArticle, Reply, Ticket, TimeEntry

_TOUCHED = "outbox_touched"
QUEUED = "outbox_queued"
"""Set in a session's ``info`` once it has queued index work (read after commit)."""


def _note(_mapper: Any, _connection: Any, target: Any) -> None:
    session = object_session(target)
    if session is None:
        return
    _add(session, target)


TICKET_INDEXED = frozenset(
    {"number", "subject", "description", "status", "priority", "client_id", "assignee_id"}
    | {"created_at", "updated_at"}
)
"""The ticket columns a search document is made of (``search.documents``): a change to
any other (the AI's suggested priority, SLA bookkeeping) leaves the document as it is."""


def _note_update(_mapper: Any, _connection: Any, target: Any) -> None:
    session = object_session(target)
    if session is None:
        return
    if isinstance(target, Ticket):
        # Only the columns set since the load can have changed (SQLAlchemy keeps their
        # old values): asking every column's history cost 0.2 ms a ticket, 20 s of
        # the first SLA sweep of a 100k desk.
        state = inspect(target)
        touched = TICKET_INDEXED.intersection(state.committed_state)
        if not any(state.attrs[name].history.has_changes() for name in touched):
            return
    # after_update also fires for objects merely marked dirty, with nothing changed.
    elif not session.is_modified(target, include_collections=False):
        return
    _add(session, target)


def _add(session: Session, target: Any) -> None:
    tickets, articles = session.info.setdefault(_TOUCHED, (set(), set()))
    if isinstance(target, Ticket):
        tickets.add(target.id)
    elif isinstance(target, KBArticle):
        articles.add(target.id)
    else:
        tickets.add(target.ticket_id)


for _model in (Ticket, Reply, InternalNote, TimeEntry, KBArticle):
    event.listen(_model, "after_insert", _note)
    event.listen(_model, "after_update", _note_update)


def _queue(session: Session, _flush_context: Any) -> None:
    touched = session.info.pop(_TOUCHED, None)
    if not touched:
        return
    tickets, articles = touched
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {"ticket_id": t, "kb_id": None, "created_at": now} for t in sorted(tickets)
    ]
    rows += [{"ticket_id": None, "kb_id": k, "created_at": now} for k in sorted(articles)]
    session.connection().execute(insert(IndexOutbox), rows)
    session.info[QUEUED] = True


def note_inserted(session: Session, target: Any) -> None:
    """Note a row inserted by a statement of its own (``rows.insert_now``), which the
    mapper events never see."""
    if isinstance(target, (Ticket, Reply, InternalNote, TimeEntry, KBArticle)):
        _add(session, target)


def _queue_rest(session: Session) -> None:
    # The last flush queues what it writes; rows noted without one are queued here.
    session.flush()
    _queue(session, None)


def install(session: Session) -> None:
    """Queue outbox rows for whatever this write session flushes or inserts."""
    event.listen(session, "after_flush", _queue)
    event.listen(session, "before_commit", _queue_rest)
