"""Mail intake: messages per second from a real Dovecot to indexed tickets.

Needs root and Debian's ``dovecot-imapd`` (as the tests). Delivers ``BENCH_MAILS``
(default 1000) messages (new requests, a quarter of them replies to earlier ones)
into a throwaway Dovecot on loopback, then, three times against a fresh desk each:

- baseline: fetch every message with imapclient (``BODY.PEEK[]``), nothing else;
- in process: ``Wiring.poll_mail()`` (parse, route, store with the cursor, flag)
  then drain the search outbox until every ticket is indexed;
- the real commands: ``regentra mail poll`` then ``regentra worker --once``, as the
  service account would run them (start-up included).

Target: at least 200 messages/s end to end. Prints medians and ratios.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

MAILS = int(os.environ.get("BENCH_MAILS", "1000"))
RUNS = 3


def _messages() -> list[bytes]:
    out = []
    for n in range(MAILS):
        msg = EmailMessage()
        msg["From"] = f"User {n % 97} <user{n % 97}@customer{n % 13}.example>"
        msg["To"] = "help@desk.example"
        msg["Message-ID"] = f"<bench{n}@mail.example>"
        if n % 4 == 3:
            msg["Subject"] = f"Re: Request {n - 3}"
            msg["In-Reply-To"] = f"<bench{n - 3}@mail.example>"
        else:
            msg["Subject"] = f"Request {n}: printer, VPN or mailbox trouble"
        msg.set_content(("The device stopped working this morning. " * 12 + "\n") * 4)
        out.append(msg.as_bytes())
    return out


def run() -> None:
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from tests.helpers import dovecot

    if not dovecot.available():
        print("mail_intake: needs root and dovecot-imapd; skipped")
        return
    from regentra_core.config import load_settings
    from regentra_core.wiring import Wiring, open_database, open_index

    server = dovecot.Dovecot()
    server.start()
    work = Path(tempfile.mkdtemp(prefix="regentra-bench-mail-"))
    try:
        server.deliver(*_messages())
        env = {
            **server.settings_env(work),
            "REGENTRA_MAIL_RATE_LIMIT": "100000",
            "REGENTRA_DATA_DIR": str(work / "data"),
            "REGENTRA_CONFIG": str(work / "none.toml"),
            "REGENTRA_SITE_CONFIG": str(work / "none-site.toml"),
        }
        os.environ.update(env)
        baseline, inproc, commands = [], [], []
        for run_no in range(RUNS):
            start = time.perf_counter()
            with server.client() as c:
                c.select_folder("INBOX", readonly=True)
                uids = c.search(["ALL"])
                for i in range(0, len(uids), 100):
                    c.fetch(uids[i : i + 100], ["BODY.PEEK[]"])
            baseline.append(time.perf_counter() - start)

            settings = load_settings()
            db = open_database(settings, str(work / f"inproc{run_no}.db"), create=True)
            wiring = Wiring(settings, db, open_index(settings, db))
            start = time.perf_counter()
            report = wiring.poll_mail()
            while wiring.index.drain():
                pass
            inproc.append(time.perf_counter() - start)
            assert report.fetched == MAILS, report.summary()
            wiring.index.close()
            db.close()

            path = str(work / f"cmd{run_no}.db")
            regentra = str(Path(sys.executable).with_name("regentra"))
            subprocess.run([regentra, "--db", path, "init"], check=True, capture_output=True)
            start = time.perf_counter()
            subprocess.run(
                [regentra, "--db", path, "mail", "poll"], check=True, capture_output=True
            )
            subprocess.run(
                [regentra, "--db", path, "worker", "--once"], check=True, capture_output=True
            )
            commands.append(time.perf_counter() - start)
        for label, times in (
            ("IMAP fetch only (baseline)", baseline),
            ("poll + index, in process", inproc),
            ("regentra mail poll + worker --once", commands),
        ):
            median = statistics.median(times)
            print(
                f"mail_intake: {label}: median {median:.2f} s for {MAILS} messages = "
                f"{MAILS / median:.0f} msg/s (min {min(times):.2f}, max {max(times):.2f}); "
                f"{median / statistics.median(baseline):.1f}x the fetch alone"
            )
    finally:
        server.remove()
        import shutil

        shutil.rmtree(work, ignore_errors=True)
