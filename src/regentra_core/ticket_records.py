"""What a ticket list is asked and what it answers: filters, sort keys, rows.

Plain frozen records and pure rules, free of the ORM, so the two readers that
answer a list share them: ``queries.tickets`` (SQLAlchemy, for the app and every
write path) and ``plain_reads.tickets`` (the DB-API, for ``regentra ticket list``,
whose start-up must not pay for SQLAlchemy and the models).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .enums import Channel, Priority, Status
from .sla import Badge, SlaState

UNASSIGNED = "none"
"""The assignee filter value that selects tickets nobody owns."""

PRIORITY_ORDER = {p: p.rank for p in Priority}
"""Each priority's rank (Critical highest), what the priority sort orders by."""


class SortKey(StrEnum):
    """How a ticket list can be ordered."""

    NUMBER = "number"
    PRIORITY = "priority"
    UPDATED = "updated"
    CREATED = "created"
    SLA = "sla"
    """Least SLA time left first; tickets whose clocks all stopped come last."""


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """Combinable list filters; empty fields do not filter."""

    statuses: tuple[Status, ...] = ()
    priorities: tuple[Priority, ...] = ()
    assignee: str | None = None
    """A username, or ``"none"`` for unassigned tickets."""
    client: str | None = None
    since: datetime | None = None
    """Created at or after."""
    until: datetime | None = None
    """Created before."""
    text: str | None = None
    """Case-insensitive substring of the subject (full-text search comes later)."""
    sla: tuple[Badge, ...] = ()
    """Only tickets whose SLA badge is one of these (read from the stored SLA marks)."""
    numbers: tuple[int, ...] | None = None
    """Only these ticket numbers (full-text search results); None: no restriction."""
    channels: tuple[Channel, ...] = ()
    """Only tickets that came in through one of these channels."""
    contact_id: int | None = None
    """Only this contact's tickets (the portal's own-tickets view)."""
    client_id: int | None = None
    """Only this client's tickets (the portal's view for a client admin)."""


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One ticket as lists and boards show it."""

    number: int
    subject: str
    status: Status
    priority: Priority
    suggested_priority: Priority | None
    channel: Channel
    client: str | None
    client_vip: bool
    contact: str | None
    contact_email: str | None
    assignee: str | None
    is_master: bool
    master: int | None
    follow_up_of: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    sla: SlaState | None = None
    """Both SLA clocks as of the query; None when no policy applies."""
    contact_phone: str | None = None


def escape_like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern whose escape character is ``\\``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def sla_key(state: SlaState | None) -> tuple[int, float]:
    """Most urgent first: Breached, then At Risk, then On Track, each by least time
    left, i.e. soonest due (the instant its running clock reaches its target, so
    that tickets on different calendars compare in real time); paused and stopped
    clocks after the running ones, tickets without SLA last. ``state`` must be
    computed with its due times. ``queries.tickets._sla_order`` is the same order in SQL.

    Time left alone put an On Track ticket with 35 minutes of a 1-hour target above
    an At Risk one with 45 minutes of a 4-hour one; a stand-up reads the badge first.
    """
    if state is None:
        return (9, float("inf"))
    dues = [
        c.due_at
        for c in (state.response, state.resolution)
        if not c.stopped and not c.paused and c.due_at is not None
    ]
    rank = -state.badge.severity
    if not dues:
        return (rank + 5, float("inf"))
    return (rank, min(dues).timestamp())


def board_sort(status: Status, sort: SortKey) -> SortKey:
    """The order a board column is shown in: ``sort`` (SLA or priority) for work,
    priority for Resolved and Closed, whose clocks have all stopped."""
    return SortKey.PRIORITY if status.is_done or sort != SortKey.SLA else SortKey.SLA
