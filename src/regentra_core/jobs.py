"""Timer jobs, each a pure function of the stored data and "now".

``regentra worker --once`` runs them; the APScheduler worker runs them on a
schedule. Running a job twice for the same "now" changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .desk import Desk, PeriodicReport, SweepReport
from .identity import Actor
from .store.engine import Database


@dataclass(slots=True)
class JobReport:
    """What one pass of the due jobs did."""

    at: datetime
    auto_closed: list[int] = field(default_factory=list)
    sla: SweepReport = field(default_factory=SweepReport)
    automations: PeriodicReport = field(default_factory=PeriodicReport)


def run_due_jobs(db: Database, now: datetime) -> JobReport:
    """Run every timer job as of ``now``: auto-close, the SLA sweep, periodic rules.

    Auto-close runs first so that a ticket closing in this pass gets its final
    (Met or Breached) badge in the same pass; periodic rules last, so they see both.
    """
    desk = Desk(db, Actor.system("worker"), source="worker", clock=lambda: now)
    report = JobReport(at=now)
    report.auto_closed = desk.run_auto_close(now)
    report.sla = desk.run_sla_sweep(now)
    report.automations = desk.run_periodic_automations(now)
    return report


def record_once(db: Database, report: JobReport, indexed: int, channels: dict[str, str]) -> None:
    """Leave the trace of a ``worker --once`` run that ``doctor`` reads (an Event: it
    takes no lease, which would keep the jobs from a live daemon)."""
    parts = [
        f"auto-closed {len(report.auto_closed)}",
        f"{len(report.sla.changed)} SLA change(s)",
        f"{indexed} indexed",
        *(f"{name}: {result}" for name, result in channels.items()),
    ]
    Desk(db, Actor.system("worker"), source="worker").record_worker_once("; ".join(parts))
