"""The worker: one lease holder, jobs that survive failures, catch-up, fresh search."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import pytest

from regentra_core import queries
from regentra_core.enums import Status
from regentra_core.search import SearchIndex
from regentra_core.worker import Job, WorkerRunner, current_lease
from regentra_core.worker.lease import acquire_or_renew, release
from tests.conftest import T0
from tests.helpers.waiting import wait_for


def test_lease_has_one_holder_until_it_expires(db):
    assert acquire_or_renew(db, "a", 10, T0)
    assert not acquire_or_renew(db, "b", 10, T0 + timedelta(seconds=5))
    assert acquire_or_renew(db, "a", 10, T0 + timedelta(seconds=9))  # renewed
    assert not acquire_or_renew(db, "b", 10, T0 + timedelta(seconds=18))
    assert acquire_or_renew(db, "b", 10, T0 + timedelta(seconds=20))  # a stopped beating
    assert current_lease(db).holder == "b"
    kinds = [e.kind for e in _lease_events(db)]
    assert kinds == ["worker_lease_acquired", "worker_lease_taken_over"]


def test_a_lease_set_by_a_clock_running_ahead_is_stale(db):
    """A holder whose clock ran a day ahead left a lease expiring tomorrow: not believed."""
    assert acquire_or_renew(db, "ahead", 15, T0 + timedelta(days=1))
    assert acquire_or_renew(db, "b", 15, T0)  # taken over now, not tomorrow
    assert current_lease(db).holder == "b"
    taken = _lease_events(db)[-1]
    assert taken.kind == "worker_lease_taken_over" and "clock" in (taken.detail or "")


def test_a_lease_within_its_length_is_respected_despite_small_clock_differences(db):
    assert acquire_or_renew(db, "a", 15, T0 + timedelta(seconds=1))
    assert not acquire_or_renew(db, "b", 15, T0)


def test_clean_release_lets_a_standby_take_over_at_once(db):
    acquire_or_renew(db, "a", 60, T0)
    release(db, "a", T0 + timedelta(seconds=1))
    assert acquire_or_renew(db, "b", 60, T0 + timedelta(seconds=1))


def _lease_events(db):
    from sqlmodel import col, select

    from regentra_core.store.models import Event

    with db.read() as s:
        return s.exec(
            select(Event).where(col(Event.kind).startswith("worker_lease")).order_by(Event.id)
        ).all()


def _runner(db, label, **kw) -> WorkerRunner:
    defaults = dict(
        lease_seconds=1.0,
        heartbeat_seconds=0.2,
        sla_seconds=3600,
        auto_close_seconds=3600,
        label=label,
    )
    defaults.update(kw)
    return WorkerRunner(db, **defaults)


def test_two_workers_never_run_the_same_job_at_the_same_time(db):
    runs: list[tuple[str, float, float]] = []
    lock = threading.Lock()

    def recorder(name: str):
        def run() -> str:
            start = time.monotonic()
            time.sleep(0.05)
            with lock:
                runs.append((name, start, time.monotonic()))
            return "ok"

        return run

    a = _runner(db, "a", extra_jobs=(Job("probe", 0.1, recorder("a")),))
    b = _runner(db, "b", extra_jobs=(Job("probe", 0.1, recorder("b")),))
    a.start()
    assert wait_for(lambda: runs, 20)
    beats: set[object] = set()  # b's heartbeats, each dated afresh

    def b_beat_while_a_ran() -> bool:
        beats.add(b.health.last_heartbeat)
        return len(beats - {None}) >= 3 and [name for name, _, _ in runs].count("a") >= ran + 3

    ran = len(runs)
    b.start()
    # Both scheduled side by side for a while: b has beaten (and asked for the lease)
    # three times while a went on running probes.
    assert wait_for(b_beat_while_a_ran, 20, every=0.02), (beats, runs)
    # "Kill" a: its scheduler stops without releasing the lease.
    a.scheduler.shutdown(wait=True)
    try:
        assert wait_for(lambda: [name for name, _, _ in runs].count("b") >= 3, 20)
    finally:
        b.stop()
    holders = [name for name, _, _ in runs]
    assert holders[0] == "a" and holders[-1] == "b"
    assert "a" not in holders[holders.index("b") :]
    ordered = sorted(runs, key=lambda r: r[1])
    for (_, _, end), (_, start, _) in zip(ordered, ordered[1:], strict=False):
        assert start >= end - 0.001, "two probe runs overlapped"


def test_a_job_that_raises_does_not_stop_the_others(db, tmp_path):
    from regentra_core.worker.logs import configure_worker_logging

    log_file = configure_worker_logging(tmp_path, also_stderr=False)
    ran = []

    def boom() -> str:
        raise RuntimeError("mail server on fire")

    def fine() -> str:
        ran.append(1)
        return "ok"

    runner = _runner(db, "w", extra_jobs=(Job("boom", 0.1, boom), Job("fine", 0.1, fine)))
    runner.start()
    try:
        # Wait on what happened, not on the clock: a loaded CI host may run fewer beats.
        assert wait_for(lambda: runner.health.failures.get("boom", 0) >= 2 and len(ran) >= 3, 20)
    finally:
        runner.stop()
    assert "mail server on fire" in runner.health.last_results["boom"]
    from regentra_core.worker.logs import close_worker_logging

    close_worker_logging()
    logged = log_file.read_text()
    assert "job boom failed" in logged and "Traceback" in logged
    assert "RuntimeError: mail server on fire" in logged


def test_a_job_failing_in_the_users_words_logs_one_line_not_a_traceback(db, tmp_path):
    """A mail server out of reach is an ordinary day: the daemon's log says so in one
    line a run (as the IMAP watch does), not forty lines of traceback each minute."""
    from regentra_core.errors import MailboxError
    from regentra_core.worker.logs import close_worker_logging, configure_worker_logging

    log_file = configure_worker_logging(tmp_path, also_stderr=False)

    def unreachable() -> str:
        raise MailboxError("cannot read INBOX on imap.msp.example: Name or service not known")

    runner = _runner(db, "w", extra_jobs=(Job("poll-mail", 0.1, unreachable),))
    runner.start()
    try:
        assert wait_for(lambda: runner.health.failures.get("poll-mail", 0) >= 2, 20)
    finally:
        runner.stop()
    close_worker_logging()
    logged = log_file.read_text()
    assert "job poll-mail failed: cannot read INBOX on imap.msp.example" in logged
    assert "trying again in 0.1 s" in logged
    assert "Traceback" not in logged


def test_a_job_longer_than_its_interval_does_not_flood_the_log(db, tmp_path):
    from regentra_core.worker.logs import close_worker_logging, configure_worker_logging

    log_file = configure_worker_logging(tmp_path, also_stderr=False)

    def slow() -> str:
        time.sleep(0.8)
        return "done"

    runner = _runner(db, "w", extra_jobs=(Job("slow", 0.1, slow),))
    skipped = _Records("apscheduler", "maximum number of running instances reached")
    runner.start()
    try:
        assert wait_for(lambda: runner.health.last_results.get("slow") == "done", 20)
        # The scheduler came round while it ran and APScheduler said so, three times:
        # each of those would have been a line in the log.
        assert wait_for(lambda: len(skipped) >= 3, 20, every=0.02), len(skipped)
    finally:
        runner.stop()
        skipped.close()
    close_worker_logging()
    logged = log_file.read_text()
    assert "maximum number of running instances" not in logged
    assert "started (standby until it holds the lease)" in logged  # the runner's own log


class _Records(logging.Handler):
    """Counts the records of ``logger`` whose message contains ``words``, whatever
    the worker's own log handler lets through."""

    def __init__(self, logger: str, words: str) -> None:
        super().__init__(logging.DEBUG)
        self.words = words
        self.count = 0
        self.logger = logging.getLogger(logger)
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        if self.words in record.getMessage():
            self.count += 1

    def __len__(self) -> int:
        return self.count

    def close(self) -> None:
        self.logger.removeHandler(self)
        super().close()


