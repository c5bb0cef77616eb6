"""The host's files outside the desk: modes by role, and a config nobody can read.

The host config folder and ``config.toml`` are for every account (0755 / 0644),
the service account's secrets folder and ``worker.toml`` for it alone (0700 /
0600), whatever the umask of whoever set them up. A config file an account cannot
read is one line naming the file, its owner, its mode and the fix, for every
command, never a traceback. The same with real accounts and the real
``/etc/regentra``: tests/e2e/test_host_config.py.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from regentra_core.config import write_site_config
from regentra_core.sharing import make_service_dir, make_service_file
from regentra_tui.cli import cli
from tests.cli.conftest import REGENTRA


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _unprivileged(place: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``regentra ARGS`` with ``place/config.toml`` as the host config, as an
    account file modes apply to (root reads a 0000 file, so root runs it as nobody)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(place),
        "LANG": "C.UTF-8",
        "REGENTRA_SITE_CONFIG": str(place / "etc" / "config.toml"),
        "REGENTRA_CONFIG": str(place / "no-user-config.toml"),
        "REGENTRA_DATA_DIR": str(place / "data"),
    }
    launcher = [REGENTRA]
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("as root this needs runuser to drop to nobody")
        from tests.e2e.test_shared_desk import _launcher

        launcher = _launcher("nobody")
        prefix = ["runuser", "-u", "nobody", "--"]
    command = [*prefix, "env", "-i", *[f"{k}={v}" for k, v in env.items()], *launcher, *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder every account can reach (pytest's own tmp folders are root's alone)."""
    base = Path(tempfile.mkdtemp(prefix="regentra-host-", dir="/tmp"))
    (base / "etc").mkdir()
    for folder in (base, base / "etc"):
        folder.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("args", [("ticket", "list"), ("doctor",), ()], ids=str)
def test_an_unreadable_config_file_is_one_line_with_its_owner_mode_and_fix(place, args):
    config = place / "etc" / "config.toml"
    config.write_text('shared_group = "helpdesk"\n')
    config.chmod(0o000)
    owner = pwd.getpwuid(os.geteuid()).pw_name
    result = _unprivileged(place, *args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"cannot read configuration {config}" in result.stderr
    assert f"{owner}:" in result.stderr and "mode 0000" in result.stderr
    assert f"chmod 644 {config}" in result.stderr


def test_a_config_behind_a_closed_folder_names_the_folder_and_its_fix(place):
    config = place / "etc" / "config.toml"
    config.write_text('shared_group = "helpdesk"\n')
    config.chmod(0o644)
    (place / "etc").chmod(0o770)  # what init --shared under umask 007 used to make
    result = _unprivileged(place, "ticket", "list")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"its folder {place / 'etc'}" in result.stderr and "mode 0770" in result.stderr
    assert f"chmod 755 {place / 'etc'}" in result.stderr


def test_a_config_that_is_a_folder_or_not_toml_is_one_line(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    monkeypatch.setenv("REGENTRA_SITE_CONFIG", str(config))
    config.mkdir()
    result = CliRunner().invoke(cli, ["ticket", "list"])
    assert result.exit_code == 1 and result.exception is not None
    assert f"cannot read configuration {config}: a folder" in result.output
    assert f"rmdir {config}" in result.output
    config.rmdir()
    config.write_text("database_url = [[\n")
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1
    assert f"cannot read configuration {config}: not valid TOML" in result.output
    assert result.output.count("\n") == 1


def test_the_host_config_folder_and_file_are_for_everyone_whatever_the_umask(tmp_path):
    config = tmp_path / "etc" / "regentra" / "config.toml"
    before = os.umask(0o077)
    try:
        write_site_config(config, {"shared_group": "helpdesk"})
    finally:
        os.umask(before)
    assert _mode(tmp_path / "etc") == 0o755
    assert _mode(config.parent) == 0o755
    assert _mode(config) == 0o644


def test_a_host_config_folder_left_closed_is_opened_to_every_account(tmp_path):
    folder = tmp_path / "regentra"
    folder.mkdir()
    folder.chmod(0o770)
    tmp_path.chmod(0o755)
    write_site_config(folder / "config.toml", {"shared_group": "helpdesk"})
    assert _mode(folder) == 0o775


def test_a_closed_folder_that_is_not_only_ours_is_left_as_it_is(tmp_path):
    closed = tmp_path / "home"
    closed.mkdir()
    closed.chmod(0o700)
    (closed / ".bashrc").write_text("")
    write_site_config(closed / "config.toml", {"shared_group": "helpdesk"})
    assert _mode(closed) == 0o700


def test_the_service_accounts_files_are_its_own_and_kept_once_written(tmp_path):
    me = pwd.getpwuid(os.geteuid())
    group = grp.getgrgid(os.getegid()).gr_name
    before = os.umask(0o000)
    try:
        make_service_dir(tmp_path / "secrets", me, group)
        assert make_service_file(tmp_path / "worker.toml", me, group)
    finally:
        os.umask(before)
    assert _mode(tmp_path / "secrets") == 0o700
    assert _mode(tmp_path / "worker.toml") == 0o600
    assert "secrets" in (tmp_path / "worker.toml").read_text()
    (tmp_path / "worker.toml").write_text('imap_host = "imap.example"\n')
    (tmp_path / "worker.toml").chmod(0o644)
    (tmp_path / "secrets").chmod(0o755)
    make_service_dir(tmp_path / "secrets", me, group)
    assert not make_service_file(tmp_path / "worker.toml", me, group)
    assert (tmp_path / "worker.toml").read_text() == 'imap_host = "imap.example"\n'
    assert _mode(tmp_path / "worker.toml") == 0o600
    assert _mode(tmp_path / "secrets") == 0o700
