"""The job runner: APScheduler jobs that run only while this process holds the lease.

Every job is idempotent and computed from stored data and "now", so a worker that
was down for a day catches up in one run, and two runs of the same job for the
same instant change nothing. APScheduler's own job store is in memory (it is not
shared between processes); the database lease decides who runs.

A job that raises is logged with its traceback and simply runs again at its next
interval: the scheduler, and the other jobs, carry on.

Right before each job the runner reads the lease and the database's clock again
(one small read). A daemon takes the lease from an app's embedded worker at its
own heartbeat, and the app would otherwise go on running jobs until its next beat;
the read shrinks that to the job already running when the lease changed hands.
Two runners for that moment are safe, as for a holder that stalls: every job is
idempotent and writes in transactions (auto-close closes a ticket once, the SLA
sweep recomputes each ticket inside its transaction, intake is unique per channel
and message, a delivery is claimed in the database before it is sent), so the
second run of the same work finds it done.

One clock. A worker whose clock disagrees with the database's by more than
``clock_tolerance_seconds`` runs no job and neither takes nor keeps the lease
(it hands it back so a standby takes over at once); its health, its log and
``regentra doctor`` say why. The offset is measured at every heartbeat and again
in the read before every job, so a clock stepped between two beats is caught
before it dates anything. Jobs then run on the local clock, which that check has
just found within the tolerance of the database's: an auto-close or an SLA breach
can come at most the tolerance early (30 s by default), never a day. (The local
clock, not the database's, because the technicians' own writes are stamped by
their processes' clocks on the same hosts: the tolerance keeps all of them
together, where correcting only the worker's would not.)
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from ..clock import Clock, describe_offset, utcnow
from ..desk import Desk
from ..desk_config import DeskConfig
from ..errors import RegentraError, SearchBusy
from ..identity import Actor
from ..jobs import TIMER_JOBS, JobReport, TimerJob
from ..search import SearchEngine
from ..store.engine import Database
from .indexer import IndexerProcess
from .lease import FAILED, acquire_or_renew, check, holder_id, release, summarise

log = logging.getLogger("regentra.worker")

CLOCK_TOLERANCE_SECONDS = 30.0
"""How far this host's clock may be from the database's before the worker stops."""


Watch = Callable[[Callable[[], None], threading.Event], None]
"""Runs in a thread of its own until the event is set, calling its first argument
whenever its job has work now (IMAP IDLE saying mail arrived)."""


def _or(given: float | None, default: float) -> float:
    return default if given is None else given


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
    clock_offset: timedelta | None = None
    """This host's clock minus the database's, at the last look."""
    refusing: str = ""
    """Why this worker runs no jobs whatever the lease (a wrong clock); "" if it may."""


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
        sla_seconds: float | None = None,
        auto_close_seconds: float | None = None,
        automation_seconds: float | None = None,
        clock: Clock = utcnow,
        clock_tolerance_seconds: float = CLOCK_TOLERANCE_SECONDS,
        label: str = "worker",
        extra_jobs: tuple[Job, ...] = (),
        indexer: IndexerProcess | None = None,
        config: DeskConfig | None = None,
    ) -> None:
        self.db = db
        self.config = config or DeskConfig()
        """The policies the timer jobs' Desk applies (a reload replaces them)."""
        self.index = index
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.clock = clock
        self.clock_tolerance = timedelta(seconds=clock_tolerance_seconds)
        self.holder = holder_id(label)
        self.health = Health()
        self._expires = 0.0
        """When the lease we last renewed runs out, on this process's monotonic clock
        (counted from before the renewal, so never later than the database's expiry)."""
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._woken: dict[str, threading.Event] = {}
        self._watchers: list[threading.Thread] = []
        self._watch_stops: dict[str, threading.Event] = {}
        """Each watch's own stop: set when the worker stops or its job is replaced."""
        # The timer jobs are jobs.TIMER_JOBS, each at its own interval unless a
        # caller (a test) names another.
        every = {
            "auto-close": auto_close_seconds,
            "sla-sweep": sla_seconds,
            "automations": automation_seconds,
        }
        self.jobs: list[Job] = [
            Job(timer.name, _or(every.get(timer.name), timer.seconds), partial(self._timer, timer))
            for timer in TIMER_JOBS
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
        self.extra_names = [job.name for job in extra_jobs]
        """The jobs given by the caller (channels, AI): what a reload replaces."""
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
            self._schedule(job)
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
        for halt in self._watch_stops.values():
            halt.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        for thread in self._watchers:
            thread.join(5)
        if self.indexer is not None:
            if self.indexer.poke in self.db.on_index_work:
                self.db.on_index_work.remove(self.indexer.poke)
            self.indexer.stop()
        if self.health.holding:
            release(self.db, self.holder)
            self.health.holding = False
        if self.index is not None:
            self.index.close()
        log.info("worker %s stopped", self.holder)

    def replace_extra_jobs(self, jobs: tuple[Job, ...], config: DeskConfig) -> None:
        """Swap the caller's jobs for ``jobs`` and the timer jobs' policies for
        ``config`` while running, keeping the lease: the daemon's reload of its
        settings. A replaced job's watch (IMAP IDLE) is stopped; a run already under
        way finishes (jobs are idempotent)."""
        with self._lock:
            self.config = config
            old = set(self.extra_names)
            for name in old:
                if self.scheduler.get_job(name) is not None:
                    self.scheduler.remove_job(name)
                self._woken.pop(name, None)
                halt = self._watch_stops.pop(name, None)
                if halt is not None:
                    halt.set()
            self.jobs = [job for job in self.jobs if job.name not in old] + list(jobs)
            self.extra_names = [job.name for job in jobs]
        for job in jobs:
            self._schedule(job)
            if job.watch is not None:
                self._start_watch(job.name, job.watch)

    def _schedule(self, job: Job) -> None:
        self.scheduler.add_job(
            self._guarded(job),
            "interval",
            seconds=job.seconds,
            id=job.name,
            next_run_time=datetime.now(UTC) + timedelta(seconds=0.2),
        )

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`stop` (from a signal handler); True if stopped."""
        return self._stopped.wait(timeout)

    # -- the lease -------------------------------------------------------------------

    @property
    def holding(self) -> bool:
        """Whether this process may run jobs right now (lease held and not expired)."""
        with self._lock:
            return self.health.holding and time.monotonic() < self._expires

    def heartbeat(self) -> None:
        """Measure the clock against the database's, then renew or take the lease
        (or hand it back if the clock is wrong)."""
        began = time.monotonic()
        summary = summarise(self.health.last_results)
        held = False
        try:
            before = self.clock()
            lease = check(self.db)
            if self._clock_agrees(before, lease.db_now):
                held = acquire_or_renew(
                    self.db, self.holder, self.lease_seconds, None, summary or None
                )
            elif lease.holder == self.holder:
                release(self.db, self.holder)
        except Exception:  # noqa: BLE001 - a locked or gone database: try next beat
            log.exception("heartbeat failed")
        with self._lock:
            if held and not self.health.holding:
                log.info("worker %s now holds the lease", self.holder)
            self.health.holding = held
            self.health.last_heartbeat = self.clock()
            if self.indexer is not None:
                self.indexer.allow(held)
            if held:
                self._expires = began + self.lease_seconds

    def _clock_agrees(self, before: datetime, db_now: datetime) -> bool:
        """Whether this process's clock (read ``before`` the database's) is within
        the tolerance; records the offset and, on a change, says so in the log."""
        after = self.clock()
        offset = before + (after - before) / 2 - db_now
        agrees = abs(offset) <= self.clock_tolerance
        why = (
            ""
            if agrees
            else f"this host's clock is {describe_offset(offset)} the database's "
            f"(tolerance {self.clock_tolerance.total_seconds():.0f} s): it runs no jobs "
            "until the clock is fixed (timedatectl; chrony)"
        )
        with self._lock:
            was = self.health.refusing
            self.health.clock_offset = offset
            self.health.refusing = why
        if why and not was:  # once, not at every beat while it lasts
            log.warning("worker %s: %s", self.holder, why)
        elif was and not why:
            log.info("worker %s: its clock agrees with the database's again", self.holder)
        return agrees

    def _may_run(self) -> bool:
        """Read the lease and the database's clock right before a job: still ours,
        not expired, and our clock still within the tolerance (module docstring)."""
        before = self.clock()
        try:
            lease = check(self.db)
        except Exception:  # noqa: BLE001 - a locked or gone database: the next beat says
            log.exception("reading the lease before a job failed")
            return False
        agrees = self._clock_agrees(before, lease.db_now)
        if agrees and lease.held_by(self.holder):
            return True
        with self._lock:
            if self.health.holding:
                log.info(
                    "worker %s no longer holds the lease (%s); it runs no more jobs",
                    self.holder,
                    f"now {lease.holder}" if lease.holder != self.holder else "clock",
                )
            self.health.holding = False
            self._expires = 0.0
            if self.indexer is not None:
                self.indexer.allow(False)
        if not agrees and lease.held_by(self.holder):
            release(self.db, self.holder)
        return False

    # -- jobs ------------------------------------------------------------------------

    def _start_watch(self, name: str, watch: Watch) -> None:
        woken = self._woken[name] = threading.Event()
        halt = self._watch_stops[name] = threading.Event()

        def wake() -> None:
            woken.set()
            if self.scheduler.running and not halt.is_set():
                with contextlib.suppress(JobLookupError):  # replaced meanwhile
                    self.scheduler.modify_job(name, next_run_time=datetime.now(UTC))

        def run() -> None:
            try:
                watch(wake, halt)
            except Exception:  # noqa: BLE001 - the timer still runs the job
                log.exception("watching for %s failed; it runs on its timer", name)

        thread = threading.Thread(target=run, name=f"watch-{name}", daemon=True)
        self._watchers.append(thread)
        thread.start()

    def _guarded(self, job: Job) -> Callable[[], None]:
        def run() -> None:
            woken = self._woken.get(job.name)
            while True:
                if not self.holding or not self._may_run():
                    return
                if woken is not None:
                    woken.clear()
                try:
                    result = job.run()
                except Exception as exc:  # noqa: BLE001 - logged; runs again next interval
                    if isinstance(exc, RegentraError):
                        # Said in the user's words (a mail server out of reach): one
                        # line a run, not a traceback every minute in the log.
                        log.warning(
                            "job %s failed: %s (trying again in %g s)", job.name, exc, job.seconds
                        )
                    else:
                        log.exception("job %s failed", job.name)
                    self.health.failures[job.name] = self.health.failures.get(job.name, 0) + 1
                    self.health.last_results[job.name] = f"{FAILED}{exc}"
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
        return Desk(
            self.db, Actor.system("worker"), source="worker", clock=self.clock, config=self.config
        )

    def _timer(self, timer: TimerJob) -> str:
        now = self.clock()
        return timer.run(self._desk(), now, JobReport(at=now), self._stopped.is_set)

    def _index(self) -> str:
        assert self.index is not None
        try:
            drained = self.index.drain()
        except SearchBusy:
            return "index busy"
        return f"indexed {drained}" if drained else "index up to date"
