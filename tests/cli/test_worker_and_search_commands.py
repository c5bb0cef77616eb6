"""``regentra worker`` as a real daemon (takeover after kill -9), ``search``, ``reindex``."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from regentra_core.clock import utcnow
from regentra_core.store import Database
from regentra_core.worker import current_lease
from tests.cli.conftest import REGENTRA
from tests.helpers.waiting import wait_for


def _holder(db_path: str) -> str | None:
    db = Database(db_path)
    try:
        lease = current_lease(db)
        return lease.holder if lease and lease.alive(utcnow()) else None
    finally:
        db.close()


@pytest.fixture
def worker_env(tmp_path):
    env = dict(os.environ)
    env.update(
        REGENTRA_DATA_DIR=str(tmp_path / "data"),
        REGENTRA_WORKER_LEASE_SECONDS="2",
        REGENTRA_WORKER_HEARTBEAT_SECONDS="0.3",
        REGENTRA_INDEX_INTERVAL_SECONDS="0.3",
    )
    return env


def test_standby_takes_over_when_the_holder_is_killed(regentra, db_path, worker_env):
    command = [REGENTRA, "--db", db_path, "worker"]
    first = subprocess.Popen(command, env=worker_env, stderr=subprocess.DEVNULL)
    second = None
    try:
        assert wait_for(lambda: f":{first.pid}:" in (_holder(db_path) or ""), 20)
        second = subprocess.Popen(command, env=worker_env, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        assert f":{first.pid}:" in (_holder(db_path) or ""), "the standby stole a live lease"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert wait_for(lambda: f":{second.pid}:" in (_holder(db_path) or ""), 10)
        second.send_signal(signal.SIGTERM)
        assert second.wait(15) == 0
        assert _holder(db_path) is None  # released on a clean stop
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()


def test_worker_once_also_indexes_and_search_finds_it(regentra):
    regentra.json(
        "ticket", "create", "-s", "Blue screen on reception PC", "--contact", "r@x.example"
    )
    report = regentra.json("worker", "--once")
    assert report["indexed"] >= 1
    hits = regentra.json("search", "blue", "screen")
    assert [h["title"] for h in hits] == ["Blue screen on reception PC"]
    text = regentra("search", "reception").output
    assert "Blue screen on reception PC" in text


@pytest.mark.parametrize("query", ['"unclosed', "*", ":", "((", "x" * 600])
def test_hostile_search_is_results_or_one_clear_line(regentra, query):
    result = regentra("search", query)
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output


def test_reindex_rebuilds_with_progress(regentra):
    regentra.json("ticket", "create", "-s", "Printer toner low", "--contact", "p@x.example")
    result = regentra("reindex")
    assert result.exit_code == 0 and "Indexed" in result.output
    assert regentra.json("search", "toner")


def test_at_needs_once(regentra):
    assert regentra("worker", "--at", "2026-01-01").exit_code == 2
