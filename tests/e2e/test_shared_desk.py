"""A shared desk with real Unix accounts: two technicians, a service account, an outsider.

Runs the installed ``regentra`` command as each account (``runuser``), under the
umasks people really have (022 and 077), and checks what the issue promised: each
member writes, the worker indexes, nobody outside the group can read a byte, and
``regentra doctor`` finds planted faults and is silent on a healthy desk.

Needs root (to create accounts); CI runs as root.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.conftest import REGENTRA
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.slow

if os.geteuid() != 0 or shutil.which("useradd") is None or shutil.which("runuser") is None:
    if os.environ.get("CI"):
        raise RuntimeError("the shared-desk test needs root with useradd and runuser (CI has)")
    pytest.skip("needs root, useradd and runuser to create real accounts", allow_module_level=True)


def _launcher(user: str) -> list[str]:
    """How ``user`` runs this checkout's ``regentra``.

    The installed script first. Where the project's interpreter lives in root's
    home (pyenv under /root, mode 0700), other accounts cannot start it, as on a real
    host where Regentra would sit in /opt: then the system's Python of the same
    version runs the same code and the same installed packages.
    """
    probe = ["runuser", "-u", user, "--", REGENTRA, "--version"]
    if subprocess.run(probe, capture_output=True, timeout=60).returncode == 0:
        return [REGENTRA]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(version, path="/usr/bin:/usr/local/bin")
    if system is None:
        raise RuntimeError(f"no {version} that other accounts can run for the shared-desk test")
    site = sysconfig.get_paths()["purelib"]
    src = str(Path(__file__).resolve().parents[2] / "src")
    return ["env", f"PYTHONPATH={src}:{site}", system, "-m", "regentra_tui"]


@dataclass
class Accounts:
    group: str
    tech1: str
    tech2: str
    service: str
    outsider: str


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def accounts() -> Iterator[Accounts]:
    tag = uuid.uuid4().hex[:5]
    acc = Accounts(f"rgd{tag}", f"rgt1{tag}", f"rgt2{tag}", f"rgsv{tag}", f"rgox{tag}")
    _run(["groupadd", acc.group])
    made = []
    try:
        for name in (acc.tech1, acc.tech2, acc.service, acc.outsider):
            groups = [] if name == acc.outsider else ["-G", acc.group]
            _run(["useradd", "--create-home", "--shell", "/bin/sh", *groups, name])
            made.append(name)
        yield acc
    finally:
        for name in made:
            subprocess.run(["userdel", "--remove", name], capture_output=True, timeout=60)
        subprocess.run(["groupdel", acc.group], capture_output=True, timeout=60)


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder every account can traverse (pytest's own tmp is root-only)."""
    base = Path(tempfile.mkdtemp(prefix="regentra-shared-", dir="/tmp"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


class As:
    """Runs ``regentra`` as one account, with its own umask and home."""

    def __init__(self, user: str, site_config: Path, umask: int) -> None:
        self.user = user
        self.umask = umask
        self.launcher = [REGENTRA] if user == "root" else _launcher(user)
        home = pwd.getpwnam(user).pw_dir if user != "root" else "/root"
        self.env = {
            "PATH": "/usr/bin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
            "REGENTRA_SITE_CONFIG": str(site_config),
            "REGENTRA_CONFIG": "/nonexistent/regentra.toml",
            "REGENTRA_WORKER_LEASE_SECONDS": "4",
            "REGENTRA_WORKER_HEARTBEAT_SECONDS": "1",
        }

    def argv(self, *args: str) -> list[str]:
        inner = f'umask {self.umask:03o} && exec "$0" "$@"'
        command = ["sh", "-c", inner, *self.launcher, *args]
        if self.user == "root":
            return ["env", "-i", *[f"{k}={v}" for k, v in self.env.items()], *command]
        return [
            "runuser",
            "-u",
            self.user,
            "--",
            "env",
            "-i",
            *[f"{k}={v}" for k, v in self.env.items()],
            *command,
        ]

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=120)
        assert "Traceback" not in result.stderr, result.stderr
        if ok:
            assert result.returncode == 0, f"{self.user}: {args}: {result.stderr}"
        return result

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )


def _can_read(user: str, path: Path) -> bool:
    """Whether ``user`` can read the file (or list the folder) at ``path``."""
    test = ["test", "-r", str(path)]
    if path.is_dir():
        test = ["ls", str(path)]
    result = subprocess.run(["runuser", "-u", user, "--", *test], capture_output=True, timeout=30)
    return result.returncode == 0


def _everything(folder: Path) -> list[Path]:
    found = [folder]
    for root, dirs, files in os.walk(folder):
        found += [Path(root, n) for n in dirs + files]
    return found


