"""Keeping the tickets' SLA marks (``regentra_core.sla_marks``) true, in one place.

Every change goes through :func:`regentra_core.desk.tx.transaction`, which calls
:func:`settle_marks` just before it commits: the tickets the change wrote (mapper
events note them as they are flushed, as the search outbox does) are marked again
from their new clock inputs, in the same transaction, whatever use case changed
them. A change to the SLA set-up (policy, targets, calendar, holidays, which client
has which policy) that changes what clocks say bumps ``desk_state.sla_marks_gen``:
every ticket marked before is stale, lists compute badges live until the sweep has
marked them again (``desk.sla.remark_stale`` with ``desk.sla_sweep_rows``, in
chunks, stopping when asked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlmodel import col

from ..sla import Badge
from ..sla_book import SlaBook, inputs_of
from ..sla_marks import Marks, marks_of, resweep_whole, settled, sweep_at
from ..store import clock_writes, config_version
from ..store.models import DeskState, Ticket

if TYPE_CHECKING:
    from .tx import Tx

Halted = Callable[[], bool]
"""Asked between chunks of long work: True when the worker is stopping."""


def never() -> bool:
    """A ``Halted`` for work nobody stops (``worker --once``, tests)."""
    return False


@dataclass(slots=True)
class SweptMemo:
    """Tickets the SLA sweep looked at in this transaction, and as of when: their next
    sweep is after that instant (see ``sla_marks.sweep_at``)."""

    at: dict[int, datetime] = field(default_factory=dict)


def settle_marks(tx: Tx) -> None:
    """Mark again every ticket this change wrote (and start a new generation of
    marks if it changed what the SLA set-up says). Called by ``transaction``."""
    s = tx.session
    s.flush()
    book: SlaBook | None = None
    if config_version.bumped(s, config_version.SLA_BUMPED):
        book = SlaBook.load(s)
        _new_generation_if_changed(s, book)
    swept = tx.memo(SweptMemo).at
    noted = clock_writes.take(s)
    seen = {t.id for t, _ in noted}
    noted += [(t, True) for t in _swept_tickets(s, swept) if t.id not in seen]
    if not noted:
        return
    gen = clock_writes.current_generation(s)
    now = tx.now()
    for ticket, inputs in noted:
        after = swept.get(ticket.id or -1)
        if not inputs and after is not None and resweep(ticket, gen, after):
            continue
        book = book or SlaBook.load(s)
        _assign(ticket, marks_of(book, inputs_of(ticket), now), gen, after=after)
    s.flush()
    clock_writes.take(s)


def resweep(ticket: Ticket, gen: int, after: datetime) -> bool:
    """Only the sweep's record changed: the next sweep's instant from the stored
    marks, without computing the clocks again (half the first sweep of a big desk),
    when they say it (no clock breached yet, or a done ticket's final badge). False:
    mark it whole."""
    if ticket.sla_marks_gen != gen:
        return False
    if settled(ticket.status, ticket.sla_badge):
        ticket.sla_sweep_at = None
        return True
    stored = Marks(
        rest=Badge(ticket.sla_rest) if ticket.sla_rest is not None else None,
        risk_at=ticket.sla_risk_at,
        breach_at=ticket.sla_breach_at,
    )
    if resweep_whole(stored, after):
        return False
    ticket.sla_sweep_at = _next_sweep(ticket, stored, after)
    return True


def _swept_tickets(s: Session, swept: dict[int, datetime]) -> Iterable[Ticket]:
    for ticket_id in swept:
        ticket = s.get(Ticket, ticket_id)
        if ticket is not None:
            yield ticket


def _assign(ticket: Ticket, marks: Marks, gen: int, *, after: datetime | None) -> None:
    ticket.sla_rest = marks.rest.value if marks.rest is not None else None
    ticket.sla_risk_at = marks.risk_at
    ticket.sla_breach_at = marks.breach_at
    ticket.sla_due_at = marks.due_at
    ticket.sla_sweep_at = _next_sweep(ticket, marks, after)
    ticket.sla_marks_gen = gen


def _new_generation_if_changed(s: Session, book: SlaBook) -> None:
    key = (
        s.connection()
        .execute(sa_select(col(DeskState.sla_marks_key)).where(col(DeskState.id) == 1))
        .first()
    )
    if key is None or key[0] == book.fingerprint:
        return
    s.connection().execute(
        update(DeskState)
        .where(col(DeskState.id) == 1)
        .values(sla_marks_gen=col(DeskState.sla_marks_gen) + 1, sla_marks_key=book.fingerprint)
    )


def _next_sweep(ticket: Ticket, marks: Marks, after: datetime | None) -> datetime | None:
    """When the sweep must look at ``ticket`` again, from ``marks`` and what it has
    recorded (one reading of the ticket for both the marking and the sweep)."""
    return sweep_at(
        marks,
        status=ticket.status,
        recorded=ticket.sla_badge,
        response_breached=ticket.response_breached,
        resolution_breached=ticket.resolution_breached,
        after=after,
    )
