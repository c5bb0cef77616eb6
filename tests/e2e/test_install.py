"""``./dev install PREFIX``: Regentra for every account on the host, and its upgrade.

Installs this checkout into a temporary prefix with the system's Python, as root
under a strict umask, then checks what the README promises: a technician (not
root) runs ``regentra`` from its PATH, everything installed is world-readable, the
systemd units point at the prefix; a second install from the checkout (an
upgrade) migrates the desk named by ``/etc/regentra/config.toml`` and keeps
working. Needs root; ``/usr/local/bin/regentra``, the units and ``/etc/regentra``
are set aside and put back (tests/helpers/host.py).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_shared_desk import accounts, place  # noqa: F401
from tests.helpers.host import HOST_ETC, host_lock, set_aside

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[2]
BIN_LINK = Path("/usr/local/bin/regentra")
UNITS = [Path(f"/etc/systemd/system/regentra-{name}.service") for name in ("worker", "serve")]


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The host paths ``./dev install`` and ``init --shared`` write, set aside."""
    monkeypatch.delenv("REGENTRA_SITE_CONFIG", raising=False)
    with host_lock(), set_aside(BIN_LINK, HOST_ETC, *UNITS):
        yield


def _dev_install(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    command = ["sh", "-c", 'umask 077 && exec "$0" "$@"', str(CHECKOUT / "dev"), "install", *args]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=CHECKOUT,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", **(env or {})},
    )


def _login(user: str, command: str) -> subprocess.CompletedProcess:
    """``command`` in ``user``'s login shell: its own PATH, umask and home."""
    return subprocess.run(
        ["runuser", "-l", user, "-c", command], capture_output=True, text=True, timeout=120
    )


def test_dev_install_is_for_every_account_and_upgrades_in_place(
    host,
    accounts,  # noqa: F811
    place,  # noqa: F811
):
    prefix = place / "opt" / "regentra"
    first = _dev_install(str(prefix))
    assert first.returncode == 0, first.stderr[-2000:]
    assert os.path.realpath(BIN_LINK) == str(prefix / ".venv" / "bin" / "regentra")
    version = _login(accounts.tech1, "regentra --version")
    assert version.returncode == 0 and "regentra, version" in version.stdout, version.stderr
    for root, dirs, files in os.walk(prefix):
        for name in dirs + files:
            path = Path(root, name)
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                continue
            assert mode & 0o004, f"{path} is {oct(mode)}: not world-readable"
            assert not mode & 0o022, f"{path} is {oct(mode)}: writable by others"
            if stat.S_ISDIR(mode):
                assert mode & 0o001, f"{path} cannot be entered by others"
    for unit in UNITS:
        assert f"ExecStart={prefix}/.venv/bin/regentra " in unit.read_text()
    # The checkout's code is copied in, not linked: nothing points back at it.
    site = next((prefix / ".venv" / "lib").glob("python3*/site-packages"))
    assert (site / "regentra_core" / "desk").is_dir()
    assert not any(str(CHECKOUT) in p.read_text() for p in site.glob("*.pth"))

    # A desk set up as the README says, then the upgrade.
    setup = subprocess.run(
        [str(BIN_LINK), "init", "--shared", accounts.group, "--dir", str(place / "desk")]
        + ["--lead", accounts.tech1, "--service-account", accounts.service],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert setup.returncode == 0, setup.stderr
    second = _dev_install(str(prefix))
    assert second.returncode == 0, second.stderr[-2000:]
    assert "Migrating the desk named by /etc/regentra/config.toml" in second.stdout
    assert "restart" in second.stdout  # no systemd here: it says what to restart
    listed = _login(accounts.tech1, "regentra ticket list")
    assert listed.returncode == 0, listed.stderr
    assert _login(accounts.tech1, "regentra --version").returncode == 0


def test_dev_install_refuses_a_python_other_accounts_cannot_run(host, place):  # noqa: F811
    home_python = os.path.realpath(sys.executable)
    if not home_python.startswith(("/root/", "/home/")):
        pytest.skip("this test's own Python is not under a home folder")
    refused = _dev_install(str(place / "opt" / "regentra"), env={"PYTHON": home_python})
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert "home folder" in refused.stderr and "/usr/bin/python3" in refused.stderr
    assert not (place / "opt").exists()
