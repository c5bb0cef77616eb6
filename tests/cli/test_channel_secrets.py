"""A channel command run by an account that does not hold the channel's secret.

On a shared host the IMAP and SMTP passwords are the service account's. A
technician's ``regentra mail poll`` (or ``worker --once``) logged in to the mail
server without a password, a real failed login each time (fail2ban and providers
count them), and said ``cannot read INBOX on ...: b'[AUTHENTICATIONFAILED]
Authentication failed.'``. It says whose secret it is and connects to nothing.
"""

from __future__ import annotations

import socket
import threading

import pytest


@pytest.fixture
def listener():
    """A loopback port that counts the connections made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            accepted.append(conn)
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield sock.getsockname()[1], accepted
    stop.set()
    thread.join(2)
    sock.close()


def test_mail_poll_without_the_password_says_whose_it_is_and_connects_to_nothing(
    regentra, listener, monkeypatch
):
    port, accepted = listener
    monkeypatch.setenv("REGENTRA_IMAP_HOST", "127.0.0.1")
    monkeypatch.setenv("REGENTRA_IMAP_PORT", str(port))
    monkeypatch.setenv("REGENTRA_IMAP_SECURITY", "none")
    monkeypatch.setenv("REGENTRA_IMAP_USER", "desk")
    result = regentra("mail", "poll")
    assert result.exit_code == 1
    assert "the IMAP secret (imap_password) is not set for this account" in result.output
    assert "runuser -u regentra" in result.output
    assert "AUTHENTICATIONFAILED" not in result.output and "Traceback" not in result.output
    assert not accepted


def test_worker_once_without_the_smtp_password_sends_nothing_and_says_why(
    regentra, listener, monkeypatch
):
    port, accepted = listener
    monkeypatch.setenv("REGENTRA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REGENTRA_SMTP_PORT", str(port))
    monkeypatch.setenv("REGENTRA_SMTP_SECURITY", "none")
    monkeypatch.setenv("REGENTRA_SMTP_USER", "help@desk.example")
    monkeypatch.setenv("REGENTRA_SUPPORT_ADDRESS", "help@desk.example")
    result = regentra("worker", "--once")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the SMTP secret (smtp_password) is not set for this account" in result.output
    assert not accepted
