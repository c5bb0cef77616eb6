"""kill -9 of the worker daemon while it reads 600 SMS from Twilio's log (a local
stand-in of Twilio's API, read by the real ``twilio`` client in the daemon).

After every kill nothing is stored twice; after the last restart every SMS is
exactly one ticket. The cursor is written with each batch, so a restart reads on
from the last stored batch (and the overlap it re-reads is only duplicates).
Marked slow: it runs with ``./dev test``'s slow pass.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.cli.conftest import REGENTRA
from tests.helpers.twilio_standin import NUMBER, SID, TOKEN, TwilioStandIn

pytestmark = pytest.mark.slow

COUNT = 600


def _stored_ids(db: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("select external_id from inbound_message")]


def test_kill_9_while_polling_sms_loses_and_doubles_nothing(tmp_path):
    twilio = TwilioStandIn().start()
    try:
        start = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)  # RFC 2822
        sids = {
            twilio.inbound(f"+1555010{n:04d}", f"SMS number {n}", at=start + timedelta(seconds=n))
            for n in range(COUNT)
        }
        db = str(tmp_path / "desk.db")
        env = {
            **os.environ,
            "REGENTRA_TWILIO_ACCOUNT_SID": SID,
            "REGENTRA_TWILIO_AUTH_TOKEN": TOKEN,
            "REGENTRA_TWILIO_NUMBER": NUMBER,
            "REGENTRA_TWILIO_API_BASE": twilio.base_url,
            "REGENTRA_SMS_POLL_INTERVAL_SECONDS": "0.2",
            "REGENTRA_MAIL_RATE_LIMIT": "1000",
            "REGENTRA_WORKER_LEASE_SECONDS": "1",
            "REGENTRA_WORKER_HEARTBEAT_SECONDS": "0.2",
        }
        init = subprocess.run([REGENTRA, "--db", db, "init"], env=env, capture_output=True)
        assert init.returncode == 0, init.stderr
        rng = random.Random(11)
        kills = 0
        deadline = time.monotonic() + 600  # a loaded host stores slowly
        while time.monotonic() < deadline:
            daemon = subprocess.Popen(
                [REGENTRA, "--db", db, "worker"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            # Killed after a random number of further SMS is stored (or a time limit):
            # a fixed 1.5-3.5 s let a fast daemon store all 600 in one life.
            target = len(_stored_ids(db)) + rng.randint(20, 150)
            started = time.monotonic()
            while time.monotonic() - started < 8 and len(_stored_ids(db)) < target:
                time.sleep(rng.uniform(0.005, 0.03))
            daemon.send_signal(signal.SIGKILL)
            daemon.wait(30)
            kills += 1
            stored = _stored_ids(db)
            assert len(stored) == len(set(stored)), "an SMS was stored twice"
            if len(stored) == COUNT:
                break
            time.sleep(1.1)  # let the dead holder's lease expire
        stored = set(_stored_ids(db))
        assert len(stored) == COUNT, f"{len(stored)} of {COUNT} SMS stored before the deadline"
        assert stored == sids
        with sqlite3.connect(db) as conn:
            tickets = conn.execute("select count(*) from ticket").fetchone()[0]
            cursor = conn.execute("select position from channel_cursor").fetchone()[0]
        assert tickets == COUNT
        assert datetime.fromisoformat(cursor) == start + timedelta(seconds=COUNT - 1)
        assert kills >= 2
    finally:
        twilio.stop()
