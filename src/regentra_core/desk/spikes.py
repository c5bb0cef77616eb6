"""The ticket-spike policy at work: noticed as tickets arrive, acted on by one key.

Each new ticket is checked against the tickets created inside the window (one
query per transaction; a batch of mail keeps the list in step). A spike raises its
LOW/MEDIUM tickets to HIGH by policy (reason ``ticket_spike``; HIGH and CRITICAL
stay, recorded) and is kept with its members, so a technician can make the first
the master of the rest (``make_spike_master``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from .. import hierarchy, spike
from ..enums import EscalationReason, Status
from ..errors import NotFoundError, RegentraError, ValidationError
from ..events import EventKind
from ..spike import Arrival
from ..spike_reads import gatherable, spike_master, with_children
from ..store.models import Client, SpikeMember, Ticket, TicketSpike
from ._base import DeskBase, _memo, _numbers

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


class SpikeCases(DeskBase):
    """Noticing bursts of tickets, and turning one into a master with children."""

    def _check_spike(self, s: Session, ticket: Ticket, now: datetime) -> None:
        policy = self.db.spike
        if not policy.enabled:
            return
        new = Arrival(
            ticket.id or 0, ticket.number, ticket.client_id, spike.subject_key(ticket.subject), now
        )
        active = self._active_spike(s, new, now)
        if active is not None:
            # A burst already noticed (a flood goes this way): the ticket joins it
            # without the window being read again.
            for arrivals_key in ("spike_recent", f"spike_client:{ticket.client_id}"):
                if arrivals_key in s.info:
                    s.info[arrivals_key].append(new)
            self._join(s, active, [new], ticket, now)
            return
        recent: list[Arrival] = _memo(s, "spike_recent", lambda: _recent(s, now, policy))
        client: list[Arrival] = (
            _memo(
                s,
                f"spike_client:{ticket.client_id}",
                lambda: _recent(s, now, policy, client_id=ticket.client_id),
            )
            if ticket.client_id is not None
            else []
        )
        seen = {a.ticket_id for a in recent}
        found = spike.find_spike(
            new, recent + [a for a in client if a.ticket_id not in seen], policy
        )
        for arrivals in (recent, client) if ticket.client_id is not None else (recent,):
            if all(a.ticket_id != new.ticket_id for a in arrivals):
                arrivals.append(new)
        if found is None:
            return
        row = self._spike_row(s, found, now)
        self._active_spikes(s, now)[row.key] = row
        known: set[int] = s.info.setdefault(f"spike_members:{row.id}", set())
        ids = [a.ticket_id for a in found.members if a.ticket_id not in known]
        if ids:  # which of these joined earlier (another process, another batch)
            known.update(
                s.exec(
                    select(SpikeMember.ticket_id).where(
                        SpikeMember.spike_id == row.id, col(SpikeMember.ticket_id).in_(ids)
                    )
                ).all()
            )
        self._join(s, row, list(found.members), ticket, now, count=len(found.members))

    def _active_spike(self, s: Session, new: Arrival, now: datetime) -> TicketSpike | None:
        """A spike noticed inside the window for this ticket's client or its subject."""
        keys = [f"client:{new.client_id}"] if new.client_id is not None else []
        if len(new.key) >= spike.MIN_KEY:
            keys.append(f"subject:{new.key}"[:300])
        if not keys:
            return None
        known = self._active_spikes(s, now)
        since = now - self.db.spike.window
        for key in keys:
            row = known.get(key)
            if row is not None and row.detected_at >= since:
                if key.startswith("client:") and not self._about_it(s, row, new):
                    continue  # the same client, about something else
                return row
        return None

    def _about_it(self, s: Session, row: TicketSpike, new: Arrival) -> bool:
        """Whether ``new`` is like the subject of a client spike's first ticket."""
        memo: dict[int, str] = s.info.setdefault("spike_first_key", {})
        first = memo.get(row.id or 0)
        if first is None:
            subject = s.exec(
                select(Ticket.subject).where(Ticket.number == row.first_number)
            ).first()
            first = memo[row.id or 0] = spike.subject_key(subject or "")
        return spike.related(new.key, first)

    def _active_spikes(self, s: Session, now: datetime) -> dict[str, TicketSpike]:
        """Spikes noticed inside the window, by key: read once per transaction (a few
        rows), then kept in step by ``_spike_row`` (a query per new ticket was a fifth
        of the spike check in a burst of mail)."""
        known: dict[str, TicketSpike] | None = s.info.get("spike_active")
        if known is None:
            known = {}
            rows = s.exec(
                select(TicketSpike)
                .where(col(TicketSpike.detected_at) >= now - self.db.spike.window)
                .order_by(col(TicketSpike.id))
            ).all()
            for row in rows:
                known[row.key] = row  # the newest of a key wins
            s.info["spike_active"] = known
        return known

    def _join(
        self,
        s: Session,
        row: TicketSpike,
        arrivals: list[Arrival],
        ticket: Ticket,
        now: datetime,
        count: int | None = None,
    ) -> None:
        """Make ``arrivals`` members of ``row`` (those not yet): recorded and raised."""
        members: set[int] = s.info.setdefault(f"spike_members:{row.id}", set())
        fresh = [a for a in sorted(arrivals, key=lambda a: a.number) if a.ticket_id not in members]
        minutes = self.db.spike.minutes
        for arrival in fresh:
            members.add(arrival.ticket_id)
            s.add(SpikeMember(spike_id=row.id or 0, ticket_id=arrival.ticket_id))
            member = ticket if arrival.ticket_id == ticket.id else s.get(Ticket, arrival.ticket_id)
            if member is None or member.status.is_done:
                continue
            size = f"{count} tickets" if count is not None else "a burst of tickets"
            self._event(
                s,
                member,
                EventKind.SPIKE_DETECTED,
                to=str(row.first_number),
                at=now,
                detail=f"{size} {row.label} within {minutes} min; "
                f"suggested master #{row.first_number}",
            )
            self._escalate(s, member, EscalationReason.TICKET_SPIKE, at=now)

    def _spike_row(self, s: Session, found: spike.Spike, now: datetime) -> TicketSpike:
        """The spike these tickets already form (one of them is a member), or a new one."""
        by_key = s.exec(
            select(TicketSpike)
            .where(TicketSpike.key == found.key[:300])
            .where(col(TicketSpike.detected_at) >= now - 2 * self.db.spike.window)
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

    def make_spike_master(self, number: int) -> SpikeMasterResult:
        """Promote the first ticket of #number's spike and link the rest under it.

        Tickets that cannot be children (a master already, a child of another, or
        the master itself) are skipped and named; a spike whose master was made
        links any member that joined since.
        """
        with self._write() as s:
            ticket = self._load(s, number)
            row = s.exec(
                select(TicketSpike)
                .join(SpikeMember, col(SpikeMember.spike_id) == TicketSpike.id)
                .where(SpikeMember.ticket_id == ticket.id)
                .order_by(col(TicketSpike.id).desc())
            ).first()
            if row is None:
                raise NotFoundError(f"#{number} is not part of a ticket spike")
            tickets = list(
                s.exec(
                    select(Ticket)
                    .join(SpikeMember, col(SpikeMember.ticket_id) == Ticket.id)
                    .where(SpikeMember.spike_id == row.id)
                    .order_by(col(Ticket.number))
                    .with_for_update(of=Ticket)
                ).all()
            )
            parents = with_children(s, [t.id for t in tickets if t.is_master])
            made = s.get(Ticket, row.master_id) if row.master_id else None
            master = spike_master(made, tickets, parents)
            if master is None:
                raise ValidationError(
                    f"the spike #{number} belongs to has no open ticket left to gather "
                    "(every one is resolved, closed or under another master)"
                )
            now = self.clock()
            if not master.is_master:
                hierarchy.check_promote(self._node(s, master))
                master.is_master = True
                self._touch(master, now)
                self._event(s, master, EventKind.PROMOTED_TO_MASTER, detail="ticket spike")
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
                    self._link(s, master, child, now)
                except RegentraError as exc:
                    skipped.append((child.number, str(exc)))
                    continue
                linked.append(child.number)
            self._event(
                s,
                master,
                EventKind.SPIKE_MASTER_MADE,
                to=str(master.number),
                detail=f"linked {_numbers(linked)}",
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
