"""The daemon's indexer: the search outbox drained in a process of its own.

Storing a burst of mail and indexing it are both pure Python; as two threads of
one process they take turns for the interpreter lock, so the daemon stored and
indexed 1,000 messages more slowly than the two commands run one after the other.
In a child process the indexer has a core to itself while intake carries on.

The child indexes only while the daemon holds the lease (an Event the heartbeat
sets), reports each result on a queue, and is restarted by the daemon if it dies.
It is started with ``spawn``, never ``fork``: the daemon has threads (scheduler,
jobs), and a forked copy of a process with threads can inherit a held lock.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..search.engine import SearchIndex

log = logging.getLogger("regentra.worker")

STOP_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class IndexerSpec:
    """What the child needs to open the same desk (plain values: it is pickled)."""

    database_url: str
    index_path: str
    interval: float
    procs: int
    parent_pid: int
    """The daemon: if it is gone (killed with -9), the child stops too."""
    engine: str = "whoosh"
    """The ``search_engine`` setting."""


def run_indexer(spec: IndexerSpec, flags: Flags, results: Queue[str]) -> None:
    """The child's loop: drain while allowed, again at once while there is more."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ctrl-c is the daemon's to handle
    # Results go back through the queue; a stray warning written to the terminal
    # would land in the middle of a technician's screen (the app has one of these).
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    from ..errors import SearchBusy
    from ..search import open_engine
    from ..search.engine import SearchIndex
    from ..store.engine import Database

    db = Database(spec.database_url)
    index = open_engine(spec.engine, db, Path(spec.index_path), procs=spec.procs)
    settled: queue.SimpleQueue[list[int] | None] = queue.SimpleQueue()
    drain: Callable[[], int] = index.drain
    settler: threading.Thread | None = None
    if isinstance(index, SearchIndex):
        # Whoosh deletes the outbox rows in another thread while the next batch is
        # indexed (PostgreSQL deletes them in the drain's own transaction).
        drain = partial(index.drain, settle=settled.put)
        settler = threading.Thread(
            target=_settle, args=(index, settled, results), name="outbox-delete", daemon=True
        )
        settler.start()
    try:
        while not flags.stop.value and os.getppid() == spec.parent_pid:
            drained = 0
            if flags.may_run.value:
                try:
                    drained = drain()
                    results.put(f"indexed {drained}" if drained else "index up to date")
                except SearchBusy:
                    results.put("index busy")
                except Exception as exc:  # noqa: BLE001 - reported; tried again next time
                    results.put(f"failed: {type(exc).__name__}: {exc}")
            if not drained:
                _nap(spec.interval, flags)
            flags.wake.value = 0
    finally:
        if settler is not None:
            settled.put(None)
            settler.join(STOP_SECONDS)
        index.close()
        db.close()


def _settle(
    index: SearchIndex, settled: queue.SimpleQueue[list[int] | None], results: Queue[str]
) -> None:
    """Delete the outbox rows the index committed, while the next batch is indexed."""
    while (outbox_ids := settled.get()) is not None:
        try:
            index.forget(outbox_ids)
        except Exception as exc:  # noqa: BLE001 - the rows are indexed again; harmless
            results.put(f"failed: {type(exc).__name__}: {exc}")


def _nap(seconds: float, flags: Flags) -> None:
    """Until the next look at the outbox: the timer, or sooner if poked."""
    deadline = time.monotonic() + seconds
    while not flags.stop.value and not flags.wake.value and time.monotonic() < deadline:
        time.sleep(min(0.02, seconds))


def _resource_tracker_running() -> None:
    """Start multiprocessing's resource tracker where it can start.

    The first ``spawn`` starts the tracker and hands it ``sys.stderr.fileno()``.
    Inside the app, Textual's stderr capture answers -1 and the spawn failed with
    "bad value(s) in fds_to_keep": the app's embedded worker never indexed, and
    searches matched subjects only. With no real stderr the tracker gets
    /dev/null (a warning it prints must not land on a technician's screen).
    """
    from multiprocessing import resource_tracker

    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        resource_tracker.ensure_running()
        return
    with open(os.devnull, "w") as devnull:
        saved, sys.stderr = sys.stderr, devnull
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved


@dataclass(frozen=True, slots=True)
class Flags:
    """Three bytes shared with the child, read without locks.

    Not ``multiprocessing.Event``: setting one waits for every process that ever
    waited on it to wake, and a child killed with -9 never does (the daemon hung).
    """

    may_run: Any
    stop: Any
    wake: Any
    """Set by :meth:`IndexerProcess.poke`: the outbox has work now."""


class IndexerProcess:
    """Starts, watches and stops the child; :meth:`supervise` is the daemon's job."""

    def __init__(self, spec: IndexerSpec) -> None:
        self.spec = spec
        self._context = multiprocessing.get_context("spawn")
        self._flags = Flags(*(self._context.Value("b", 0, lock=False) for _ in range(3)))
        self._results: Queue[str] | None = None
        self._process: BaseProcess | None = None
        self._last = "starting"
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        _resource_tracker_running()
        # A fresh queue for each child: one killed in the middle of a put keeps
        # the old queue's lock forever.
        self._results = self._context.Queue()
        self._process = self._context.Process(
            target=run_indexer,
            args=(self.spec, self._flags, self._results),
            name="regentra-indexer",
            # Not a multiprocessing "daemon": those may not start processes, and a
            # large batch is analysed by Whoosh's own child processes. The child
            # stops with the daemon instead (stop(), or its parent pid changing).
            daemon=False,
        )
        self._process.start()

    def allow(self, holding: bool) -> None:
        """The child indexes only while the daemon holds the lease."""
        self._flags.may_run.value = 1 if holding else 0

    def poke(self) -> None:
        """Index now: this process just committed work for the index."""
        self._flags.wake.value = 1

    def supervise(self) -> str:
        """Restart the child if it died; what it did since the last call."""
        if self._process is None or not self._process.is_alive():
            if self._process is not None:
                code = self._process.exitcode
                log.error("search indexer process exited (%s); starting it again", code)
                self.restarts += 1
            self.start()
        assert self._results is not None
        indexed = 0
        while True:
            try:
                last = self._results.get_nowait()
            except (queue.Empty, OSError, ValueError):
                break
            if last.startswith("failed") and last != self._last:
                log.error("search indexing %s", last)  # once, not every second
            if last.startswith("indexed "):
                indexed += int(last.split()[1])
            self._last = last
        return f"indexed {indexed}" if indexed else self._last

    def stop(self) -> None:
        """Ask the child to finish its batch and exit; terminate it if it will not."""
        self._flags.stop.value = 1
        self._flags.may_run.value = 0
        if self._process is not None:
            self._process.join(STOP_SECONDS)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(5)
        if self._results is not None:
            self._results.close()
