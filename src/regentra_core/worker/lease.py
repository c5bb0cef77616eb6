"""The worker lease: one row, one holder, an expiry the heartbeat pushes forward.

A holder that stops renewing (killed, hung, cut off) loses the lease when it
expires; the next standby to ask takes it over. Acquiring and taking over are
audited as Events; heartbeats are not (they would wake every TUI every few
seconds for nothing).
"""

from __future__ import annotations

import os
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


@dataclass(frozen=True, slots=True)
class LeaseView:
    """The lease as the status line shows it."""

    holder: str
    heartbeat_at: datetime
    expires_at: datetime
    last_result: str

    def alive(self, now: datetime) -> bool:
        return now < self.expires_at


def current_lease(db: Database) -> LeaseView | None:
    with db.read() as s:
        row = s.get(WorkerLease, LEASE_NAME)
        if row is None:
            return None
        return LeaseView(row.holder, row.heartbeat_at, row.expires_at, row.last_result)


def acquire_or_renew(
    db: Database, holder: str, ttl: float, now: datetime, result: str | None = None
) -> bool:
    """Renew our lease, or take it if it is free or expired; False if someone else holds it.

    The row is locked while it is decided (workers on several hosts of one PostgreSQL
    desk would otherwise both see it expired and both take it); two first-ever
    takers insert the same row, and the one refused has lost.
    """
    try:
        return _acquire_or_renew(db, holder, ttl, now, result)
    except RaceLost:
        return False


def _acquire_or_renew(
    db: Database, holder: str, ttl: float, now: datetime, result: str | None
) -> bool:
    expires = now + timedelta(seconds=ttl)
    with db.write() as s:
        row = s.get(WorkerLease, LEASE_NAME, with_for_update=True)
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
        if row.expires_at > now and not stale:
            return False
        previous = row.holder
        row.holder, row.acquired_at, row.heartbeat_at, row.expires_at = holder, now, now, expires
        row.last_result = result or "took over"
        why = "the lease expired far in the future: a clock is wrong" if stale else None
        _audit(s, holder, EventKind.WORKER_LEASE_TAKEN_OVER, previous, now, why)
        return True


def release(db: Database, holder: str, now: datetime) -> None:
    """Give the lease up at once (clean shutdown), so a standby need not wait."""
    with db.write() as s:
        row = s.get(WorkerLease, LEASE_NAME)
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
