"""The timer jobs are one list (jobs.TIMER_JOBS): the scheduler and --once run it."""

from __future__ import annotations

from datetime import timedelta

from regentra_core.enums import Status
from regentra_core.jobs import TIMER_JOBS, run_due_jobs
from regentra_core.worker import WorkerRunner


def test_the_scheduler_runs_every_timer_job_of_the_one_list(db):
    runner = WorkerRunner(db, label="w")
    names = [job.name for job in runner.jobs]
    assert names[: len(TIMER_JOBS)] == [job.name for job in TIMER_JOBS]
    assert [job.seconds for job in runner.jobs[: len(TIMER_JOBS)]] == [
        job.seconds for job in TIMER_JOBS
    ]


def test_a_test_may_slow_one_timer_job_without_dropping_the_others(db):
    runner = WorkerRunner(db, label="w", sla_seconds=3600)
    seconds = {job.name: job.seconds for job in runner.jobs}
    assert seconds["sla-sweep"] == 3600
    assert seconds["auto-close"] == 60.0 and seconds["automations"] == 300.0


def test_once_and_the_scheduler_close_the_same_tickets(db, desk, new_ticket, clock):
    first, second = new_ticket(), new_ticket()
    desk.change_status(first.number, Status.RESOLVED)
    desk.change_status(second.number, Status.RESOLVED)
    later = clock.now + timedelta(days=2)
    runner = WorkerRunner(db, label="w", clock=lambda: later)
    report = run_due_jobs(db, later)
    assert sorted(report.auto_closed) == sorted([first.number, second.number])
    assert runner.run_job("auto-close") == "closed 0"  # the same job: nothing left
