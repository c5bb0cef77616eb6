"""Day one on a real support host, rehearsed as the README tells an admin to do it.

Everything runs where it runs on a real host, with no setting that moves it: the
install in ``/opt/regentra`` with ``regentra`` on every account's PATH, the host
config in ``/etc/regentra``, the desk in ``/srv/regentra``, the daemon as the
service account ``regentra`` with its secrets only it can read. Two technicians
(umask 022 and 077) use the command line and the app in tmux; mail arrives through a
real Dovecot and replies leave through a real SMTP server on loopback; the model is
a local OpenAI-compatible stand-in reached by the real litellm.

The daemon is restarted while both apps are open (what ``systemctl restart
regentra-worker`` does): the next mail must still become a ticket and the next reply
still leave, within the poll interval, because the daemon always wins the jobs.

Needs root, useradd, runuser, tmux and Dovecot; CI has them. Whatever existed at the
host paths is moved aside and put back (tests.helpers.host).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.helpers import dovecot
from tests.helpers.host import HOST_ETC, host_lock, set_aside
from tests.helpers.llm_standin import LlmStandIn
from tests.helpers.smtp import SUPPORT, Smtp
from tests.helpers.terminal import Terminal
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.slow

if os.geteuid() != 0 or shutil.which("useradd") is None or shutil.which("tmux") is None:
    if os.environ.get("CI"):
        raise RuntimeError("the day-one test needs root, useradd and tmux (CI has them)")
    pytest.skip("needs root, useradd and tmux", allow_module_level=True)
dovecot.require()

CHECKOUT = Path(__file__).resolve().parents[2]
PREFIX = Path("/opt/regentra")
DESK = Path("/srv/regentra")
LINK = Path("/usr/local/bin/regentra")
SERVICE_HOME = Path("/var/lib/regentra")
UNITS = [Path(f"/etc/systemd/system/regentra-{name}.service") for name in ("worker", "serve")]
"""``./dev install`` puts the units in place (systemd or not)."""
SERVICE = "regentra"
LOGIN_PATH = "/usr/local/bin:/usr/bin:/bin"
"""The PATH a login shell gives every account on Debian: nothing of the checkout."""
POLL_SECONDS = 10
SEND_SECONDS = 5
MODEL_DRAFT = "Please power-cycle the VPN appliance, then sign in again. (standin-model)"


@dataclass
class Host:
    group: str
    alice: str
    bob: str
    outsider: str


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{cmd}: {result.stdout}\n{result.stderr}"
    return result


def _login_env(user: str) -> list[str]:
    """What a login gives ``user``: its home, the login PATH and nothing of ours."""
    home = pwd.getpwnam(user).pw_dir
    return ["env", "-i", f"HOME={home}", f"PATH={LOGIN_PATH}", "LANG=C.UTF-8", f"USER={user}"]


def as_user(user: str, *args: str, umask: int = 0o022, env: tuple[str, ...] = ()) -> list[str]:
    """``regentra ARGS`` as ``user`` with its umask, found on the login PATH."""
    inner = f'umask {umask:03o} && exec regentra "$@"'
    return [
        "runuser",
        "-u",
        user,
        "--",
        *_login_env(user),
        *env,
        "sh",
        "-c",
        inner,
        "regentra",
        *args,
    ]


def regentra(
    user: str, *args: str, umask: int = 0o022, env: tuple[str, ...] = (), ok: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        as_user(user, *args, umask=umask, env=env), capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    if ok:
        assert result.returncode == 0, f"{user} {args}: {result.stdout}\n{result.stderr}"
    return result


SERVICE_ENV = ("REGENTRA_CONFIG=/etc/regentra/worker.toml",)
"""How the unit runs the daemon: its own settings file beside the host's."""


