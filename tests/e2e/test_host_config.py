"""``init --shared`` with the real ``/etc/regentra``, then technicians use the desk.

The shared-desk test moves the host config into a temporary folder; this one runs
the layout the README prescribes: root sets up under the shared umask (007) or a
strict one (077), and a technician's ``ticket list`` and ``doctor`` read the host
config; the service account's secrets folder and ``worker.toml`` are its alone.
Needs root (real accounts); ``host_etc`` puts back any ``/etc/regentra`` there was.
"""

from __future__ import annotations

import pwd
import stat
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_shared_desk import As, _can_read, accounts, place  # noqa: F401
from tests.helpers.host import host_etc  # noqa: F401

pytestmark = pytest.mark.slow


def _on_host(user: str, umask: int) -> As:
    """``As`` with no ``REGENTRA_SITE_CONFIG``: the default /etc/regentra/config.toml."""
    who = As(user, Path("/nonexistent"), umask)
    del who.env["REGENTRA_SITE_CONFIG"]
    return who


def _mode_owner(path: Path) -> tuple[int, str]:
    st = path.stat()
    return stat.S_IMODE(st.st_mode), pwd.getpwuid(st.st_uid).pw_name


@pytest.mark.parametrize("umask", [0o007, 0o077], ids=["umask007", "umask077"])
def test_init_shared_leaves_a_host_config_every_technician_reads(
    accounts,  # noqa: F811
    place,  # noqa: F811
    host_etc,  # noqa: F811
    umask,
):
    root = _on_host("root", umask)
    tech = _on_host(accounts.tech2, 0o022)
    root(
        "init",
        "--shared",
        accounts.group,
        "--dir",
        str(place / "desk"),
        "--lead",
        accounts.tech1,
        "--service-account",
        accounts.service,
    )
    _on_host(accounts.tech1, 0o022)("technician", "add", accounts.tech2)

    config, secrets, worker = (
        host_etc / "config.toml",
        host_etc / "secrets",
        host_etc / "worker.toml",
    )
    assert _mode_owner(host_etc) == (0o755, "root")
    assert _mode_owner(config) == (0o644, "root")
    assert _mode_owner(secrets) == (0o700, accounts.service)
    assert _mode_owner(worker) == (0o600, accounts.service)

    listed = tech("ticket", "list")
    assert "Permission" not in listed.stderr
    checked = tech("doctor", ok=False)
    assert "Permission" not in checked.stdout + checked.stderr, checked.stdout
    assert str(config) in checked.stdout

    assert _can_read(accounts.outsider, config)
    for private in (secrets, worker):
        assert not _can_read(accounts.outsider, private), private
        assert not _can_read(accounts.tech1, private), private
    assert _can_read(accounts.service, worker)


def test_init_again_keeps_the_daemons_settings_and_the_readmes_install_lines_still_work(
    accounts,  # noqa: F811
    place,  # noqa: F811
    host_etc,  # noqa: F811
):
    root = _on_host("root", 0o007)
    setup = ("init", "--shared", accounts.group, "--dir", str(place / "desk"))
    root(*setup, "--lead", accounts.tech1, "--service-account", accounts.service)
    worker = host_etc / "worker.toml"
    # What the README used to have the admin type after init; harmless now.
    for line in (
        f"install -d -m 700 -o {accounts.service} -g {accounts.group} {host_etc}/secrets",
        f"install -m 600 -o {accounts.service} /dev/null {worker}",
    ):
        subprocess.run(line.split(), check=True, capture_output=True, timeout=30)
    worker.write_text('imap_host = "imap.msp.example"\n')
    root(*setup, "--lead", accounts.tech1, "--service-account", accounts.service)
    assert worker.read_text() == 'imap_host = "imap.msp.example"\n'
    assert _mode_owner(worker) == (0o600, accounts.service)
    assert _mode_owner(host_etc / "secrets") == (0o700, accounts.service)
    assert "Permission" not in _on_host(accounts.tech1, 0o077)("ticket", "list").stderr
