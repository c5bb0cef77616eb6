"""Mail intake: messages per second from a real Dovecot to indexed tickets.

Needs root and Debian's ``dovecot-imapd`` (as the tests). Delivers ``BENCH_MAILS``
(default 1000) messages (new requests, a quarter of them replies to earlier ones)
into a throwaway Dovecot on loopback, then, three times against a fresh desk each:

- baseline: fetch every message with imapclient (``BODY.PEEK[]``), nothing else;
- in process: ``Wiring.poll_mail()`` (parse, route, store with the cursor, flag)
  then drain the search outbox until every ticket is indexed;
- the real commands: ``regentra mail poll`` then ``regentra worker --once``, as the
  service account would run them (start-up included);
- the daemon a desk runs, ``regentra worker``, already running: from the first
  message appended to its folder until every message is stored and the search
  outbox is empty (it stores and indexes at once, in two processes).

Target: at least 200 messages/s end to end. Prints medians and ratios.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

MAILS = int(os.environ.get("BENCH_MAILS", "1000"))
RUNS = 3


def _vocabulary() -> list[str]:
    """English words by frequency, from this project's own documentation."""
    root = Path(__file__).parents[1]
    counts: dict[str, int] = {}
    for doc in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for word in re.findall(r"[A-Za-z]{2,}", doc.read_text(encoding="utf-8")):
            counts[word.lower()] = counts.get(word.lower(), 0) + 1
    return sorted(counts, key=lambda w: -counts[w])


def _body(rnd: random.Random, words: list[str], weights: list[float]) -> str:
    """About 300 words drawn by Zipf's law, as a customer writes: the analyzer's
    stem cache sees what it would see in real mail, not one sentence repeated."""
    picked = rnd.choices(words, weights, k=300)
    return "\n".join(" ".join(picked[i : i + 12]) for i in range(0, len(picked), 12))


def _messages() -> list[bytes]:
    out = []
    words = _vocabulary()
    weights = [1 / rank for rank in range(1, len(words) + 1)]
    rnd = random.Random(42)
    subjects: dict[int, str] = {}
    for n in range(MAILS):
        msg = EmailMessage()
        # A reply comes from whoever wrote the request it answers.
        who = n - 3 if n % 4 == 3 else n
        msg["From"] = f"User {who % 97} <user{who % 97}@customer{who % 13}.example>"
        msg["To"] = "help@desk.example"
        msg["Message-ID"] = f"<bench{n}@mail.example>"
        if n % 4 == 3:
            msg["Subject"] = f"Re: {subjects[n - 3]}"
            msg["In-Reply-To"] = f"<bench{n - 3}@mail.example>"
        else:
            # Subjects differ as real ones do: one repeated subject is a ticket spike
            # (issue #13), which links and escalates every ticket of the run.
            msg["Subject"] = " ".join(rnd.choices(words[20:400], k=rnd.randint(3, 8))).capitalize()
        subjects[n] = str(msg["Subject"])
        msg.set_content(_body(rnd, words, weights))
        out.append(msg.as_bytes())
    return out


def _daemon_run(regentra: str, path: str, server: object, folder: str) -> float:
    """Seconds from all the messages reaching the folder of a running ``regentra
    worker`` (moved in by one IMAP MOVE, as after a mail outage) until every message
    is a ticket or reply and the search outbox is empty (all of it searchable). The
    daemon is started first and left to settle, as on a desk where it runs all day;
    it polls every second here (60 by default)."""
    subprocess.run([regentra, "--db", path, "init"], check=True, capture_output=True)
    env = {**os.environ, "REGENTRA_MAIL_POLL_INTERVAL_SECONDS": "1", "REGENTRA_IMAP_FOLDER": folder}
    staging = f"{folder}-staging"
    with server.client() as c:  # type: ignore[attr-defined]
        c.create_folder(folder)
        c.create_folder(staging)
    server.deliver(*_messages(), folder=staging)  # type: ignore[attr-defined]
    daemon = subprocess.Popen(
        [regentra, "--db", path, "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(5)
        with server.client() as c:  # type: ignore[attr-defined]
            c.select_folder(staging)
            uids = c.search(["ALL"])
            start = time.perf_counter()
            c.move(uids, folder)  # all of it arrives at once, as after a mail outage
        while time.perf_counter() - start < 600:
            time.sleep(0.05)
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as con:
                stored = con.execute("SELECT count(*) FROM inbound_message").fetchone()[0]
                queued = con.execute("SELECT count(*) FROM index_outbox").fetchone()[0]
            if stored == MAILS and queued == 0:
                return time.perf_counter() - start
        raise RuntimeError(f"the daemon stored {stored} of {MAILS} in 10 minutes")
    finally:
        daemon.terminate()
        daemon.wait(30)


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
        baseline, inproc, commands, poll_only, daemon = [], [], [], [], []
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
            wiring.index_backlog()
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
            polled = time.perf_counter()
            subprocess.run(
                [regentra, "--db", path, "worker", "--once"], check=True, capture_output=True
            )
            commands.append(time.perf_counter() - start)
            poll_only.append(polled - start)
            daemon.append(
                _daemon_run(regentra, str(work / f"daemon{run_no}.db"), server, f"Daemon{run_no}")
            )
        for label, times in (
            ("IMAP fetch only (baseline)", baseline),
            ("poll + index, in process", inproc),
            ("regentra mail poll alone", poll_only),
            ("regentra mail poll + worker --once", commands),
            ("a running regentra worker daemon, mail delivered to it", daemon),
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