@pytest.fixture(scope="module")
def host() -> Iterator[Host]:
    """Fresh host paths and accounts, all put back afterwards."""
    try:
        pwd.getpwnam(SERVICE)
        existed = True
    except KeyError:
        existed = False
    if existed:
        pytest.skip(f"an account {SERVICE!r} exists here: the rehearsal would not own it")
    tag = uuid.uuid4().hex[:5]
    h = Host(f"hd{tag}", f"alice{tag}", f"bob{tag}", f"out{tag}")
    made: list[str] = []
    with host_lock(), set_aside(HOST_ETC, DESK, PREFIX, LINK, SERVICE_HOME, *UNITS):
        try:
            # The README's accounts, word for word but for the names.
            _run(["groupadd", h.group])
            _run(
                [
                    "useradd",
                    "--system",
                    "--create-home",
                    "--home-dir",
                    str(SERVICE_HOME),
                    "--gid",
                    h.group,
                    "--shell",
                    "/usr/sbin/nologin",
                    SERVICE,
                ]
            )
            made.append(SERVICE)
            for name in (h.alice, h.bob, h.outsider):
                groups = [] if name == h.outsider else ["-G", h.group]
                _run(["useradd", "--create-home", "--shell", "/bin/sh", *groups, name])
                made.append(name)
            yield h
        finally:
            for name in made:
                # Nothing of theirs may outlive the test (an app or daemon left
                # running would load every test after it).
                subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True, timeout=60)
                subprocess.run(["userdel", "--remove", name], capture_output=True, timeout=60)
            subprocess.run(["groupdel", h.group], capture_output=True, timeout=60)


class Daemon:
    """``regentra worker`` as the service account, as the unit starts it."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            as_user(SERVICE, "worker", env=SERVICE_ENV),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def stop(self) -> str:
        """SIGTERM, as systemd stops it; what it printed."""
        if self.proc is None:
            return ""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=60)
        self.proc = None
        return out


def lease_holder() -> str:
    """Who holds the jobs now, read straight from the desk (as root)."""
    with sqlite3.connect(f"file:{DESK / 'desk.db'}?mode=ro", uri=True) as con:
        row = con.execute(
            "SELECT holder, expires_at FROM worker_lease WHERE name = 'scheduler'"
        ).fetchone()
    return "" if row is None else str(row[0])


def daemon_holds() -> bool:
    holder = lease_holder()
    return holder.endswith(":worker") and ":tui-" not in holder


def mail(subject: str, body: str, sender: str = "carol@customer.example") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Carol <{sender}>"
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@customer.example>"
    msg["Date"] = "Fri, 04 Dec 2026 09:00:00 +0000"
    msg.set_content(body)
    return msg.as_bytes()


def ticket_numbers(user: str) -> dict[str, int]:
    listed = json.loads(regentra(user, "ticket", "list", "--json").stdout)
    return {t["subject"]: int(t["number"]) for t in listed}


def app(user: str, umask: int) -> Terminal:
    """The technician's app, as they start it after logging in over SSH."""
    env = " ".join(_login_env(user)[2:])
    inner = f"umask {umask:03o} && exec regentra"
    return Terminal(f"runuser -u {user} -- env -i {env} TERM=xterm-256color sh -c '{inner}'", {})


