"""The ticket-spike policy at work: noticed as tickets arrive, acted on by one key.

Each new ticket is checked against the tickets created inside the window (one
query per transaction; a batch of mail keeps the list in step). A spike raises its
LOW/MEDIUM tickets to HIGH by policy (reason ``ticket_spike``; HIGH and CRITICAL
stay, recorded) and is kept with its members, so a technician can make the first
the master of the rest (``make_spike_master``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from .. import hierarchy, spike
from ..enums import EscalationReason, Status
from ..errors import NotFoundError, RegentraError, ValidationError
from ..events import EventKind
from ..spike import Arrival
from ..spike_reads import gatherable, newest_spike, spike_master, spike_tickets, with_children
from ..store.models import Client, SpikeMember, Ticket, TicketSpike
from . import moves
from .moves import numbers
from .tx import Tx

RECENT_LIMIT = 150
"""Newest tickets inside the window a new one's subject is compared with. A flood
beyond it is a spike already; comparing with thousands would slow every creation."""
CLIENT_LIMIT = 50
"""Newest tickets of the new one's client inside the window (its own indexed query,
so a client's burst is seen however busy the rest of the desk is)."""


@dataclass(frozen=True, slots=True)
class SpikeMasterResult:
    """What making a spike's master did."""

    master: int
    linked: list[int]
    skipped: list[tuple[int, str]]


@dataclass(slots=True)
class SpikeMemo:
    """What the spike check has read in this transaction, kept in step as tickets
    arrive (a batch of mail opens hundreds; reading the window for each was most of
    the check): the recent arrivals compared with, the spikes noticed, their
    members, and a client spike's first subject."""

    recent: list[Arrival] | None = None
    """The newest tickets inside the window, of every client (``_recent``)."""
    by_client: dict[int, list[Arrival]] = field(default_factory=dict)
    """The same, of one client."""
    active: dict[str, TicketSpike] | None = None
    """Spikes noticed inside the window, by key (the newest of a key)."""
    members: dict[int, set[int]] = field(default_factory=dict)
    """A spike's id -> the ticket ids known to be its members."""
    first_key: dict[int, str] = field(default_factory=dict)
    """A client spike's id -> its first ticket's subject key."""

    def members_of(self, row: TicketSpike) -> set[int]:
        return self.members.setdefault(row.id or 0, set())


def check_spike(tx: Tx, ticket: Ticket, now: datetime) -> None:
    """Whether the new ``ticket`` makes (or joins) a burst: its members are recorded
    and raised by policy (``make_spike_master`` gathers them later)."""
    policy = tx.config.spike
    if not policy.enabled:
        return
    s, memo = tx.session, tx.memo(SpikeMemo)
    new = Arrival(
        ticket.id or 0, ticket.number, ticket.client_id, spike.subject_key(ticket.subject), now
    )
    active = _active_spike(tx, new, now)
    if active is not None:
        # A burst already noticed (a flood goes this way): the ticket joins it
        # without the window being read again (the lists read so far keep it).
        if memo.recent is not None:
            memo.recent.append(new)
        if ticket.client_id is not None and ticket.client_id in memo.by_client:
            memo.by_client[ticket.client_id].append(new)
        _join(tx, active, [new], ticket, now)
        return
    if memo.recent is None:
        memo.recent = _recent(s, now, policy)
    recent = memo.recent
    client: list[Arrival] = []
    if ticket.client_id is not None:
        if ticket.client_id not in memo.by_client:
            memo.by_client[ticket.client_id] = _recent(s, now, policy, client_id=ticket.client_id)
        client = memo.by_client[ticket.client_id]
    seen = {a.ticket_id for a in recent}
    found = spike.find_spike(new, recent + [a for a in client if a.ticket_id not in seen], policy)
    for arrivals in (recent, client) if ticket.client_id is not None else (recent,):
        if all(a.ticket_id != new.ticket_id for a in arrivals):
            arrivals.append(new)
    if found is None:
        return
    row = _spike_row(tx, found, now)
    _active_spikes(tx, now)[row.key] = row
    known = memo.members_of(row)
    ids = [a.ticket_id for a in found.members if a.ticket_id not in known]
    if ids:  # which of these joined earlier (another process, another batch)
        known.update(
            s.exec(
                select(SpikeMember.ticket_id).where(
                    SpikeMember.spike_id == row.id, col(SpikeMember.ticket_id).in_(ids)
                )
            ).all()
        )
    _join(tx, row, list(found.members), ticket, now, count=len(found.members))