def test_auto_close_catches_up_after_a_day_of_downtime_once(db, desk, new_ticket, clock):
    tickets = [new_ticket() for _ in range(3)]
    for t in tickets:
        desk.change_status(t.number, Status.RESOLVED)
    resolved_at = clock.now
    later = resolved_at + timedelta(days=1, hours=6)
    runner = _runner(db, "w", clock=lambda: later)
    assert runner.run_job("auto-close") == "closed 3"
    assert runner.run_job("auto-close") == "closed 0"
    for t in tickets:
        row = queries.get_ticket(db, t.number)
        assert row.status == Status.CLOSED and row.closed_at == resolved_at + timedelta(hours=24)


def test_a_write_is_searchable_once_the_index_job_has_drained_it(db, desk, new_ticket, tmp_path):
    """The worker's index job, not a rebuild or a search, makes a new ticket findable:
    once the job's next run has emptied the outbox the write filled, it is found."""
    index = SearchIndex(tmp_path / "idx", db)
    index.rebuild()
    runner = _runner(db, "w", index=index, index_seconds=0.2)
    runner.start()
    try:
        assert wait_for(lambda: "search-index" in runner.health.last_results, 20)  # it runs
        t = new_ticket(subject="Hyperdrive motivator offline")
        assert wait_for(lambda: index.pending() == 0, 20, every=0.05), index.pending()
        assert [h.number for h in index.search("hyperdrive")] == [t.number]
    finally:
        runner.stop()
        index.close()


