"""kill -9 of the worker daemon while it ingests 500 messages from a real Dovecot.

After every kill, every message the mailbox shows as read must already be stored
(never flagged before stored); after the last restart, every message is exactly
one ticket. Marked slow: it runs with ``./dev test``'s slow pass.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from email.message import EmailMessage

import pytest

from tests.cli.conftest import REGENTRA
from tests.helpers import dovecot

pytestmark = pytest.mark.slow

dovecot.require()

COUNT = 500


def _message(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"User {n} <user{n}@customer{n % 7}.example>"
    msg["To"] = "help@desk.example"
    msg["Subject"] = f"Request {n}"
    msg["Message-ID"] = f"<req{n}@crash.example>"
    msg.set_content(f"Please help with thing {n}.")
    return msg.as_bytes()


def _seen_ids(server: dovecot.Dovecot) -> set[str]:
    with server.client() as c:
        c.select_folder("INBOX", readonly=True)
        uids = c.search(["SEEN"])
        if not uids:
            return set()
        fetched = c.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    ids = set()
    for data in fetched.values():
        header = data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().strip()
        ids.add(header.split(":", 1)[1].strip())
    return ids


def _stored_ids(db: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("select external_id from inbound_message")]


def test_kill_9_at_random_points_loses_and_doubles_nothing(tmp_path):
    server = dovecot.Dovecot()
    server.start()
    try:
        server.deliver(*(_message(n) for n in range(COUNT)))
        db = str(tmp_path / "desk.db")
        env = {
            **os.environ,
            **server.settings_env(tmp_path),
            "REGENTRA_MAIL_POLL_INTERVAL_SECONDS": "0.2",
            "REGENTRA_MAIL_RATE_LIMIT": "1000",
            "REGENTRA_WORKER_LEASE_SECONDS": "1",
            "REGENTRA_WORKER_HEARTBEAT_SECONDS": "0.2",
        }
        assert (
            subprocess.run([REGENTRA, "--db", db, "init"], env=env, capture_output=True).returncode
            == 0
        )
        rng = random.Random(9)
        kills = 0
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            daemon = subprocess.Popen(
                [REGENTRA, "--db", db, "worker"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            # Killed after a random number of further messages is stored (or a time
            # limit): a fixed sleep let a fast daemon ingest all 500 in one life.
            target = len(_stored_ids(db)) + rng.randint(20, 150)
            started = time.monotonic()
            while time.monotonic() - started < 8 and len(_stored_ids(db)) < target:
                time.sleep(rng.uniform(0.005, 0.03))
            daemon.send_signal(signal.SIGKILL)
            daemon.wait(30)
            kills += 1
            stored = _stored_ids(db)
            assert len(stored) == len(set(stored)), "a message was stored twice"
            flagged_before_stored = _seen_ids(server) - set(stored)
            assert not flagged_before_stored, f"flagged before stored: {flagged_before_stored}"
            if len(stored) == COUNT:
                break
            time.sleep(1.1)  # let the dead holder's lease expire
        stored = _stored_ids(db)
        assert sorted(stored) == sorted(f"<req{n}@crash.example>" for n in range(COUNT))
        with sqlite3.connect(db) as conn:
            tickets = conn.execute("select count(*) from ticket").fetchone()[0]
        assert tickets == COUNT
        assert kills >= 2
    finally:
        server.remove()