def _active_spike(tx: Tx, new: Arrival, now: datetime) -> TicketSpike | None:
    """A spike noticed inside the window for this ticket's client or its subject."""
    keys = [f"client:{new.client_id}"] if new.client_id is not None else []
    if len(new.key) >= spike.MIN_KEY:
        keys.append(f"subject:{new.key}"[:300])
    if not keys:
        return None
    known = _active_spikes(tx, now)
    since = now - tx.config.spike.window
    for key in keys:
        row = known.get(key)
        if row is not None and row.detected_at >= since:
            if key.startswith("client:") and not _about_it(tx, row, new):
                continue  # the same client, about something else
            return row
    return None


def _about_it(tx: Tx, row: TicketSpike, new: Arrival) -> bool:
    """Whether ``new`` is like the subject of a client spike's first ticket."""
    firsts = tx.memo(SpikeMemo).first_key
    first = firsts.get(row.id or 0)
    if first is None:
        subject = tx.session.exec(
            select(Ticket.subject).where(Ticket.number == row.first_number)
        ).first()
        first = firsts[row.id or 0] = spike.subject_key(subject or "")
    return spike.related(new.key, first)


def _active_spikes(tx: Tx, now: datetime) -> dict[str, TicketSpike]:
    """Spikes noticed inside the window, by key: read once per transaction (a few
    rows), then kept in step by ``check_spike`` (a query per new ticket was a fifth
    of the spike check in a burst of mail)."""
    memo = tx.memo(SpikeMemo)
    if memo.active is None:
        memo.active = {}
        rows = tx.session.exec(
            select(TicketSpike)
            .where(col(TicketSpike.detected_at) >= now - tx.config.spike.window)
            .order_by(col(TicketSpike.id))
        ).all()
        for row in rows:
            memo.active[row.key] = row  # the newest of a key wins
    return memo.active


def _join(
    tx: Tx,
    row: TicketSpike,
    arrivals: list[Arrival],
    ticket: Ticket,
    now: datetime,
    count: int | None = None,
) -> None:
    """Make ``arrivals`` members of ``row`` (those not yet): recorded and raised."""
    s = tx.session
    members = tx.memo(SpikeMemo).members_of(row)
    fresh = [a for a in sorted(arrivals, key=lambda a: a.number) if a.ticket_id not in members]
    minutes = tx.config.spike.minutes
    for arrival in fresh:
        members.add(arrival.ticket_id)
        s.add(SpikeMember(spike_id=row.id or 0, ticket_id=arrival.ticket_id))
        member = ticket if arrival.ticket_id == ticket.id else s.get(Ticket, arrival.ticket_id)
        if member is None or member.status.is_done:
            continue
        size = f"{count} tickets" if count is not None else "a burst of tickets"
        tx.event(
            member,
            EventKind.SPIKE_DETECTED,
            to=str(row.first_number),
            at=now,
            detail=f"{size} {row.label} within {minutes} min; suggested master #{row.first_number}",
        )
        moves.escalate(tx, member, EscalationReason.TICKET_SPIKE, at=now)


