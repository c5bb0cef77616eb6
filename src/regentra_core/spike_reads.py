"""Reading ticket spikes: which burst a ticket belongs to, and who else is in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

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


@dataclass(frozen=True, slots=True)
class SpikeView:
    """A spike as the app and ``regentra ticket spike`` show it."""

    kind: str
    label: str
    detected_at: datetime
    tickets: list[SpikeTicket]
    master: int | None
    """The master someone made, else None (then the first ticket is suggested)."""

    @property
    def suggested(self) -> int:
        return self.master or self.tickets[0].number

    @property
    def unlinked(self) -> list[int]:
        return [t.number for t in self.tickets if t.number != self.suggested and not t.child]


def spike_of(db: Database, number: int) -> SpikeView | None:
    """The newest spike ticket ``number`` belongs to, or None."""
    with db.read() as s:
        ticket_id = s.exec(select(Ticket.id).where(Ticket.number == number)).first()
        if ticket_id is None:
            return None
        row = s.exec(
            select(TicketSpike)
            .join(SpikeMember, col(SpikeMember.spike_id) == TicketSpike.id)
            .where(SpikeMember.ticket_id == ticket_id)
            .order_by(col(TicketSpike.id).desc())
        ).first()
        if row is None:
            return None
        tickets = s.exec(
            select(Ticket)
            .join(SpikeMember, col(SpikeMember.ticket_id) == Ticket.id)
            .where(SpikeMember.spike_id == row.id)
            .order_by(col(Ticket.number))
        ).all()
        master = s.get(Ticket, row.master_id) if row.master_id else None
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
                    master is not None and t.master_id == master.id,
                )
                for t in tickets
            ],
            master.number if master else None,
        )