def test_day_one_on_a_fresh_host(host: Host) -> None:
    # -- install, as root, from the checkout (README: "A shared support host") ---------
    _run([*_login_env("root"), str(CHECKOUT / "dev"), "install"], cwd=CHECKOUT)
    assert LINK.resolve() == (PREFIX / ".venv" / "bin" / "regentra").resolve()
    regentra(host.alice, "--version")

    # -- the desk and its host config ----------------------------------------------------
    regentra("root", "init", "--shared", host.group, "--dir", str(DESK), "--lead", host.alice)
    assert (HOST_ETC / "config.toml").stat().st_mode & 0o777 == 0o644
    assert (HOST_ETC / "secrets").stat().st_mode & 0o777 == 0o700
    assert (HOST_ETC / "secrets").stat().st_uid == pwd.getpwnam(SERVICE).pw_uid
    regentra(host.alice, "technician", "add", host.bob)

    # -- channels and the model: names in the shared config, secrets for the daemon ----
    imap = dovecot.Dovecot()
    smtp = Smtp()
    model = LlmStandIn(default=MODEL_DRAFT).start()
    imap.start()
    smtp.start()
    daemon = Daemon()
    apps: list[Terminal] = []
    try:
        secrets = HOST_ETC / "secrets"
        for name, value in (("imap_password", dovecot.PASSWORD), ("ai_api_key", "sk-standin")):
            _run(
                ["install", "-m", "600", "-o", SERVICE, "/dev/stdin", str(secrets / name)],
                input=value,
            )
        with (HOST_ETC / "config.toml").open("a") as shared:
            shared.write(
                f'support_address = "{SUPPORT}"\n'
                'imap_host = "127.0.0.1"\n'
                f"imap_port = {imap.port}\n"
                'imap_security = "none"\n'
                f'imap_user = "{dovecot.USER}"\n'
                f"mail_poll_interval_seconds = {POLL_SECONDS}\n"
                'smtp_host = "127.0.0.1"\n'
                f"smtp_port = {smtp.port}\n"
                'smtp_security = "none"\n'
                f"mail_send_interval_seconds = {SEND_SECONDS}\n"
                'ai_model = "openai/standin"\n'
                f'ai_api_base = "{model.api_base}"\n'
            )
        with (HOST_ETC / "worker.toml").open("a") as own:
            own.write(
                f'imap_password_file = "{secrets / "imap_password"}"\n'
                f'ai_api_key_file = "{secrets / "ai_api_key"}"\n'
            )

        # -- the daemon, then two technicians with their apps open ---------------------
        daemon.start()
        assert wait_for(daemon_holds, 30), lease_holder()
        alice_app, bob_app = app(host.alice, 0o022), app(host.bob, 0o077)
        apps += [alice_app, bob_app]
        alice_app.wait_for("All open", 60)
        bob_app.wait_for("All open", 60)

        imap.deliver(mail("VPN drops every hour", "The VPN disconnects hourly since Monday."))
        assert wait_for(lambda: "VPN drops every hour" in ticket_numbers(host.bob), 60)

        # -- systemctl restart regentra-worker, with both apps open ---------------------
        daemon.stop()
        daemon.start()
        assert wait_for(daemon_holds, 20), f"the daemon did not win the jobs: {lease_holder()}"
        alice_app.wait_for("daemon", 20)

        delivered = time.monotonic()
        imap.deliver(mail("Printer offline", "The 3rd floor printer says offline."))
        assert wait_for(
            lambda: "Printer offline" in ticket_numbers(host.alice), POLL_SECONDS + 10
        ), f"no ticket within {time.monotonic() - delivered:.0f} s"
        number = ticket_numbers(host.alice)["Printer offline"]
        regentra(host.bob, "ticket", "reply", str(number), "--body", "Restarting the spooler.")
        assert wait_for(
            lambda: any(
                "Restarting the spooler" in m.get_content() for m, _ in smtp.inbox.received
            ),
            SEND_SECONDS + 15,
        ), "the reply was not sent"

        # -- a model draft for a technician who holds no key ----------------------------
        vpn = ticket_numbers(host.alice)["VPN drops every hour"]
        alice_app.keys(":")
        alice_app.wait_for("Go to # ticket number")
        alice_app.keys(str(vpn), "Enter")
        alice_app.wait_for("disconnects hourly")
        alice_app.keys("d")
        alice_app.wait_for("power-cycle the VPN appliance", 60)
        assert model.requests, "the model was never asked"
        assert not _can_read(host.alice, secrets / "ai_api_key")

        # -- doctor: clean for both technicians and for the service account -----------
        for user, umask in ((host.alice, 0o022), (host.bob, 0o077)):
            report = regentra(user, "doctor", umask=umask, ok=False)
            assert report.returncode == 0, report.stdout
            assert "No problems found" in report.stdout
        service_report = regentra(SERVICE, "doctor", env=SERVICE_ENV, ok=False)
        assert service_report.returncode == 0, service_report.stdout

        # -- nobody outside the group reads a byte of the desk or the secrets ----------
        for path in _everything(DESK) + [
            secrets,
            secrets / "imap_password",
            HOST_ETC / "worker.toml",
        ]:
            assert not _can_read(host.outsider, path), f"{host.outsider} reads {path}"
        assert _can_read(host.outsider, HOST_ETC / "config.toml")
        refused = regentra(host.outsider, "ticket", "list", ok=False)
        assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    finally:
        for term in apps:
            term.close()
        daemon.stop()
        model.stop()
        smtp.stop()
        imap.remove()


def _can_read(user: str, path: Path) -> bool:
    test = ["ls", str(path)] if path.is_dir() else ["test", "-r", str(path)]
    return subprocess.run(["runuser", "-u", user, "--", *test], capture_output=True).returncode == 0


def _everything(folder: Path) -> list[Path]:
    found = [folder]
    for root, dirs, files in os.walk(folder):
        found += [Path(root, n) for n in dirs + files]
    return found