@pytest.mark.parametrize("umask", [0o022, 0o077], ids=["umask022", "umask077"])
def test_members_share_the_desk_and_nobody_else_reads_it(accounts, place, umask):
    desk = place / "desk"
    site = place / "config.toml"
    root = As("root", site, umask)
    tech1, tech2 = As(accounts.tech1, site, umask), As(accounts.tech2, site, umask)
    service, outsider = As(accounts.service, site, umask), As(accounts.outsider, site, umask)
    root("init", "--shared", accounts.group, "--dir", str(desk), "--lead", accounts.tech1)
    site.chmod(0o644)
    tech1("technician", "add", accounts.tech2)

    # Each technician writes; a mere read by the second must not lock out the first.
    tech1("ticket", "create", "--subject", "Printer jammed", "--contact", "p@x.example")
    tech2("ticket", "list")
    tech2("ticket", "note", "1001", "--body", "toner smudge on the fuser")
    tech1("ticket", "reply", "1001", "--body", "On my way")
    # The service account's worker indexes what both wrote; both can search it.
    service("worker", "--once")
    assert "1001" in tech2("search", "fuser").stdout
    tech1("ticket", "note", "1001", "--body", "fixed the paper tray")
    # An index built by one account is written by another's worker without a fault.
    tech1("worker", "--once")
    assert "1001" in tech2("search", "tray").stdout
    tech2("ticket", "note", "1001", "--body", "customer confirmed the drum")
    service("worker", "--once")
    assert "1001" in tech1("search", "drum").stdout

    # The daemon holds the lease and writes its log; doctor is then silent.
    daemon = service.popen("worker")
    try:
        assert wait_for(lambda: (desk / "worker.log").exists(), 20)
        assert wait_for(lambda: tech1("doctor", ok=False).returncode == 0, 20), tech1(
            "doctor", ok=False
        ).stdout
        healthy = tech1("doctor")
        assert "No problems found" in healthy.stdout
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=30)
    (desk / "attachments" / "scan.pdf").write_bytes(b"%PDF-1.4 pretend")
    os.chown(desk / "attachments" / "scan.pdf", pwd.getpwnam(accounts.tech1).pw_uid, -1)
    os.chmod(desk / "attachments" / "scan.pdf", 0o660)

    gid = grp.getgrnam(accounts.group).gr_gid
    files = _everything(desk)
    assert any(p.name == "worker.log" for p in files)
    assert any(p.suffix == ".seg" or p.name.endswith(".toc") for p in files)  # the index
    for path in files:
        st = path.lstat()
        assert st.st_gid == gid, f"{path} is not in the desk's group"
        assert not st.st_mode & 0o007, f"{path} is {oct(st.st_mode)}: others may use it"
        if stat.S_ISREG(st.st_mode):
            assert st.st_mode & 0o060 == 0o060, f"{path} is not group-writable"
        assert not _can_read(accounts.outsider, path), f"{accounts.outsider} reads {path}"
    for path in files:
        if stat.S_ISREG(path.lstat().st_mode):
            assert _can_read(accounts.tech2, path), f"{accounts.tech2} cannot read {path}"

    refused = outsider("ticket", "list", ok=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert accounts.group in outsider("doctor", ok=False).stdout


def test_doctor_finds_planted_faults_in_words_with_the_fix(accounts, place):
    desk = place / "desk"
    site = place / "config.toml"
    root = As("root", site, 0o022)
    tech1, tech2 = As(accounts.tech1, site, 0o022), As(accounts.tech2, site, 0o022)
    outsider = As(accounts.outsider, site, 0o022)
    root("init", "--shared", accounts.group, "--dir", str(desk), "--lead", accounts.tech1)
    tech1("technician", "add", accounts.tech2)
    tech1("ticket", "create", "--subject", "Mail bounce", "--contact", "m@x.example")
    db = desk / "desk.db"

    def problems(who: As = tech1) -> str:
        result = who("doctor", ok=False)
        assert result.returncode == 1
        return result.stdout

    # No worker has run: said, with the command that starts one on this host.
    start = "systemctl" if Path("/run/systemd/system").is_dir() else "runuser"
    assert "no worker" in problems() and start in problems()

    # A world-readable database.
    db.chmod(0o664)
    report = problems()
    assert f"{db} can be read by every account" in report
    assert f"chmod 660 {db}" in report
    db.chmod(0o660)

    # A -wal left by root with 0644: the group cannot write it.
    wal = Path(f"{db}-wal")
    wal.touch()
    os.chown(wal, 0, 0)
    wal.chmod(0o644)
    report = problems()
    assert "the SQLite -wal file" in report and f"chgrp {accounts.group} {wal}" in report
    wal.unlink()

    # A database the group may read but not write: the technician is told in words.
    db.chmod(0o640)
    refused = tech2("ticket", "note", "1001", "--body", "x", ok=False)
    assert refused.returncode == 1
    assert f"cannot write {db}" in refused.stderr and "not writable by you" in refused.stderr
    assert (
        f"{db.parent} is root:" in refused.stderr
    )  # the folder, not a bare name like an account's
    assert "regentra doctor" in refused.stderr
    assert "sqlalche.me" not in refused.stderr
    assert "not writable by the group" in problems()
    db.chmod(0o660)

    # A search index another account built for itself.
    index = Path(f"{db}.index")
    index.chmod(0o755)
    report = problems(tech2)
    assert "cannot write the search index" in report or "not writable by the group" in report
    index.chmod(0o2770)

    # Someone outside the group.
    assert f"not a member of the desk's group {accounts.group}" in problems(outsider)

    # A secret in the shared, world-readable config.
    site.write_text(site.read_text() + 'imap_password = "hunter2"\n')
    site.chmod(0o644)
    report = problems()
    assert "holds the secret imap_password" in report and "hunter2" not in report
