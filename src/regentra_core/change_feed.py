"""What changed on the desk since an app last looked: the live refresh's feed.

Every change writes an Event, so an app remembers the newest Event id it has seen
and asks for the ones after it. On SQLite that is enough: one writer at a time, so
ids become visible in order. On PostgreSQL writers run side by side: a transaction
may take id 10, another id 11 and commit first; a reader then sees 11, and asking
"after 11" would never show 10. So the ids skipped below the newest seen are kept
as gaps and asked for again until they appear, or until ``GAP_PATIENCE`` has passed
(an id a rolled-back transaction took never appears).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import col

from .store.engine import Database
from .store.models import Event, Ticket

GAP_PATIENCE = 120.0
"""Seconds a skipped id is asked for again: longer than a write transaction lasts."""

MAX_GAPS = 10_000
"""More skipped ids than this at once (a bulk load rolled back) are not followed."""


class ChangeFeed:
    """The changes after the last Event an app saw, none missed however they commit."""

    def __init__(self, last: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.last = last
        """The newest Event id seen."""
        self.gaps: dict[int, float] = {}
        """Ids below ``last`` not seen yet, with when they were first missed."""
        self.clock = clock

    def poll(self, db: Database) -> set[int] | None:
        """The numbers of the tickets changed since the last poll (an empty set for
        changes to no ticket, such as a new rule), or None when nothing changed."""
        now = self.clock()
        self.gaps = {i: t for i, t in self.gaps.items() if now - t < GAP_PATIENCE}
        after = col(Event.id) > self.last
        wanted = or_(after, col(Event.id).in_(sorted(self.gaps))) if self.gaps else after
        with db.read() as s:
            rows = s.execute(
                sa_select(col(Event.id), col(Ticket.number))
                .outerjoin(Ticket, col(Ticket.id) == col(Event.ticket_id))
                .where(wanted)
            ).all()
        if not rows:
            return None
        seen = {r[0] for r in rows}
        newest = max(seen)
        if newest - self.last <= MAX_GAPS:
            for missing in range(self.last + 1, newest):
                if missing not in seen:
                    self.gaps[missing] = now
        for found in seen:
            self.gaps.pop(found, None)
        self.last = max(self.last, newest)
        return {r[1] for r in rows if r[1] is not None}
