"""How often one client address may ask the portal for a sign-in link.

Kept in the serving process's memory, not the database: a request for an address
that is no contact must write nothing (no row, no Event), and counting it in the
database would be a write per request, the very flood being limited. The count per
contact address is the database's (``Desk.request_portal_signin`` counts the links
it sent), so that one holds across processes and restarts; this one is a first
gate against one machine asking for many addresses. The table is bounded, so a
spread of source addresses cannot grow it without end.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)
MAX_TRACKED = 10_000
"""Client addresses remembered at once; the least recently seen is forgotten first."""


class Throttle:
    """A sliding one-hour window of request times per key (a client address)."""

    def __init__(self, per_hour: int, *, max_tracked: int = MAX_TRACKED) -> None:
        self.per_hour = per_hour
        self.max_tracked = max_tracked
        self._seen: OrderedDict[str, deque[datetime]] = OrderedDict()

    def allow(self, key: str, now: datetime) -> bool:
        """Count a request by ``key`` at ``now``; False when it is over the limit
        (a refused request is not counted, so a flood does not extend its own ban)."""
        times = self._seen.pop(key, None) or deque()
        while times and times[0] <= now - WINDOW:
            times.popleft()
        allowed = len(times) < self.per_hour
        if allowed:
            times.append(now)
        self._seen[key] = times
        while len(self._seen) > self.max_tracked:
            self._seen.popitem(last=False)
        return allowed
