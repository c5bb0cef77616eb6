"""Timer jobs, each a pure function of the stored data and "now".

``regentra worker --once`` runs them; the APScheduler worker runs them on a
schedule. Running a job twice for the same "now" changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .desk import Desk
from .identity import Actor
from .store.engine import Database


@dataclass(slots=True)
class JobReport:
    """What one pass of the due jobs did."""

    at: datetime
    auto_closed: list[int] = field(default_factory=list)


def run_due_jobs(db: Database, now: datetime) -> JobReport:
    """Run every timer job as of ``now``."""
    desk = Desk(db, Actor.system("worker"), source="worker", clock=lambda: now)
    report = JobReport(at=now)
    report.auto_closed = desk.run_auto_close(now)
    return report
