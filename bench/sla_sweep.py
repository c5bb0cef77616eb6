"""The SLA sweep in process on a copy of the seeded desk (100k, or 1M with ``--1m``).

Prints, wall and CPU seconds:

- the first sweep (the copy's marks are stale and no badge is recorded: every
  ticket is marked and almost every one gets a badge and an Event), once;
- the steady sweep after it, median of ``RUNS``;
- the floor beside the first: one executemany UPDATE of a badge on every ticket
  and one multi-row INSERT of as many Events, through the bare DB-API, on another
  copy (what writing the first sweep's rows costs with no Python rule at all).

``regentra worker --once`` (the first and the steady) is measured by ``scale``.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RUNS = 5


def _timed(work: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu


def _floor(path: Path) -> tuple[float, float]:
    conn = sqlite3.connect(path)
    ids = [row[0] for row in conn.execute("SELECT id FROM ticket")]
    at = datetime.now(UTC).isoformat(" ")

    def write() -> None:
        with conn:
            badge = "UPDATE ticket SET sla_badge = 'met' WHERE id = ?"
            conn.executemany(badge, [(i,) for i in ids])
            conn.executemany(
                "INSERT INTO event (ticket_id, actor, actor_kind, source, kind, from_value, "
                "to_value, detail, at) VALUES (?, 'system:sla', 'system', 'worker', "
                "'sla_badge_changed', 'on_track', 'met', 'response Met, resolution Met', ?)",
                [(i, at) for i in ids],
            )

    try:
        return _timed(write)
    finally:
        conn.close()


def run() -> None:
    import shutil

    from bench.desk import seeded_desk
    from regentra_core.desk import Desk
    from regentra_core.identity import Actor
    from regentra_core.store import Database

    source = seeded_desk()
    work = Path(os.environ.get("BENCH_WORK") or tempfile.mkdtemp(prefix="regentra-bench-sweep-"))
    work.mkdir(parents=True, exist_ok=True)
    desk_path, floor_path = work / "sweep.db", work / "floor.db"
    try:
        shutil.copyfile(source, desk_path)
        db = Database(str(desk_path))
        worker = Desk(db, Actor.system("sla"), source="worker", clock=lambda: datetime.now(UTC))
        report = []
        first = _timed(lambda: report.append(worker.run_sla_sweep()))
        changed = len(report[0].changed)
        steady = [_timed(worker.run_sla_sweep) for _ in range(RUNS)]
        db.close()
        desk_path.unlink()
        shutil.copyfile(source, floor_path)
        floor = _floor(floor_path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()[0]
    print(
        f"sla_sweep: first sweep in process: {first[0]:.2f} s wall, {first[1]:.2f} s CPU "
        f"({changed:,} badges recorded); floor (bare executemany of a badge and an Event "
        f"a ticket): {floor[0]:.2f} s wall, {floor[1]:.2f} s CPU; load {load:.2f}",
        flush=True,
    )
    walls, cpus = [s[0] for s in steady], [s[1] for s in steady]
    print(
        f"sla_sweep: steady sweep in process: median {statistics.median(walls) * 1000:.0f} ms "
        f"wall (max {max(walls) * 1000:.0f}), {statistics.median(cpus) * 1000:.0f} ms CPU",
        flush=True,
    )


if __name__ == "__main__":
    run()
