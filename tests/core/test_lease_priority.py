"""The daemon always wins the lease over a technician's app.

With alice's app open, restarting the daemon let the app's embedded worker take
the lease; the daemon stayed on standby and replies sat queued until alice quit.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlmodel import col, select

from regentra_core.store.models import Event
from regentra_core.worker import Job, WorkerRunner, current_lease
from regentra_core.worker.lease import acquire_or_renew, release
from tests.conftest import T0
from tests.helpers.waiting import wait_for

APP = "host:101:tui-alice"
OTHER_APP = "host:102:tui-bob"
DAEMON = "host:200:worker"
OTHER_DAEMON = "otherhost:300:worker"


def _taken_over(db) -> list[Event]:
    with db.read() as s:
        return list(
            s.exec(
                select(Event)
                .where(col(Event.kind) == "worker_lease_taken_over")
                .order_by(col(Event.id))
            ).all()
        )


def test_a_daemon_takes_the_lease_from_an_apps_worker_at_its_next_heartbeat(db):
    assert acquire_or_renew(db, APP, 15, T0)
    assert acquire_or_renew(db, DAEMON, 15, T0 + timedelta(seconds=1))
    assert current_lease(db).holder == DAEMON
    event = _taken_over(db)[-1]
    assert (event.from_value, event.to_value) == (APP, DAEMON)
    assert "daemon" in (event.detail or "")
    assert not acquire_or_renew(db, APP, 15, T0 + timedelta(seconds=2))  # and it stays


def test_an_apps_worker_never_takes_the_lease_from_a_live_daemon(db):
    assert acquire_or_renew(db, DAEMON, 15, T0)
    assert not acquire_or_renew(db, APP, 15, T0 + timedelta(seconds=14))
    assert current_lease(db).holder == DAEMON


def test_among_daemons_and_among_apps_the_holder_keeps_the_lease_until_it_expires(db):
    assert acquire_or_renew(db, DAEMON, 15, T0)
    assert not acquire_or_renew(db, OTHER_DAEMON, 15, T0 + timedelta(seconds=5))
    release(db, DAEMON, T0 + timedelta(seconds=6))
    assert acquire_or_renew(db, APP, 15, T0 + timedelta(seconds=6))
    assert not acquire_or_renew(db, OTHER_APP, 15, T0 + timedelta(seconds=7))
    assert acquire_or_renew(db, OTHER_APP, 15, T0 + timedelta(seconds=22))  # expired


def test_a_restarted_daemon_runs_the_jobs_while_an_app_is_open(db):
    """The app's worker held the lease with a long heartbeat: only the check before
    each job can stop it, and it must stop before its next job once the daemon has
    taken over."""
    runs: list[tuple[str, float, float]] = []
    lock = threading.Lock()

    def probe(who: str):
        def run() -> str:
            start = time.monotonic()
            time.sleep(0.02)
            with lock:
                runs.append((who, start, time.monotonic()))
            return "ok"

        return run

    app = WorkerRunner(
        db,
        lease_seconds=120,
        heartbeat_seconds=60,
        label="tui-alice",
        extra_jobs=(Job("probe", 0.05, probe("app")),),
    )
    daemon = WorkerRunner(
        db,
        lease_seconds=2,
        heartbeat_seconds=0.2,
        label="worker",
        extra_jobs=(Job("probe", 0.05, probe("daemon")),),
    )
    app.start()
    try:
        assert wait_for(lambda: [w for w, _, _ in runs].count("app") >= 3, 20)
        daemon.start()
        try:
            assert wait_for(lambda: [w for w, _, _ in runs].count("daemon") >= 5, 20), runs
            assert current_lease(db).holder == daemon.holder
            assert wait_for(lambda: not app.health.holding, 5)
        finally:
            daemon.stop()
    finally:
        app.stop()
    first_daemon_end = min(end for who, _, end in runs if who == "daemon")
    late = [start for who, start, _ in runs if who == "app" and start > first_daemon_end]
    assert late == [], "the app ran a job after the daemon had taken the lease"
    assert _taken_over(db)[-1].from_value == app.holder
