"""Timer jobs, each a pure function of the stored data and "now": the one list.

``regentra worker --once`` runs them all (:func:`run_due_jobs`); the APScheduler
worker (``worker.runner``) runs each on its own interval. Both read
:data:`TIMER_JOBS`, so a new timer job is added here once and both run it.
Running a job twice for the same "now" changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .desk import Desk, PeriodicReport, SweepReport
from .desk.sla_marking import Halted, never
from .desk_config import DeskConfig
from .identity import Actor
from .store.engine import Database


@dataclass(slots=True)
class JobReport:
    """What one pass of the due jobs did."""

    at: datetime
    auto_closed: list[int] = field(default_factory=list)
    sla: SweepReport = field(default_factory=SweepReport)
    automations: PeriodicReport = field(default_factory=PeriodicReport)


@dataclass(frozen=True, slots=True)
class TimerJob:
    """One timer job: its name (the health report's), how often the worker runs it,
    and what it does: its result goes into the report, its one line is returned."""

    name: str
    seconds: float
    run: Callable[[Desk, datetime, JobReport, Halted], str]
    """Its work; long work asks the ``Halted`` between chunks and stops when told."""


def _auto_close(desk: Desk, now: datetime, report: JobReport, _halted: Halted) -> str:
    report.auto_closed = desk.run_auto_close(now)
    return f"closed {len(report.auto_closed)}"


def _sla_sweep(desk: Desk, now: datetime, report: JobReport, halted: Halted) -> str:
    report.sla = desk.run_sla_sweep(now, halted=halted)
    return f"{len(report.sla.changed)} badge change(s)"


def _automations(desk: Desk, now: datetime, report: JobReport, _halted: Halted) -> str:
    rules = report.automations = desk.run_periodic_automations(now)
    if not rules.rules:
        return "no periodic rules"
    acted = sum(len(numbers) for numbers in rules.matched.values())
    return f"{rules.rules} periodic rule(s) on {rules.checked} tickets: {acted} acted"


TIMER_JOBS: tuple[TimerJob, ...] = (
    TimerJob("auto-close", 60.0, _auto_close),
    TimerJob("sla-sweep", 60.0, _sla_sweep),
    TimerJob("automations", 300.0, _automations),
)
"""Every timer job, in the order a pass runs them: auto-close first, so that a
ticket closing in this pass gets its final (Met or Breached) badge in the same
pass; periodic rules last, so they see both."""


def run_due_jobs(
    db: Database, now: datetime, config: DeskConfig | None = None, halted: Halted = never
) -> JobReport:
    """Run every timer job as of ``now``: auto-close, the SLA sweep, periodic rules
    (whose notifications are mail from the desk ``config`` names)."""
    desk = Desk(db, Actor.system("worker"), source="worker", clock=lambda: now, config=config)
    report = JobReport(at=now)
    for job in TIMER_JOBS:
        job.run(desk, now, report, halted)
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
