"""The background worker: timers, the search outbox and (later) mail/SMS polling.

Exactly one process runs the jobs at a time, chosen by a lease row in the
database; any other worker (or a TUI's embedded one) waits as a hot standby.
The runner (APScheduler) is imported when first asked for: an app reads the lease
from its first second but starts its embedded worker only once the board is up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .lease import LeaseView, current_lease
    from .runner import Job, WorkerRunner

_WHERE = {
    "Job": ".runner",
    "WorkerRunner": ".runner",
    "LeaseView": ".lease",
    "current_lease": ".lease",
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


__all__ = ["Job", "LeaseView", "WorkerRunner", "current_lease"]
