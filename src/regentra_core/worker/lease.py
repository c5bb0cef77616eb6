"""The worker lease: one row, one holder, an expiry the heartbeat pushes forward.

A holder that stops renewing (killed, hung, cut off) loses the lease when it
expires; the next standby to ask takes it over. Acquiring and taking over are
audited as Events; heartbeats are not (they would wake every TUI every few
seconds for nothing).

The daemon always wins: a worker embedded in a technician's app holds the lease
only while no daemon (``regentra worker``) is alive. A daemon takes the lease
from an app's worker at its next heartbeat, and an app's worker never takes it
from a live daemon; between two daemons, or two apps, the holder keeps it until
it expires. Only the daemon holds the channel secrets, so an app holding the
lease would keep mail and SMS from going out.

The lease's times are the database's clock (:meth:`Database.now_in`, read inside
the lease's transaction), never a worker's: a host whose clock is a day ahead
cannot write an expiry that keeps everyone else idle, or make the lease change
hands at every beat.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from ..enums import ActorKind
from ..errors import RaceLost
from ..events import EventKind
from ..store.engine import Database
from ..store.models import Event, WorkerLease

LEASE_NAME = "scheduler"

APP_LABEL_PREFIX = "tui-"
"""The label of a worker embedded in a technician's app (``tui-alice``); every
other label (the daemon's is ``worker``) is a daemon's."""

SKEW_TOLERANCE = timedelta(seconds=2)
"""How far apart two hosts' clocks may be before a lease's expiry is not believed."""


def lease_is_skewed(expires_at: datetime, now: datetime, ttl: float) -> bool:
    """Whether a lease expires further ahead than any renewal could have set it.

    A holder whose clock ran ahead (or a host clock stepped back) leaves such a
    lease; trusting it would keep every standby idle until that far-off time, so
    it counts as stale.
    """
    return expires_at > now + timedelta(seconds=ttl) + SKEW_TOLERANCE


def holder_id(label: str = "worker") -> str:
    """``host:pid:label``: enough to find the process on the support host."""
    return f"{socket.gethostname()}:{os.getpid()}:{label}"


def holder_label(holder: str) -> str:
    """The label part of ``host:pid:label`` (the whole string if it has no host)."""
    parts = holder.split(":", 2)
    return parts[2] if len(parts) == 3 else holder


def is_app_holder(holder: str) -> bool:
    """Whether ``holder`` is a worker embedded in a technician's app."""
    return holder_label(holder).startswith(APP_LABEL_PREFIX)


def outranks(taker: str, holder: str) -> bool:
    """A daemon outranks an app's embedded worker; nobody else outranks anyone."""
    return is_app_holder(holder) and not is_app_holder(taker)


FAILED = "failed: "
"""How a job's last result starts when it raised (the runner writes it)."""

_JOB = re.compile(r"(?:^|; )([a-z][a-z0-9-]*): ")
"""Where a job's ``name: result`` starts in a summary."""


def summarise(results: dict[str, str]) -> str:
    """Each job's last result, as the lease row keeps it for doctor and the status
    line: ``name: result`` pairs, by name, ``; ``-separated."""
    return "; ".join(f"{name}: {result}" for name, result in sorted(results.items()))


@dataclass(frozen=True, slots=True)
class LeaseView:
    """The lease as the status line shows it."""

    holder: str
    heartbeat_at: datetime
    expires_at: datetime
    last_result: str
    read_at: datetime
    """The database's clock when this was read: ages are measured against it, so a
    reader on a host with a wrong clock still says "2 s ago", not "23 h ago"."""

    def alive(self, now: datetime | None = None) -> bool:
        """Whether the lease is held as of ``now`` (default: the database's time of the read)."""
        return (now or self.read_at) < self.expires_at

    def failing(self) -> dict[str, str]:
        """The jobs whose last run failed, with what they said (from ``last_result``,
        as :func:`summarise` wrote it; job names are lower case with hyphens)."""
        marks = list(_JOB.finditer(self.last_result))
        found = {}
        ends = [following.start() for following in marks[1:]] + [len(self.last_result)]
        for mark, end in zip(marks, ends, strict=False):  # (no marks: no ends read)
            said = self.last_result[mark.end() : end]
            if said.startswith(FAILED):
                found[mark.group(1)] = said.removeprefix(FAILED)
        return found

    @property
    def by_app(self) -> bool:
        """Held by a technician's app, not a daemon."""
        return is_app_holder(self.holder)

    @property
    def host(self) -> str:
        """The holder's host ("" for a holder named without one)."""
        parts = self.holder.split(":", 2)
        return parts[0] if len(parts) == 3 else ""

    @property
    def app_user(self) -> str:
        """Whose app holds the lease ("" for a daemon)."""
        label = holder_label(self.holder)
        return label.removeprefix(APP_LABEL_PREFIX) if self.by_app else ""

    @property
    def heartbeat_age(self) -> timedelta:
        """How long ago the holder last beat, by the database's clock."""
        return max(self.read_at - self.heartbeat_at, timedelta(0))


def current_lease(db: Database) -> LeaseView | None:
    with db.read() as s:
        row = s.get(WorkerLease, LEASE_NAME)
        if row is None:
            return None
        read_at = db.now_in(s)
        return LeaseView(row.holder, row.heartbeat_at, row.expires_at, row.last_result, read_at)


def acquire_or_renew(
    db: Database,
    holder: str,
    ttl: float,
    now: datetime | None = None,
    result: str | None = None,
) -> bool:
    """Renew our lease, or take it if it is free, expired or held by an app while we
    are a daemon; False if someone else holds it.

    The row is locked while it is decided (workers on several hosts of one PostgreSQL
    desk would otherwise both see it expired and both take it); two first-ever
    takers insert the same row, and the one refused has lost. ``now`` is the
    database's clock, read after the lock, unless a test names the instant.
    """
    try:
        return _acquire_or_renew(db, holder, ttl, now, result)
    except RaceLost:
        return False


def _acquire_or_renew(
    db: Database, holder: str, ttl: float, given: datetime | None, result: str | None
) -> bool:
    with db.write() as s:
        row = s.get(WorkerLease, LEASE_NAME, with_for_update=True)
        now = given or db.now_in(s)
        expires = now + timedelta(seconds=ttl)
        if row is None:
            s.add(
                WorkerLease(
                    name=LEASE_NAME,
                    holder=holder,
                    acquired_at=now,
                    heartbeat_at=now,
                    expires_at=expires,
                    last_result=result or "started",
                )
            )
            _audit(s, holder, EventKind.WORKER_LEASE_ACQUIRED, None, now)
            return True
        if row.holder == holder:
            row.heartbeat_at, row.expires_at = now, expires
            if result is not None:
                row.last_result = result
            return True
        stale = lease_is_skewed(row.expires_at, now, ttl)
        held = row.expires_at > now and not stale
        preempt = held and outranks(holder, row.holder)
        if held and not preempt:
            return False
        previous = row.holder
        row.holder, row.acquired_at, row.heartbeat_at, row.expires_at = holder, now, now, expires
        row.last_result = result or "took over"
        why = (
            "the lease expired far in the future: a clock is wrong"
            if stale
            else "a worker daemon runs the jobs, not a technician's app"
            if preempt
            else None
        )
        _audit(s, holder, EventKind.WORKER_LEASE_TAKEN_OVER, previous, now, why)
        return True


@dataclass(frozen=True, slots=True)
class LeaseCheck:
    """Who holds the lease as a job is about to run, by the database's clock."""

    holder: str | None
    expires_at: datetime | None
    db_now: datetime

    def held_by(self, holder: str) -> bool:
        return (
            self.holder == holder and self.expires_at is not None and self.db_now < self.expires_at
        )


def check(db: Database) -> LeaseCheck:
    """One small read: the lease's holder and expiry, and the database's time."""
    with db.read() as s:
        row = s.get(WorkerLease, LEASE_NAME)
        db_now = db.now_in(s)
        if row is None:
            return LeaseCheck(None, None, db_now)
        return LeaseCheck(row.holder, row.expires_at, db_now)


def release(db: Database, holder: str, now: datetime | None = None) -> None:
    """Give the lease up at once (clean shutdown, or a clock found wrong), so a
    standby need not wait."""
    with db.write() as s:
        row = s.get(WorkerLease, LEASE_NAME)
        now = now or db.now_in(s)
        if row is not None and row.holder == holder:
            row.expires_at = now
            row.last_result = "stopped"
            _audit(s, holder, EventKind.WORKER_LEASE_RELEASED, None, now)


def _audit(
    s: Session,
    holder: str,
    kind: EventKind,
    previous: str | None,
    now: datetime,
    detail: str | None = None,
) -> None:
    s.add(
        Event(
            ticket_id=None,
            actor=f"system:{holder}",
            actor_kind=ActorKind.SYSTEM,
            source="worker",
            kind=kind,
            from_value=previous,
            to_value=holder,
            detail=detail,
            at=now,
        )
    )