def _spike_row(tx: Tx, found: spike.Spike, now: datetime) -> TicketSpike:
    """The spike these tickets already form (one of them is a member), or a new one."""
    s = tx.session
    by_key = s.exec(
        select(TicketSpike)
        .where(TicketSpike.key == found.key[:300])
        .where(col(TicketSpike.detected_at) >= now - 2 * tx.config.spike.window)
        .order_by(col(TicketSpike.id).desc())
    ).first()
    if by_key is not None:
        return by_key
    ids = [a.ticket_id for a in found.members]
    existing = s.exec(
        select(TicketSpike)
        .join(SpikeMember, col(SpikeMember.spike_id) == TicketSpike.id)
        .where(TicketSpike.kind == found.kind, col(SpikeMember.ticket_id).in_(ids))
        .order_by(col(TicketSpike.id).desc())
    ).first()
    if existing is not None:
        return existing
    if found.kind == "client":
        client = s.get(Client, found.members[0].client_id)
        label = f"from {client.name if client else 'one client'}"
    else:
        label = f"about {found.key.removeprefix('subject:')!r}"
    row = TicketSpike(
        kind=found.kind,
        key=found.key[:300],
        label=label[:300],
        detected_at=now,
        first_number=found.first.number,
    )
    s.add(row)
    s.flush()
    return row


def make_spike_master(tx: Tx, number: int) -> SpikeMasterResult:
    """Promote the first ticket of #number's spike and link the rest under it.

    Tickets that cannot be children (a master already, a child of another, or
    the master itself) are skipped and named; a spike whose master was made
    links any member that joined since.
    """
    s = tx.session
    ticket = moves.load(tx, number)
    row = newest_spike(s, ticket.id)
    if row is None:
        raise NotFoundError(f"#{number} is not part of a ticket spike")
    tickets = spike_tickets(s, row, lock=True)
    parents = with_children(s, [t.id for t in tickets if t.is_master])
    made = s.get(Ticket, row.master_id) if row.master_id else None
    master = spike_master(made, tickets, parents)
    if master is None:
        raise ValidationError(
            f"the spike #{number} belongs to has no open ticket left to gather "
            "(every one is resolved, closed or under another master)"
        )
    now = tx.now()
    if not master.is_master:
        hierarchy.check_promote(moves.node(tx, master))
        master.is_master = True
        moves.touch(master, now)
        tx.event(master, EventKind.PROMOTED_TO_MASTER, detail="ticket spike")
    row.master_id = master.id
    linked: list[int] = []
    skipped: list[tuple[int, str]] = []
    for child in tickets:
        if child.id == master.id or child.master_id == master.id:
            continue
        why = gatherable(child, master, child.id in parents)
        if why is not None:
            skipped.append((child.number, why))
            continue
        try:
            moves.link(tx, master, child, now)
        except RegentraError as exc:
            skipped.append((child.number, str(exc)))
            continue
        linked.append(child.number)
    tx.event(
        master,
        EventKind.SPIKE_MASTER_MADE,
        to=str(master.number),
        detail=f"linked {numbers(linked)}",
    )
    return SpikeMasterResult(master.number, linked, skipped)


def _recent(
    s: Session, now: datetime, policy: spike.SpikePolicy, *, client_id: int | None = None
) -> list[Arrival]:
    """The newest tickets inside the window: of every client (for subjects), or of one."""
    query = (
        sa_select(
            col(Ticket.id),
            col(Ticket.number),
            col(Ticket.client_id),
            col(Ticket.subject),
            col(Ticket.created_at),
            col(Ticket.follow_up_of_id),
            col(Ticket.status),
            col(Ticket.master_id),
            col(Ticket.is_master),
        )
        .where(col(Ticket.created_at) >= now - policy.window)
        .order_by(col(Ticket.created_at).desc())
        .limit(RECENT_LIMIT)
    )
    if client_id is not None:
        query = query.where(col(Ticket.client_id) == client_id).limit(CLIENT_LIMIT)
    rows = s.execute(query).all()
    # Follow-ups are conversations going on, not new reports; resolved and closed
    # tickets, children and masters are no new reports either (a spike of them had
    # nothing to gather): all left out here, in Python (a follow_up_of_id
    # condition in SQL made SQLite scan every ticket).
    return [
        Arrival(tid or 0, number, client_id, spike.subject_key(subject), created)
        for tid, number, client_id, subject, created, follow_up_of, status, above, is_master in rows
        if follow_up_of is None and not _done(status) and above is None and not is_master
    ]


def _done(status: Status | str) -> bool:
    return Status(status).is_done
