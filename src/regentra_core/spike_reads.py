"""Reading ticket spikes: which burst a ticket belongs to, and who else is in it.

Also the rule of what a spike may gather (:func:`gatherable`), shared with the
Desk's ``make_spike_master`` so the banner, the preview before ``S`` and what
``S`` then links always agree: open tickets only, never a child of another master
nor a master with children of its own, about the same thing as the master.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from . import spike
from .enums import Priority, Status
from .store.engine import Database
from .store.models import SpikeMember, Ticket, TicketSpike


@dataclass(frozen=True, slots=True)
class SpikeTicket:
    number: int
    subject: str
    priority: Priority
    status: Status
    master: bool
    child: bool
    """A child of this spike's master."""
    left_out: str | None = None
    """Why the spike does not gather it (resolved, under another master, about
    something else); None when it does."""


@dataclass(frozen=True, slots=True)
class SpikeView:
    """A spike as the app and ``regentra ticket spike`` show it."""

    kind: str
    label: str
    detected_at: datetime
    tickets: list[SpikeTicket]
    """Every member, those left out too (with why)."""
    master: int | None
    """The master someone made, else None (then the first open ticket is suggested)."""
    suggested_master: int | None = None
    """The master ``S`` would use: the one made if still open, else the first
    ticket the spike may gather; None when none is left."""

    @property
    def suggested(self) -> int:
        return self.suggested_master or self.master or self.tickets[0].number

    @property
    def gathered(self) -> list[SpikeTicket]:
        """The tickets the spike is made of (its master and what it may link)."""
        return [t for t in self.tickets if t.left_out is None]

    @property
    def unlinked(self) -> list[int]:
        """What ``S`` would link under the suggested master."""
        if self.suggested_master is None:
            return []
        return [
            t.number
            for t in self.gathered
            if t.number != self.suggested_master and not (t.child and self.master)
        ]


def gatherable(ticket: Ticket, master: Ticket | None, has_children: bool) -> str | None:
    """Why ``ticket`` cannot join a spike under ``master`` (None: it can).

    A spike gathers open tickets only, never a child of another master nor a master
    with children of its own, and (under a chosen master) only tickets whose
    subject is like the master's.
    """
    if ticket.status.is_done:
        return f"#{ticket.number} is {ticket.status.label}"
    if ticket.master_id is not None and (master is None or ticket.master_id != master.id):
        return f"#{ticket.number} is a child of another master"
    if ticket.is_master and has_children and (master is None or ticket.id != master.id):
        return f"#{ticket.number} is a master with children of its own"
    if master is not None and ticket.id != master.id:
        if not spike.related(spike.subject_key(ticket.subject), spike.subject_key(master.subject)):
            return f"#{ticket.number} is about something else ({ticket.subject[:60]!r})"
    return None


def with_children(s: Session, master_ids: Iterable[int | None]) -> set[int]:
    """Which of these masters have children."""
    ids = [i for i in master_ids if i is not None]
    if not ids:
        return set()
    found = s.exec(select(Ticket.master_id).where(col(Ticket.master_id).in_(ids)).distinct())
    return {i for i in found.all() if i is not None}


def spike_master(made: Ticket | None, tickets: list[Ticket], parents: set[int]) -> Ticket | None:
    """The master of a spike: the one made while it is open, else the first ticket
    the spike may gather, else None."""
    if made is not None and not made.status.is_done:
        return made
    return next((t for t in tickets if gatherable(t, None, t.id in parents) is None), None)


def newest_spike(s: Session, ticket_id: int | None) -> TicketSpike | None:
    """The newest spike the ticket with row id ``ticket_id`` is a member of."""
    return s.exec(
        select(TicketSpike)
        .join(SpikeMember, col(SpikeMember.spike_id) == TicketSpike.id)
        .where(SpikeMember.ticket_id == ticket_id)
        .order_by(col(TicketSpike.id).desc())
    ).first()


def spike_tickets(s: Session, row: TicketSpike, *, lock: bool = False) -> list[Ticket]:
    """The spike's member tickets in number order (``lock``: locked for a change)."""
    query = (
        select(Ticket)
        .join(SpikeMember, col(SpikeMember.ticket_id) == Ticket.id)
        .where(SpikeMember.spike_id == row.id)
        .order_by(col(Ticket.number))
    )
    return list(s.exec(query.with_for_update(of=Ticket) if lock else query).all())


def spike_of(db: Database, number: int) -> SpikeView | None:
    """The newest spike ticket ``number`` belongs to, or None."""
    with db.read() as s:
        ticket_id = s.exec(select(Ticket.id).where(Ticket.number == number)).first()
        if ticket_id is None:
            return None
        row = newest_spike(s, ticket_id)
        if row is None:
            return None
        tickets = spike_tickets(s, row)
        made = s.get(Ticket, row.master_id) if row.master_id else None
        parents = with_children(s, [t.id for t in tickets if t.is_master])
        chosen = spike_master(made, tickets, parents)
        return SpikeView(
            row.kind,
            row.label,
            row.detected_at,
            [
                SpikeTicket(
                    t.number,
                    t.subject,
                    t.priority,
                    t.status,
                    t.is_master,
                    made is not None and t.master_id == made.id,
                    gatherable(t, chosen, t.id in parents) if chosen is not None else "no master",
                )
                for t in tickets
            ],
            made.number if made else None,
            chosen.number if chosen else None,
        )
