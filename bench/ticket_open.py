"""Opening a ticket while the search index catches up on a backlog.

A technician's app runs the desk's jobs when no daemon does. Indexing is pure
Python; in a thread of the app it held the interpreter lock, and opening a ticket
(``session.detail`` + ``session.history``, what the ticket screen reads) took ten
times as long. The app now indexes in a child process, as the daemon does.

Measures, in one run on the same desk (demo desk plus ``BENCH_BACKLOG`` tickets,
default 3,000, queued for indexing): the open with nothing else running
(baseline), while a thread of the same process indexes, and while a child process
indexes. Medians and maxima of 15 opens each.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

BACKLOG = int(os.environ.get("BENCH_BACKLOG", "3000"))


def run() -> None:
    from regentra_core.demo import load_demo
    from regentra_core.desk import Desk, resolve_os_technician
    from regentra_core.enums import Channel, Priority
    from regentra_core.search import SearchIndex
    from regentra_core.store import Database, upgrade
    from regentra_core.worker.indexer import IndexerProcess, IndexerSpec
    from regentra_tui.session import DeskSession

    work = Path(tempfile.mkdtemp(prefix="regentra-bench-open-"))
    db = Database(str(work / "desk.db"))
    upgrade(db)
    load_demo(db)
    actor = resolve_os_technician(db, "alice")
    desk = Desk(db, actor, source="bench")
    words = ("printer vpn mailbox outlook backup server licence laptop monitor " * 40).split()

    def backlog() -> None:
        for i in range(BACKLOG):
            desk.create_ticket(
                subject=f"Request {i}: printer, VPN or mailbox trouble",
                description=" ".join(words[i % 40 :] + words),
                priority=Priority.MEDIUM,
                channel=Channel.EMAIL,
                contact_email=f"user{i % 50}@acme.example",
                client_name="Acme Logistics",
            )

    index = SearchIndex(work / "index", db)
    index.rebuild()
    session = DeskSession(db, actor, index=index)
    number = 1007

    def opens() -> list[float]:
        out = []
        for _ in range(15):
            start = time.perf_counter()
            session.detail(number)
            session.history(number)
            out.append(time.perf_counter() - start)
            time.sleep(0.05)
        return out

    def report(what: str, times: list[float], base: float) -> None:
        median = statistics.median(times)
        print(
            f"ticket_open: {what}: median {median * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
            f" ({median / base:.1f}x the baseline)"
        )

    baseline = opens()
    base = statistics.median(baseline)
    report("nothing else running (baseline)", baseline, base)

    backlog()
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set() and index.drain():
            pass

    thread = threading.Thread(target=drain)
    thread.start()
    time.sleep(0.3)
    report(f"a thread of this process indexing {BACKLOG:,} tickets", opens(), base)
    stop.set()
    thread.join()
    index.rebuild()

    backlog()
    child = IndexerProcess(IndexerSpec(db.url, str(index.path), 1.0, 1, os.getpid()))
    child.allow(True)
    child.start()
    time.sleep(2.5)  # the child is up and busy
    report(f"a child process indexing {BACKLOG:,} tickets (what the app does)", opens(), base)
    child.stop()
    db.close()
