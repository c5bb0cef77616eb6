"""The background worker: timers, the search outbox and (later) mail/SMS polling.

Exactly one process runs the jobs at a time, chosen by a lease row in the
database; any other worker (or a TUI's embedded one) waits as a hot standby.
The runner (APScheduler) is imported when first asked for: an app reads the lease
from its first second but starts its embedded worker only once the board is up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:
    from .lease import LeaseView, current_lease
    from .runner import Job, WorkerRunner

_WHERE = {
    "Job": ".runner",
    "WorkerRunner": ".runner",
    "LeaseView": ".lease",
    "current_lease": ".lease",
}


__getattr__ = exports(__name__, _WHERE)

__all__ = ["Job", "LeaseView", "WorkerRunner", "current_lease"]
