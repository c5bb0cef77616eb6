"""Which tickets a write session changed the SLA clocks of, noted as it flushes.

The Desk marks those tickets again before it commits (``desk.sla_marking``). Mapper
events note each ticket a flush inserts, or updates in a column its clocks depend
on, as the search outbox notes what to index: no use case can forget to, and asking
the session for its dirty objects would miss those already flushed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import get_history
from sqlmodel import col

from .models import DeskState, Ticket

_TOUCHED = "sla_clock_touched"

INPUT_FIELDS = frozenset(
    {
        "client_id",
        "priority",
        "status",
        "created_at",
        "first_response_at",
        "sla_pauses",
        "sla_done_spans",
        "response_breached",
        "resolution_breached",
    }
)
"""The ticket columns its clocks are computed from."""
RECORD_FIELDS = frozenset({"sla_badge", "response_breached", "resolution_breached"})
"""What the SLA sweep records: when only these changed, and the sweep changed them,
the clocks' instants are as they were and only the next sweep's is new (a breach
flag is set only on a clock already breached, which stays so)."""


_WATCHED = INPUT_FIELDS | RECORD_FIELDS


def note(session: Session, ticket: Ticket, *, inputs: bool = True) -> None:
    """Note ``ticket`` as changed (also one inserted by ``rows.insert_now``):
    ``inputs``, its clock inputs may have changed; else only what the sweep records."""
    noted = session.info.setdefault(_TOUCHED, {})
    before = noted.get(id(ticket))
    noted[id(ticket)] = (ticket, inputs or (before is not None and before[1]))


def take(session: Session) -> list[tuple[Ticket, bool]]:
    """The tickets noted since the last call, each with whether its clock inputs may
    have changed, forgetting them."""
    return list(session.info.pop(_TOUCHED, {}).values())


def _inserted(_mapper: Any, _connection: Any, target: Ticket) -> None:
    session = object_session(target)
    if session is not None:
        note(session, target)


def _updated(_mapper: Any, _connection: Any, target: Ticket) -> None:
    session = object_session(target)
    if session is None:
        return
    # Only the columns set since the load can have changed; ``state.attrs`` builds a
    # view of every attribute (90 us a ticket, 9 s of a first sweep at 100k).
    state = inspect(target)
    changed = {
        name
        for name in _WATCHED.intersection(state.committed_state)
        if get_history(target, name).has_changes()
    }
    if changed:
        note(session, target, inputs=not changed <= RECORD_FIELDS)


def current_generation(s: Session, *, lock: bool = False) -> int:
    """The generation marks made now belong to (``lock``: hold it, so that a change
    to the SLA set-up waits until these marks are written)."""
    query = sa_select(col(DeskState.sla_marks_gen)).where(col(DeskState.id) == 1)
    if lock:
        query = query.with_for_update()
    found = s.connection().execute(query).scalar()
    return int(found) if found is not None else 1


def marks_are_current(s: Session) -> bool:
    """Whether every ticket's marks were made under the SLA set-up as it is (one
    index probe): only then may lists read badges from them."""
    gen = current_generation(s)
    stale = s.connection().execute(
        sa_select(col(Ticket.id)).where(col(Ticket.sla_marks_gen) < gen).limit(1)
    )
    return stale.first() is None


event.listen(Ticket, "after_insert", _inserted)
event.listen(Ticket, "after_update", _updated)
