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
from tests.conftest import SEARCH_ENGINES
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


@pytest.fixture(params=SEARCH_ENGINES)
def search_engine(request, monkeypatch) -> str:
    """Each search engine the desk can use, as the ``search_engine`` setting."""
    monkeypatch.setenv("REGENTRA_SEARCH_ENGINE", request.param)
    return str(request.param)


def test_worker_once_also_indexes_and_search_finds_it(search_engine, regentra):
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
def test_hostile_search_is_results_or_one_clear_line(search_engine, regentra, query):
    result = regentra("search", query)
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output


def test_reindex_rebuilds_with_progress(search_engine, regentra):
    regentra.json("ticket", "create", "-s", "Printer toner low", "--contact", "p@x.example")
    result = regentra("reindex")
    assert result.exit_code == 0 and "Indexed" in result.output
    assert regentra.json("search", "toner")


def test_at_needs_once(regentra):
    assert regentra("worker", "--at", "2026-01-01").exit_code == 2


@pytest.mark.sqlite_only
def test_postgresql_search_on_a_sqlite_desk_is_one_clear_line(regentra, monkeypatch):
    monkeypatch.setenv("REGENTRA_SEARCH_ENGINE", "postgresql")
    result = regentra("search", "printer")
    assert result.exit_code == 1
    assert "needs a PostgreSQL database_url" in result.output
    assert "Traceback" not in result.output


def test_the_worker_daemon_keeps_the_search_fresh(
    search_engine, regentra, db_path, worker_env, monkeypatch
):
    """The daemon's indexer process feeds the configured engine: a note written by a
    technician is found by search within a few of its rounds (notes are not in the
    plain database match a search falls back on, so only the engine finds it)."""
    worker_env["REGENTRA_SEARCH_ENGINE"] = search_engine
    # One host: the Whoosh index of a PostgreSQL desk lives in the data folder.
    monkeypatch.setenv("REGENTRA_DATA_DIR", worker_env["REGENTRA_DATA_DIR"])
    daemon = subprocess.Popen(
        [REGENTRA, "--db", db_path, "worker"], env=worker_env, stderr=subprocess.DEVNULL
    )
    try:
        ticket = regentra.json("ticket", "create", "-s", "Scanner", "--contact", "s@x.example")
        assert (
            regentra("ticket", "note", str(ticket["number"]), "-b", "glows orange").exit_code == 0
        )
        assert wait_for(lambda: regentra.json("search", "glows"), 30)
        [hit] = regentra.json("search", "glows")
        assert hit["title"] == "Scanner"
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(20)
