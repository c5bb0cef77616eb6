"""A throwaway Dovecot IMAP server on a loopback port, with one mailbox.

Debian's ``dovecot-imapd`` (``.ci/run`` installs it), configured entirely inside a
temporary folder: its own base and state dirs, log, passwd-file, and a maildir
owned by the ``dovecot`` account (imap-login refuses root; mail may not be read as
a uid below ``first_valid_uid``). See ../shared/notes/dovecot-test-server.md.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

from .certs import make_certs

USER = "desk"
PASSWORD = "desk-secret"


def available() -> bool:
    return shutil.which("dovecot") is not None and os.geteuid() == 0


def require() -> None:
    """Skip the calling test module where Dovecot cannot run; under CI, fail instead
    (``.ci/run`` installs it, so a missing server there is a broken set-up)."""
    import pytest

    if available():
        return
    if os.environ.get("CI"):
        raise RuntimeError("the IMAP tests need dovecot (.ci/run installs dovecot-imapd)")
    pytest.skip("needs root and Debian's dovecot-imapd", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Dovecot:
    """Started in a fresh folder under /tmp that Dovecot's own accounts can enter
    (pytest's tmp folders are root-only, so its auth process could not read the
    passwd-file); :meth:`remove` deletes it."""

    def __init__(self, *, tls: bool = False) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="regentra-dovecot-"))
        self.folder.chmod(0o755)
        self.port = _free_port()
        self.certs = make_certs(self.folder / "tls") if tls else None
        """With ``tls``: STARTTLS on :attr:`port` and implicit TLS on :attr:`tls_port`,
        with a certificate for 127.0.0.1 from a CA of our own (``certs.ca``)."""
        self.tls_port = _free_port() if tls else 0
        self.base = self.folder / "run"
        self.home = self.folder / "home"
        self.uid = pwd.getpwnam("dovecot").pw_uid
        self.gid = grp.getgrnam("dovecot").gr_gid

    def start(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        (self.home / "Maildir").mkdir(parents=True, exist_ok=True)
        for path in (self.home, self.home / "Maildir"):
            os.chown(path, self.uid, self.gid)
        users = self.folder / "users"
        users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{self.uid}:{self.gid}::{self.home}\n")
        users.chmod(0o644)  # Dovecot's auth process reads it, whatever our umask
        conf = self.folder / "dovecot.conf"
        conf.write_text(
            f"""
base_dir = {self.base}
state_dir = {self.base}/state
instance_name = regentra-test-{self.port}
log_path = {self.folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
{self._ssl_settings()}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
passdb {{
  driver = passwd-file
  args = {users}
}}
userdb {{
  driver = passwd-file
  args = {users}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    {self._imaps_listener()}
  }}
}}
"""
        )
        subprocess.run(
            ["dovecot", "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            timeout=30,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not listen: {(self.folder / 'dovecot.log').read_text()}")

    def _ssl_settings(self) -> str:
        if self.certs is None:
            return "ssl = no"
        return f"ssl = yes\nssl_cert = <{self.certs.cert}\nssl_key = <{self.certs.key}"

    def _imaps_listener(self) -> str:
        if self.certs is None:
            return "port = 0"
        return f"address = 127.0.0.1\n    port = {self.tls_port}\n    ssl = yes"

    def stop(self) -> None:
        """Stop the server (it may be started again); idempotent."""
        pid_file = self.base / "master.pid"
        if pid_file.exists():
            try:
                pid = int(pid_file.read_text().strip())
                os.kill(pid, 15)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    os.kill(pid, 0)
                    time.sleep(0.05)
            except (ProcessLookupError, ValueError):
                pass

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def client(self) -> IMAPClient:
        c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        c.login(USER, PASSWORD)
        return c

    def settings_env(self, secrets: Path) -> dict[str, str]:
        """``REGENTRA_IMAP_*`` for this mailbox; the password goes in a file in ``secrets``."""
        secret = secrets / "imap_password"
        secret.write_text(PASSWORD)
        return {
            "REGENTRA_IMAP_HOST": "127.0.0.1",
            "REGENTRA_IMAP_PORT": str(self.port),
            "REGENTRA_IMAP_SECURITY": "none",
            "REGENTRA_IMAP_USER": USER,
            "REGENTRA_IMAP_PASSWORD_FILE": str(secret),
        }

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        with self.client() as c:
            for raw in messages:
                c.append(folder, raw)