def _searchable(index: SearchIndex, word: str, number: int, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if [h.number for h in index.search(word)] == [number]:
            return
        time.sleep(0.1)
    pytest.fail(f"#{number} was not searchable for {word!r} within {within} s")


def _daemon(db, tmp_path, interval: float):
    """A daemon's runner with its indexer process (not started), on a fresh index."""
    import os

    from regentra_core.worker.indexer import IndexerProcess, IndexerSpec

    index = SearchIndex(tmp_path / "idx", db)
    index.rebuild()
    spec = IndexerSpec(db.url, str(index.path), interval=interval, procs=1, parent_pid=os.getpid())
    indexer = IndexerProcess(spec)
    runner = _runner(db, "daemon", index=index, index_seconds=0.2, indexer=indexer)
    return index, indexer, runner


def test_the_daemon_indexes_in_a_process_of_its_own_and_restarts_it(db, desk, new_ticket, tmp_path):
    import os
    import signal

    index, indexer, runner = _daemon(db, tmp_path, interval=0.2)
    runner.start()
    try:
        t = new_ticket(subject="Hyperdrive motivator offline")
        _searchable(index, "hyperdrive", t.number)
        first = indexer.pid
        assert first is not None and first != os.getpid()
        os.kill(first, signal.SIGKILL)
        u = new_ticket(subject="Flux capacitor leaking")
        _searchable(index, "flux", u.number)  # a new child took over
        assert indexer.pid != first and indexer.restarts == 1
    finally:
        runner.stop()
        index.close()
    assert indexer.pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(indexer.pid, 0)  # stopped with the daemon


def test_the_daemons_own_writes_wake_its_indexer_before_its_timer(db, desk, new_ticket, tmp_path):
    """Mail stored by the daemon is searchable at once, not at the indexer's next look."""
    index, indexer, runner = _daemon(db, tmp_path, interval=60)
    runner.start()
    try:
        looked = lambda: runner.health.last_results.get("search-index") == "index up to date"  # noqa: E731
        assert wait_for(looked, 30, every=0.05), runner.health.last_results
        # The child has looked once and found nothing: its next look is a minute off.
        t = new_ticket(subject="Tachyon emitter drifting")
        _searchable(index, "tachyon", t.number, within=15)
    finally:
        runner.stop()
        index.close()
    assert indexer.poke not in db.on_index_work


def test_the_indexer_child_stops_when_its_daemon_is_gone(db, tmp_path):
    """A daemon killed with -9 cannot stop its child; the child notices and exits."""
    import multiprocessing

    from regentra_core.worker.indexer import Flags, IndexerSpec, run_indexer

    index = SearchIndex(tmp_path / "idx", db)
    index.rebuild()
    context = multiprocessing.get_context("spawn")
    flags = Flags(*(context.Value("b", value, lock=False) for value in (1, 0, 0)))
    spec = IndexerSpec(db.url, str(index.path), interval=0.1, procs=1, parent_pid=1)
    results = context.Queue()  # kept referenced until the child has read its arguments
    child = context.Process(target=run_indexer, args=(spec, flags, results))
    child.start()
    child.join(30)
    assert child.exitcode == 0  # its "parent" (pid 1) is not the process that started it
    index.close()


def test_a_watch_runs_its_job_at_once_and_again_if_woken_while_it_runs(db):
    """IMAP IDLE wakes the mail poll; mail that lands during a poll gets a poll of its own."""
    runs: list[float] = []
    armed, running, release = threading.Event(), threading.Event(), threading.Event()
    wakes: list = []

    def job() -> str:
        runs.append(time.monotonic())
        if armed.is_set() and not running.is_set():  # this run is slow
            running.set()
            release.wait(10)
        return "ok"

    def watch(wake, stop) -> None:
        wakes.append(wake)
        stop.wait()

    runner = _runner(db, "daemon", extra_jobs=(Job("poll", 3600, job, watch=watch),))
    runner.start()
    try:
        assert wait_for(lambda: runs and wakes, 10, every=0.02)  # the timer's first run only
        armed.set()
        wakes[0]()
        assert running.wait(10)  # woken at once, not in an hour
        woken_during_run = time.monotonic()
        wakes[0]()  # the scheduler skips this wake-up (the job is running) ...
        release.set()
        assert wait_for(lambda: runs[-1] > woken_during_run, 10, every=0.02)  # ... so it reruns
    finally:
        release.set()
        runner.stop()


def test_the_indexer_process_starts_inside_the_app_where_stderr_has_no_file(db, tmp_path):
    """Textual replaces ``sys.stderr`` with a capture whose ``fileno()`` is -1; the
    first spawn (which starts multiprocessing's resource tracker) then failed with
    "bad value(s) in fds_to_keep" and the app's embedded worker never indexed. Run
    in a fresh interpreter: this one's tracker may already be running."""
    import subprocess
    import sys

    index = SearchIndex(tmp_path / "idx", db)
    index.rebuild()
    index.close()
    script = f"""
import os, sys, time
class Capture:  # as Textual's stderr capture inside a running app
    def write(self, text): return len(text)
    def flush(self): pass
    def fileno(self): return -1
sys.stderr = Capture()
from regentra_core.worker.indexer import IndexerProcess, IndexerSpec
indexer = IndexerProcess(IndexerSpec({db.url!r}, {str(tmp_path / "idx")!r}, 0.1, 1, os.getpid()))
try:
    indexer.supervise()
    indexer.allow(True)
    deadline = time.monotonic() + 30
    while (said := indexer.supervise()) == "starting" and time.monotonic() < deadline:
        time.sleep(0.1)
    print(said)
finally:
    indexer.stop()
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in ("index up to date", "indexed 0"), done.stdout
