"""The job runner: APScheduler jobs that run only while this process holds the lease.

Every job is idempotent and computed from stored data and "now", so a worker that
was down for a day catches up in one run, and two runs of the same job for the
same instant change nothing. APScheduler's own job store is in memory (it is not
shared between processes); the database lease decides who runs.

A job that raises is logged with its traceback and simply runs again at its next
interval: the scheduler, and the other jobs, carry on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from ..clock import Clock, utcnow
from ..desk import Desk
from ..identity import Actor
from ..search import SearchEngine
from ..search.engine import SearchBusy
from ..store.engine import Database
from .indexer import IndexerProcess
from .lease import acquire_or_renew, holder_id, release

log = logging.getLogger("regentra.worker")

SLA_SWEEP_SECONDS = 60.0
AUTO_CLOSE_SECONDS = 60.0
AUTOMATION_SECONDS = 300.0
"""How often ``periodic`` automation rules look at the open tickets."""


Watch = Callable[[Callable[[], None], threading.Event], None]
"""Runs in a thread of its own until the event is set, calling its first argument
whenever its job has work now (IMAP IDLE saying mail arrived)."""


@dataclass(frozen=True, slots=True)
class Job:
    """A named function run every ``seconds`` while the lease is held."""

    name: str
    seconds: float
    run: Callable[[], str]
    """Returns a one-line result for the health report."""
    watch: Watch | None = None
    """Wakes the job before its timer; the timer stays as the fallback."""


@dataclass
class Health:
    """What the status line and ``regentra worker`` report."""

    holding: bool = False
    last_heartbeat: datetime | None = None
    last_results: dict[str, str] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)


class WorkerRunner:
    """Runs the desk's jobs on a schedule, as the single lease holder."""

    def __init__(
        self,
        db: Database,
        *,
        index: SearchEngine | None = None,
        lease_seconds: float = 15.0,
        heartbeat_seconds: float = 5.0,
        index_seconds: float = 1.0,
        sla_seconds: float = SLA_SWEEP_SECONDS,
        auto_close_seconds: float = AUTO_CLOSE_SECONDS,
        automation_seconds: float = AUTOMATION_SECONDS,
        clock: Clock = utcnow,
        label: str = "worker",
        extra_jobs: tuple[Job, ...] = (),
        indexer: IndexerProcess | None = None,
    ) -> None:
        self.db = db
        self.index = index
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.clock = clock
        self.holder = holder_id(label)
        self.health = Health()
        self._expires = datetime.min.replace(tzinfo=UTC)
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._woken: dict[str, threading.Event] = {}
        self._watchers: list[threading.Thread] = []
        self.jobs: list[Job] = [
            Job("auto-close", auto_close_seconds, self._auto_close),
            Job("sla-sweep", sla_seconds, self._sla_sweep),
            Job("automations", automation_seconds, self._automations),
        ]
        self.indexer = indexer
        """Indexing in a child process (the daemon's and an app's); without one, in a
        thread (tests)."""
        if indexer is not None:
            self.jobs.append(Job("search-index", index_seconds, indexer.supervise))
            db.on_index_work.append(indexer.poke)
        elif index is not None:
            self.jobs.append(Job("search-index", index_seconds, self._index))
        self.jobs.extend(extra_jobs)
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler thread: heartbeat now, jobs once the lease is ours."""
        now = datetime.now(UTC)
        self.scheduler.add_job(
            self.heartbeat,
            "interval",
            seconds=self.heartbeat_seconds,
            id="heartbeat",
            next_run_time=now,
        )
        for job in self.jobs:
            self.scheduler.add_job(
                self._guarded(job),
                "interval",
                seconds=job.seconds,
                id=job.name,
                next_run_time=now + timedelta(seconds=0.2),
            )
        # The indexer process starts with the first "search-index" run, i.e. once
        # this process holds the lease: an app on standby never starts one.
        self.scheduler.start()
        for job in self.jobs:
            if job.watch is not None:
                self._start_watch(job.name, job.watch)
        log.info("worker %s started (standby until it holds the lease)", self.holder)

    def stop(self) -> None:
        """Stop the jobs, wait for a running one, and hand the lease back."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        for thread in self._watchers:
            thread.join(5)
        if self.indexer is not None:
            if self.indexer.poke in self.db.on_index_work:
                self.db.on_index_work.remove(self.indexer.poke)
            self.indexer.stop()
        if self.health.holding:
            release(self.db, self.holder, self.clock())
            self.health.holding = False
        if self.index is not None:
            self.index.close()
        log.info("worker %s stopped", self.holder)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`stop` (from a signal handler); True if stopped."""
        return self._stopped.wait(timeout)

    # -- the lease -------------------------------------------------------------------

    @property
    def holding(self) -> bool:
        """Whether this process may run jobs right now (lease held and not expired)."""
        with self._lock:
            return self.health.holding and self.clock() < self._expires

    def heartbeat(self) -> None:
        now = self.clock()
        summary = "; ".join(f"{k}: {v}" for k, v in sorted(self.health.last_results.items()))
        try:
            held = acquire_or_renew(self.db, self.holder, self.lease_seconds, now, summary or None)
        except Exception:  # noqa: BLE001 - a locked or gone database: try next beat
            log.exception("heartbeat failed")
            held = False
        with self._lock:
            if held and not self.health.holding:
                log.info("worker %s now holds the lease", self.holder)
            self.health.holding = held
            self.health.last_heartbeat = now
            if self.indexer is not None:
                self.indexer.allow(held)
            if held:
                self._expires = now + timedelta(seconds=self.lease_seconds)

    # -- jobs ------------------------------------------------------------------------

    def _start_watch(self, name: str, watch: Watch) -> None:
        woken = self._woken[name] = threading.Event()

        def wake() -> None:
            woken.set()
            if self.scheduler.running and not self._stopped.is_set():
                self.scheduler.modify_job(name, next_run_time=datetime.now(UTC))

        def run() -> None:
            try:
                watch(wake, self._stopped)
            except Exception:  # noqa: BLE001 - the timer still runs the job
                log.exception("watching for %s failed; it runs on its timer", name)

        thread = threading.Thread(target=run, name=f"watch-{name}", daemon=True)
        self._watchers.append(thread)
        thread.start()

    def _guarded(self, job: Job) -> Callable[[], None]:
        def run() -> None:
            if not self.holding:
                return
            woken = self._woken.get(job.name)
            while True:
                if woken is not None:
                    woken.clear()
                try:
                    result = job.run()
                except Exception as exc:  # noqa: BLE001 - logged; runs again next interval
                    log.exception("job %s failed", job.name)
                    self.health.failures[job.name] = self.health.failures.get(job.name, 0) + 1
                    self.health.last_results[job.name] = f"failed: {exc}"
                    return
                self.health.last_results[job.name] = result
                # Woken while running (more mail came in): the wake-up that would
                # have started it was skipped because it was running, so run again.
                if woken is None or not woken.is_set() or self._stopped.is_set():
                    return

        run.__name__ = run.__qualname__ = job.name
        return run

    def run_job(self, name: str) -> str:
        """Run one job now (tests, ``--once``); the lease is not consulted."""
        job = next(j for j in self.jobs if j.name == name)
        return job.run()

    def _desk(self) -> Desk:
        return Desk(self.db, Actor.system("worker"), source="worker", clock=self.clock)

    def _auto_close(self) -> str:
        closed = self._desk().run_auto_close(self.clock())
        return f"closed {len(closed)}"

    def _sla_sweep(self) -> str:
        report = self._desk().run_sla_sweep(self.clock())
        return f"{len(report.changed)} badge change(s)"

    def _automations(self) -> str:
        report = self._desk().run_periodic_automations(self.clock())
        if not report.rules:
            return "no periodic rules"
        acted = sum(len(numbers) for numbers in report.matched.values())
        return f"{report.rules} periodic rule(s) on {report.checked} tickets: {acted} acted"

    def _index(self) -> str:
        assert self.index is not None
        try:
            drained = self.index.drain()
        except SearchBusy:
            return "index busy"
        return f"indexed {drained}" if drained else "index up to date"
