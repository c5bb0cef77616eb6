"""``doctor`` does not cry wolf: secrets held by design, no systemd, a filling disk.

The secrets are laid out as the README prescribes (a 0700 folder and 0600 files of
the service account, named in the host config) and examined as a technician, as
the service account and as root: each account runs in a forked child with that
account's uid, so what it can and cannot read is the kernel's answer, not ours.
Host accounts that every Debian has stand in: ``daemon`` is the service account,
``nobody`` a technician.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from regentra_core.clock import utcnow
from regentra_core.config import SECRETS, load_settings
from regentra_core.doctor import Examination, examine, space_is_low
from regentra_core.sharing import make_shared_dir
from regentra_core.store import Database, upgrade
from regentra_core.worker.lease import acquire_or_renew, holder_id
from tests.conftest import T0

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to play other accounts")


def _as(user: str, check) -> dict:
    """Run ``check()`` (returning JSON-able data) in a child with ``user``'s uid."""
    entry = pwd.getpwnam(user)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: become the account, answer, and leave without cleanup
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            os.write(write, json.dumps(check()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        data = answer.read()
    os.waitpid(pid, 0)
    assert data, f"the check as {user} failed"
    return json.loads(data)


def _report(exam: Examination) -> dict:
    return {
        "facts": dict(exam.facts),
        "problems": [f.problem for f in exam.findings],
        "fixes": [f.fix for f in exam.findings],
    }


@pytest.fixture
def host(monkeypatch) -> Iterator[Path]:
    """``etc/config.toml`` naming six secret files in ``etc/secrets`` (daemon's, 0700),
    each 0600 and held by ``daemon``, plus daemon's ``worker.toml`` (0600)."""
    base = Path(tempfile.mkdtemp(prefix="regentra-doctor-", dir="/tmp"))
    base.chmod(0o755)
    etc = base / "etc"
    secrets = etc / "secrets"
    secrets.mkdir(parents=True)
    etc.chmod(0o755)
    daemon = pwd.getpwnam("daemon")
    lines = []
    for name in SECRETS:
        secret = secrets / name
        secret.write_text(f"{name}-value\n")
        secret.chmod(0o600)
        os.chown(secret, daemon.pw_uid, 0)
        lines.append(f'{name}_file = "{secret}"')
    os.chown(secrets, daemon.pw_uid, daemon.pw_gid)
    secrets.chmod(0o700)
    (etc / "config.toml").write_text("\n".join(lines) + "\n")
    (etc / "config.toml").chmod(0o644)
    worker_toml = etc / "worker.toml"
    worker_toml.write_text("")
    worker_toml.chmod(0o600)
    os.chown(worker_toml, daemon.pw_uid, 0)
    monkeypatch.setenv("REGENTRA_SITE_CONFIG", str(etc / "config.toml"))
    monkeypatch.setenv("REGENTRA_CONFIG", str(base / "nobody-has-this.toml"))
    monkeypatch.setenv("REGENTRA_DATA_DIR", str(base / "data"))
    examine(load_settings(), str(base / "desk.db"), T0)  # every import done as root first
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _examine(base: Path) -> dict:
    return _report(examine(load_settings(), str(base / "desk.db"), T0))


@needs_root
def test_a_technician_is_told_the_service_accounts_secrets_are_held_correctly(host):
    report = _as("nobody", lambda: _examine(host))
    assert not [p for p in report["problems"] if "secret" in p or "_file" in p], report
    for name in SECRETS:
        fact = report["facts"][f"{name}_file"]
        assert fact.endswith("held by daemon (not readable by you: correct)"), fact
    assert not any("install -m 600" in fix for fix in report["fixes"])


@pytest.fixture
def named_by_the_worker(host) -> Path:
    """The README's layout: the secret files named in the service account's
    ``worker.toml`` (0600), the shared config holding none of them."""
    etc = host / "etc"
    (etc / "worker.toml").write_text((etc / "config.toml").read_text())
    (etc / "config.toml").write_text("")
    return host


@needs_root
def test_a_technician_is_told_the_daemons_secrets_are_named_where_only_it_reads(
    named_by_the_worker,
):
    """Its doctor said "not set: imap_password, ... ai_api_key" on a desk whose mail
    and model the daemon runs: as if nothing were set up."""
    report = _as("nobody", lambda: _examine(named_by_the_worker))
    worker = named_by_the_worker / "etc" / "worker.toml"
    secrets = report["facts"]["secrets"]
    assert f"the worker's ({worker}) are daemon's, not readable by you: correct" in secrets
    assert f"runuser -u daemon -- env REGENTRA_CONFIG={worker} regentra doctor" in secrets
    assert not [p for p in report["problems"] if "secret" in p or "_file" in p], report


@needs_root
def test_root_is_told_to_check_the_daemons_secrets_as_the_daemon(named_by_the_worker):
    report = _examine(named_by_the_worker)
    worker = named_by_the_worker / "etc" / "worker.toml"
    assert f"the worker's own settings ({worker}) are not read here" in report["facts"]["secrets"]


@needs_root
def test_the_service_account_finds_its_secrets_readable_and_not_empty(host):
    secrets = host / "etc" / "secrets"
    report = _as("daemon", lambda: _examine(host))
    assert not [p for p in report["problems"] if "secret" in p], report
    assert "readable, not empty" in report["facts"]["imap_password_file"]
    (secrets / "imap_password").write_text("\n")
    (secrets / "ai_api_key").chmod(0o640)
    report = _as("daemon", lambda: _examine(host))
    problems = "\n".join(report["problems"])
    assert f"the secret file {secrets / 'imap_password'} (imap_password_file) is empty" in problems
    assert f"the secret in {secrets / 'ai_api_key'} can be read by other accounts" in problems
    assert f"chmod 600 {secrets / 'ai_api_key'}" in report["fixes"]


@needs_root
def test_the_service_account_is_told_a_secret_it_cannot_read(host):
    secrets = host / "etc" / "secrets"
    os.chown(secrets / "smtp_password", 0, 0)
    report = _as("daemon", lambda: _examine(host))
    assert any(
        "you (daemon) run the worker and cannot read" in p and "smtp_password" in p
        for p in report["problems"]
    ), report


@needs_root
def test_root_is_told_that_a_secret_it_owns_is_out_of_the_workers_reach(host):
    secret = host / "etc" / "secrets" / "twilio_auth_token"
    os.chown(secret, 0, 0)
    report = _examine(host)
    assert f"{secret} (twilio_auth_token_file) belongs to root" in "\n".join(report["problems"])
    assert f"chown daemon {secret}" in report["fixes"]
    assert "readable, not empty" in report["facts"]["imap_password_file"]


# -- how to start the daemon ---------------------------------------------------------------


@pytest.fixture
def stopped_shared_desk(tmp_path) -> Path:
    import grp

    folder = tmp_path / "desk"
    make_shared_dir(folder, grp.getgrgid(os.getegid()).gr_name)
    db = Database(str(folder / "desk.db"))
    upgrade(db)
    acquire_or_renew(db, holder_id("worker"), 15, T0 - timedelta(hours=1))
    db.close()
    return folder / "desk.db"


def _fixes(desk: Path, **options) -> list[str]:
    exam = examine(load_settings(), str(desk), utcnow(), **options)
    return [f.fix for f in exam.findings if "no worker holds the lease" in f.problem]


def test_without_systemd_the_fix_starts_the_daemon_with_runuser(stopped_shared_desk):
    [fix] = _fixes(stopped_shared_desk, systemd=False)
    assert "systemctl" not in fix and "runuser -u regentra -- regentra worker" in fix
    [fix] = _fixes(stopped_shared_desk, systemd=True)
    assert "systemctl enable --now regentra-worker" in fix


@pytest.fixture
def desk_run_by_an_app(tmp_path) -> Path:
    """A private desk whose jobs a technician's open app runs (no daemon)."""
    db = Database(str(tmp_path / "desk.db"))
    upgrade(db)
    acquire_or_renew(db, holder_id("tui-alice"), 15)
    db.close()
    return tmp_path / "desk.db"


def _about_the_app(findings) -> list[str]:
    return [f.problem for f in findings if "technician's app" in f.problem]


def test_an_app_running_the_jobs_of_a_desk_without_channels_is_a_warning(desk_run_by_an_app):
    """The demo desk, or any desk with no mail, SMS or model: the app's worker runs
    every job there is, so doctor does not call it a fault (it did: exit 1)."""
    exam = examine(load_settings(), str(desk_run_by_an_app), utcnow())
    assert not _about_the_app(exam.findings)
    [warning] = _about_the_app(exam.warnings)
    assert "they stop while no app is open" in warning


def test_an_app_running_the_jobs_of_a_desk_with_mail_is_a_problem(desk_run_by_an_app, monkeypatch):
    monkeypatch.setenv("REGENTRA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REGENTRA_SUPPORT_ADDRESS", "help@desk.example")
    monkeypatch.setenv("REGENTRA_AI_MODEL", "openai/standin")
    exam = examine(load_settings(), str(desk_run_by_an_app), utcnow())
    [problem] = _about_the_app(exam.findings)
    assert "mail and model drafts need the worker daemon" in problem


def test_a_job_failing_on_its_last_run_is_a_warning_naming_it(tmp_path):
    """The daemon polled a mail server out of reach every minute while doctor said
    "No problems found" (the failure only inside the long worker line)."""
    from regentra_core.worker.lease import summarise

    db = Database(str(tmp_path / "desk.db"))
    upgrade(db)
    said = "cannot read INBOX on imap.msp.example: [Errno -2] Name or service not known"
    results = {"poll-mail": f"failed: {said}", "send-mail": "sent 0, failed 0"}
    acquire_or_renew(db, holder_id("worker"), 15, result=summarise(results))
    db.close()
    exam = examine(load_settings(), str(tmp_path / "desk.db"), utcnow())
    [warning] = [w for w in exam.warnings if "job failed" in w.problem]
    assert warning.problem == f"the worker's poll-mail job failed on its last run: {said}"
    assert "regentra mail poll" in warning.fix
    assert not [f for f in exam.findings if "poll-mail" in f.problem]  # exit 0: it retries


# -- free space ----------------------------------------------------------------------------


def test_a_disk_is_low_below_100_mb_or_2_percent_capped_at_a_gigabyte():
    mb, gb = 1024**2, 1024**3
    assert space_is_low(99 * mb, 10 * gb) and not space_is_low(300 * mb, 10 * gb)
    assert space_is_low(150 * mb, 10 * gb)  # 1.5 % of 10 GB
    assert not space_is_low(70 * gb, 4096 * gb)  # 1.7 % of 4 TB, but 70 GB is plenty
    assert space_is_low(900 * mb, 4096 * gb)


@needs_root
def test_doctor_warns_when_the_desk_disk_is_nearly_full(tmp_path, regentra_tmpfs):
    db = Database(str(regentra_tmpfs / "desk.db"))
    upgrade(db)
    db.close()
    exam = examine(load_settings(), str(regentra_tmpfs / "desk.db"), T0)
    [warning] = [w for w in exam.warnings if "nearly full" in w.problem]
    assert f"the disk holding {regentra_tmpfs}" in warning.problem
    assert "MB free of 8.0 MB" in warning.problem and "du -xh" in warning.fix
    assert "free of 8.0 MB" in dict(exam.facts)["disk"]
    places = dict(exam.facts)["disk"].split(" for ", 1)[1].split(", ")
    assert len(places) == len(set(places)), places  # a folder named once, not per role


@pytest.fixture
def regentra_tmpfs(tmp_path) -> Iterator[Path]:
    """An 8 MB disk of its own (a tmpfs), removed afterwards."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@needs_root
def test_free_space_is_measured_where_an_outsider_can_see_without_a_traceback(host):
    """An account outside the group cannot see into the desk folder: the disk is
    measured at the nearest folder it can see, and the desk problem is said."""
    desk = host / "desk"
    desk.mkdir(mode=0o700)
    (desk / "desk.db.index").mkdir()
    report = _as("nobody", lambda: _report(examine(load_settings(), str(desk / "desk.db"), T0)))
    assert f"for {desk}" in report["facts"]["disk"]
    assert any("desk.db" in p for p in report["problems"]), report


@needs_root
def test_a_technician_is_told_when_root_keeps_the_secrets_from_the_worker_too(host):
    secrets = host / "etc" / "secrets"
    os.chown(secrets, 0, 0)
    report = _as("nobody", lambda: _examine(host))
    held = [p for p in report["problems"] if "is held by root" in p]
    assert len(held) == len(SECRETS) and "running as daemon" in held[0]
    assert f"chown daemon {secrets / 'imap_password'} {secrets}   (as root)" in report["fixes"]
