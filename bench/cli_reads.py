"""``regentra ticket show`` and ``ticket list`` on the seeded desk, as typed (#30).

The target: under 0.3 s, within 0.25 s of ``python -c pass``, on the 100k desk
with its 1,000,000 replies. On a copy of the seeded desk (``bench/desk.py``), each
command run ``BENCH_RUNS`` times (default 5) interleaved with the baseline, and
the medians printed beside it:

- ``ticket show LONG_TICKET`` on a terminal (a pseudo-terminal of 120x40, so Rich
  draws in colour as for a person), then piped, then ``--json``;
- ``ticket list --json --status open``, and ``ticket list`` on the terminal.

The desk is named as a technician's host names it: no ``--db``, the environment's
``REGENTRA_DATABASE_URL`` (config paths point into the bench's folder, so nothing
reads /etc/regentra).
"""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

from .desk import LONG_TICKET, seeded_desk

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SIZE = (40, 120)
"""Rows and columns of the pseudo-terminal."""


def _timed(argv: list[str], env: dict[str, str], *, terminal: bool) -> float:
    """Wall seconds of ``argv``, its output to a pseudo-terminal (read as it comes,
    as a terminal would) or to /dev/null."""
    if not terminal:
        start = time.perf_counter()
        subprocess.run(
            argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        return time.perf_counter() - start
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", *SIZE, 0, 0))
    reader = threading.Thread(target=_drain, args=(leader,), daemon=True)
    reader.start()
    try:
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=follower, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start
    finally:
        os.close(follower)
        reader.join(timeout=10)
        os.close(leader)


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:  # the follower closed
        pass


def run() -> None:
    python = sys.executable
    regentra = str(Path(python).with_name("regentra"))
    source = seeded_desk()
    work = Path(tempfile.mkdtemp(prefix="regentra-bench-cli-"))
    desk = work / "desk.db"
    shutil.copyfile(source, desk)
    env = {
        **os.environ,
        "REGENTRA_DATABASE_URL": f"sqlite:///{desk}",
        "REGENTRA_DATA_DIR": str(work / "data"),
        "REGENTRA_CONFIG": str(work / "none.toml"),
        "REGENTRA_SITE_CONFIG": str(work / "none-site.toml"),
        "TERM": "xterm-256color",
    }
    show = [regentra, "ticket", "show", str(LONG_TICKET)]
    listing = [regentra, "ticket", "list"]
    cases = {
        "python -c pass (baseline)": ([python, "-c", "pass"], False),
        f"ticket show {LONG_TICKET}, on a terminal": (show, True),
        f"ticket show {LONG_TICKET}, piped": (show, False),
        f"ticket show {LONG_TICKET} --json": ([*show, "--json"], False),
        "ticket list --json --status open": ([*listing, "--json", "--status", "open"], False),
        "ticket list --status open, on a terminal": ([*listing, "--status", "open"], True),
    }
    for argv, terminal in cases.values():  # once each: the desk's pages in the OS cache
        _timed(argv, env, terminal=terminal)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(RUNS):
        for name, (argv, terminal) in cases.items():
            times[name].append(_timed(argv, env, terminal=terminal))
    base = statistics.median(times["python -c pass (baseline)"])
    print(f"cli_reads: {RUNS} runs each, interleaved; load {os.getloadavg()[0]:.2f}")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:<44} median {median:.3f} s  (min {min(values):.3f}, "
            f"max {max(values):.3f})  over baseline {median - base:+.3f} s"
        )
    shutil.rmtree(work, ignore_errors=True)
