"""The background worker: timers, the search outbox and (later) mail/SMS polling.

Exactly one process runs the jobs at a time, chosen by a lease row in the
database; any other worker (or a TUI's embedded one) waits as a hot standby.
"""

from .lease import LeaseView, current_lease
from .runner import Job, WorkerRunner

__all__ = ["Job", "LeaseView", "WorkerRunner", "current_lease"]
