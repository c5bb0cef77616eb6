"""``regentra worker`` picks up changed channel settings without a restart.

An admin who set up SMTP in the service account's config after the daemon started
had replies sit queued until someone thought of restarting it.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from regentra_core.config import load_settings
from regentra_core.store import Database
from regentra_core.worker import current_lease
from regentra_core.worker.reload import SettingsWatch
from tests.cli.conftest import REGENTRA
from tests.helpers.waiting import wait_for


def _lease_says(db_path: str) -> str:
    db = Database(db_path)
    try:
        lease = current_lease(db)
        return lease.last_result if lease is not None else ""
    finally:
        db.close()


@contextmanager
def _daemon(db_path: str, tmp_path, config) -> Iterator[tuple[subprocess.Popen, Path]]:
    """A daemon whose stderr (its log) goes to a file; stopped with SIGTERM, which
    must end it cleanly."""
    env = dict(os.environ)
    env.update(
        REGENTRA_DATA_DIR=str(tmp_path / "data"),
        REGENTRA_CONFIG=str(config),
        REGENTRA_WORKER_LEASE_SECONDS="3",
        REGENTRA_WORKER_HEARTBEAT_SECONDS="0.3",
    )
    log = tmp_path / "daemon.err"
    with log.open("wb") as handle:
        proc = subprocess.Popen([REGENTRA, "--db", db_path, "worker"], env=env, stderr=handle)
        try:
            yield proc, log
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(20) == 0


def test_the_daemon_reloads_channel_settings_when_its_config_file_changes(
    regentra, db_path, tmp_path, smtp
):
    config = tmp_path / "worker.toml"
    config.write_text("mail_send_interval_seconds = 0.5\n")
    with _daemon(db_path, tmp_path, config) as (daemon, log):
        assert wait_for(lambda: "search-index" in _lease_says(db_path), 30), log.read_text()
        holder = _holder(db_path)
        assert "send-mail" not in _lease_says(db_path)
        config.write_text(
            "mail_send_interval_seconds = 0.5\n"
            'smtp_host = "127.0.0.1"\n'
            f"smtp_port = {smtp.port}\n"
            'smtp_security = "none"\n'
            'support_address = "help@desk.example"\n'
        )
        assert wait_for(lambda: "send-mail" in _lease_says(db_path), 30), log.read_text()
        text = log.read_text()
        assert "settings reloaded" in text and "send-mail" in text
        assert _holder(db_path) == holder  # the lease was never dropped
        # SIGHUP reloads too: the mail job goes away with its settings.
        config.write_text("mail_send_interval_seconds = 0.5\n")
        os.utime(config, (1, 1))  # an mtime the watch saw already would not do
        daemon.send_signal(signal.SIGHUP)
        assert wait_for(lambda: log.read_text().count("settings reloaded") >= 2, 30)
        assert daemon.poll() is None  # SIGHUP did not stop it


def test_a_broken_config_leaves_the_running_jobs_in_place(regentra, db_path, tmp_path):
    config = tmp_path / "worker.toml"
    config.write_text("mail_send_interval_seconds = 0.5\n")
    with _daemon(db_path, tmp_path, config) as (daemon, log):
        assert wait_for(lambda: "search-index" in _lease_says(db_path), 30), log.read_text()
        config.write_text("smtp_port = [oops\n")
        assert wait_for(lambda: "settings not reloaded" in log.read_text(), 30), log.read_text()
        assert daemon.poll() is None
        assert "Traceback" not in log.read_text()


def _holder(db_path: str) -> str | None:
    db = Database(db_path)
    try:
        lease = current_lease(db)
        return lease.holder if lease is not None else None
    finally:
        db.close()


def test_worker_once_refuses_when_this_hosts_clock_is_off_the_databases(regentra, monkeypatch):
    """No tolerance is smaller than the gap between two real clocks read a moment
    apart: --once then refuses in one line, and with --at runs as told."""
    monkeypatch.setenv("REGENTRA_WORKER_CLOCK_TOLERANCE_SECONDS", "0.000001")
    result = regentra("worker", "--once")
    assert result.exit_code == 1, result.output
    assert "the database's (more than worker_clock_tolerance_seconds" in result.output
    assert "Traceback" not in result.output
    assert regentra("worker", "--once", "--at", "2026-01-01").exit_code == 0


def test_a_config_made_unreadable_by_chmod_counts_as_changed(tmp_path, monkeypatch):
    """chmod 600 on the host config changes neither its contents nor its mtime, yet
    the daemon can no longer read it: the watch must look again (and log it)."""
    config = tmp_path / "worker.toml"
    config.write_text("mail_send_interval_seconds = 5\n")
    monkeypatch.setenv("REGENTRA_CONFIG", str(config))
    settings = load_settings()
    watch = SettingsWatch(settings)
    assert not watch.changed(settings)
    config.chmod(0o600)
    assert watch.changed(settings)
