"""A real desk's size, measured in the processes a technician starts (#14, #30).

On a copy of the seeded desk (``bench/desk.py``: 100,000 tickets, 1,000,000
replies, ticket ``LONG_TICKET`` with 500 replies; ``./dev bench scale --1m`` for
1,000,000 tickets), each figure beside its baseline in the same run, interleaved,
medians of ``BENCH_RUNS`` (default 5):

- CLI start-up: ``regentra --version``, ``regentra ticket show LONG_TICKET`` and
  ``regentra ticket list --json --status open`` beside ``python -c pass``;
- ``regentra worker --once`` on the fresh copy (the first: it records an SLA badge
  on every ticket), then again and again (steady, as with a daemon running);
- search in process as the app asks it, beside SQLite FTS5 over the same text
  (``bench/scale_search.py``: rare, common, two words, prefix);
- then, on that desk, the app in tmux at 120x40, as a technician starts it: from
  launch until the first card is on screen, beside a bare Textual app until its one
  line is; the app's peak RSS beside the bare app's;
- ``:N`` Enter until the long ticket's newest reply is on screen (20 times, p50 and
  p95), beside a bare app pushing a screen with a 500-line log until its last line
  is (issue #30's floor);
- a priority filter change on the board (the quick key ``!``, and the checklist:
  Any -> Critical and back) and on the list, from the key that applies it until the
  new counts are on screen, beside a bare app replacing every row of a full-screen
  ``DataTable`` on a key (issue #30's floor), p50 and p95;
- a common word typed into the board's search box in one burst, until the Open
  column shows the right count (each time another word);
- the app idle on the board with its embedded worker for ``BENCH_IDLE_MINUTES``
  (default 30), its RSS sampled each minute;
- mail intake (``bench/mail_intake.py``, when Dovecot is here).

Needs tmux. Prints medians and ratios; copy them into docs/BENCHMARKS.md.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from . import scale_search
from .desk import LONG_LAST_WORD, LONG_TICKET, copy_of_desk, seeded_desk
from .search import build_fts5

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SIZE = (120, 40)
BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    BINDINGS = [("x", "flip", "")]

    def compose(self):
        yield Static("bare app ready")

    def action_flip(self):
        self.flipped = not getattr(self, "flipped", False)
        self.query_one(Static).update("bare app flipped" if self.flipped else "bare app ready")

Bare().run()
"""
BARE_TABLE = """
from textual.app import App
from textual.widgets import DataTable

class BareTable(App):
    \"\"\"A full-screen DataTable whose every row is replaced on a key (x).\"\"\"

    BINDINGS = [("x", "swap", "")]

    def compose(self):
        yield DataTable(cursor_type="row")

    def on_mount(self):
        table = self.query_one(DataTable)
        table.styles.height = "100%"
        table.add_columns("#", "Subject", "Status", "Priority", "Client", "SLA")
        self.generation = 0
        self._fill()

    def _fill(self):
        table = self.query_one(DataTable)
        table.clear()
        tag = f"gen{self.generation:04d}"
        for i in range(60):
            table.add_row(
                str(10000 + i + self.generation * 100),
                f"{tag} Request {i}: printer, VPN or mailbox trouble",
                "Open", "HIGH", "Acme Ltd", "On Track 3h",
            )

    def action_swap(self):
        self.generation += 1
        self._fill()

BareTable().run()
"""
"""The floor for a filter change: a bare Textual app replacing a full-screen
``DataTable``'s rows on a key (issue #30's baseline), its first row naming the set."""
BARE_LOG = """
from textual.app import App
from textual.screen import Screen
from textual.widgets import Log, Static

class Thread(Screen):
    BINDINGS = [("escape", "app.pop_screen", "")]

    def compose(self):
        yield Log()

    def on_mount(self):
        log = self.query_one(Log)
        log.write_lines(f"reply {n}: the printer on floor 2 jams again" for n in range(499))
        log.write_line("reply 499: lastlogword")

class BareLog(App):
    \"\"\"A key (x) pushes a screen with a 500-line log, scrolled to its end.\"\"\"

    BINDINGS = [("x", "open", "")]

    def compose(self):
        yield Static("bare app ready")

    def action_open(self):
        self.push_screen(Thread())

BareLog().run()
"""
"""The floor for ``:N``: a bare Textual app pushing a screen with a 500-line log
(issue #30's baseline), until the log's last line is on screen."""
_SOCKET = f"regentra-bench-{os.getpid()}"
"""A tmux server of the bench's own, kept up by a keeper session (a server whose last
session ends exits, and the next session raced its exit)."""
_CARD = re.compile(r"#\d{4,}\s+(LOW|MED|HIGH|CRIT)")
_BOARD_COUNT = re.compile(r"Open\s+([\d,]+)")
_LIST_COUNT = re.compile(r"of ([\d,]+) by")
FILTER_RUNS = int(os.environ.get("BENCH_FILTER_RUNS", "10"))
IDLE_MINUTES = float(os.environ.get("BENCH_IDLE_MINUTES", "30"))
"""How long the app sits idle with its embedded worker while its RSS is sampled
(0: not measured)."""


def _timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


class _Pane:
    """A command in a detached tmux session, read the way a person reads a screen."""

    def __init__(self, command: str, env: dict[str, str]) -> None:
        self.name = f"bench{os.getpid()}{time.monotonic_ns() % 100000}"
        exports = " ".join(f"{k}={_quote(v)}" for k, v in env.items() if k.startswith("REGENTRA"))
        self.start = time.perf_counter()
        subprocess.run(
            [
                "tmux",
                "-L",
                _SOCKET,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(SIZE[0]),
                "-y",
                str(SIZE[1]),
                f"env {exports} {command}; sleep 600",
            ],
            check=True,
        )

    def text(self) -> str:
        out = subprocess.run(
            ["tmux", "-L", _SOCKET, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
        )
        return out.stdout

    def wait_for(self, seen: Callable[[str], bool], timeout: float = 120.0) -> float:
        """Seconds from ``self.start`` until ``seen`` holds for the screen."""
        while time.perf_counter() - self.start < timeout:
            if seen(self.text()):
                return time.perf_counter() - self.start
            time.sleep(0.01)
        raise RuntimeError(f"not on screen within {timeout:.0f} s:\n{self.text()}")

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "-L", _SOCKET, "send-keys", "-t", self.name, *keys], check=True)

    def peak_rss_mib(self, name: str) -> float:
        """The peak resident size of the pane's process named ``name``."""
        return self._memory_mib(name, "VmHWM")

    def rss_mib(self, name: str) -> float:
        """The resident size now of the pane's process named ``name``."""
        return self._memory_mib(name, "VmRSS")

    def _memory_mib(self, name: str, field: str) -> float:
        pane_pid = subprocess.run(
            ["tmux", "-L", _SOCKET, "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[0]
        for pid in _descendants(pane_pid):  # the pane's shell names it too
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if name in cmdline and "sleep" not in cmdline.split()[0]:
                peak = re.search(field + r":\s+(\d+) kB", status)
                if peak:
                    return int(peak.group(1)) / 1024
        raise RuntimeError(f"no process {name!r} in the pane")

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-L", _SOCKET, "kill-session", "-t", self.name], capture_output=True
        )


def _descendants(pid: str) -> list[str]:
    out = subprocess.run(["pgrep", "-P", pid], capture_output=True, text=True).stdout.split()
    found = list(out)
    for child in out:
        found += _descendants(child)
    return found


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _count(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    return found.group(1) if found else None


def _filter_changes(pane: _Pane, pattern: re.Pattern[str]) -> list[float]:
    """Seconds from the Enter that applies a priority filter (Critical, then Any
    again) until the screen's count changes; the filter bar is reached with ``/``
    and two tabs, as a technician reaches it."""
    pane.keys("/")
    time.sleep(0.3)
    pane.keys("Tab", "Tab")
    time.sleep(0.3)
    samples = []
    for i in range(2 * FILTER_RUNS):
        before = _count(pattern, pane.text())
        pane.keys("Enter")  # open the checklist
        time.sleep(0.4)
        pane.keys("C-n")  # none ticked
        time.sleep(0.2)
        if i % 2 == 0:
            pane.keys("Space")  # Critical
            time.sleep(0.2)
        pane.start = time.perf_counter()
        pane.keys("Enter")
        samples.append(pane.wait_for(lambda t, was=before: _count(pattern, t) not in (None, was)))
        time.sleep(0.3)
    pane.keys("Escape")
    time.sleep(0.3)
    return samples


def _quick_filter_changes(pane: _Pane, pattern: re.Pattern[str]) -> list[float]:
    """Seconds from ``!`` (High and Critical only, then every priority again) until
    the screen's count changes."""
    samples = []
    for _ in range(2 * FILTER_RUNS):
        before = _count(pattern, pane.text())
        pane.start = time.perf_counter()
        pane.keys("!")
        samples.append(pane.wait_for(lambda t, was=before: _count(pattern, t) not in (None, was)))
        time.sleep(0.3)
    return samples


def _flips(pane: _Pane) -> list[float]:
    samples = []
    for i in range(2 * FILTER_RUNS):
        line = "bare app flipped" if i % 2 == 0 else "bare app ready"
        pane.start = time.perf_counter()
        pane.keys("x")
        samples.append(pane.wait_for(lambda t, want=line: want in t))
        time.sleep(0.2)
    return samples


def _table_swaps(pane: _Pane) -> list[float]:
    """Seconds from ``x`` until the bare table's first row names the new set."""
    samples = []
    for generation in range(1, 2 * FILTER_RUNS + 1):
        pane.start = time.perf_counter()
        pane.keys("x")
        samples.append(pane.wait_for(lambda t, tag=f"gen{generation:04d}": tag in t))
        time.sleep(0.2)
    return samples


def _log_opens(pane: _Pane) -> list[float]:
    """Seconds from ``x`` until the pushed log's last line is on screen."""
    samples = []
    for _ in range(2 * FILTER_RUNS):
        pane.start = time.perf_counter()
        pane.keys("x")
        samples.append(pane.wait_for(lambda t: "lastlogword" in t))
        pane.keys("Escape")
        pane.wait_for(lambda t: "bare app ready" in t)
        time.sleep(0.2)
    return samples


def _fts5_of(desk: Path) -> Path:
    """SQLite FTS5 over the seeded desk's text (subject; description and replies),
    built once beside it in the cache (about a minute)."""
    path = seeded_desk().with_suffix(".fts5.db")
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    build_fts5(desk, partial)
    partial.rename(path)
    return path


def _percentiles(label: str, values: list[float], base: list[float] | None = None) -> None:
    def p(v: list[float]) -> tuple[float, float]:
        return statistics.median(v) * 1000, statistics.quantiles(v, n=100)[94] * 1000

    p50, p95 = p(values)
    line = f"scale: {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms (n={len(values)})"
    if base:
        b50, b95 = p(base)
        line += f"; baseline p50 {b50:.1f} ms, p95 {b95:.1f} ms"
        line += f"; {p50 / b50:.1f}x / {p95 / b95:.1f}x"
    print(line, flush=True)


def _report(
    label: str, values: list[float], base: list[float] | None = None, unit: str = "s"
) -> None:
    median = statistics.median(values)
    line = (
        f"scale: {label}: median {median:.3f} {unit} (min {min(values):.3f}, max {max(values):.3f})"
    )
    if base:
        b = statistics.median(base)
        line += f"; baseline median {b:.3f} {unit}, {median / b:.1f}x, {median - b:+.3f} {unit}"
    print(line, flush=True)


def _idle_rss(regentra: str, env: dict[str, str]) -> None:
    """The app left on the board with its embedded worker, as over a lunch break:
    its resident size sampled each minute (``VmRSS``; the indexer child apart)."""
    pane = _Pane(f"{regentra}", env)
    samples: list[tuple[float, float]] = []
    try:
        pane.wait_for(lambda t: bool(_CARD.search(t)))
        start = time.perf_counter()
        end = start + IDLE_MINUTES * 60
        while True:
            samples.append(((time.perf_counter() - start) / 60, pane.rss_mib(regentra)))
            if time.perf_counter() >= end:
                break
            time.sleep(min(60.0, max(0.0, end - time.perf_counter())))
    finally:
        pane.close()
    shown = ", ".join(f"{minute:.0f} min {mib:.1f}" for minute, mib in samples)
    half = samples[len(samples) // 2][1]
    print(
        f"scale: regentra RSS idle on the board with its embedded worker (MiB): {shown}; "
        f"the last half grew {samples[-1][1] - half:+.1f} MiB",
        flush=True,
    )


def run() -> None:
    if shutil.which("tmux") is None:
        print("scale: needs tmux; skipped")
        return
    python = sys.executable
    regentra = str(Path(python).with_name("regentra"))
    seeded_desk()
    work = Path(tempfile.mkdtemp(prefix="regentra-bench-scale-"))
    env = {
        **os.environ,
        "REGENTRA_DATA_DIR": str(work / "data"),
        "REGENTRA_CONFIG": str(work / "none.toml"),
        "REGENTRA_SITE_CONFIG": str(work / "none-site.toml"),
        "TERM": "xterm-256color",
    }
    bare = work / "bare_app.py"
    bare.write_text(BARE_APP)
    bare_table = work / "bare_table.py"
    bare_log = work / "bare_log.py"
    subprocess.run(
        ["tmux", "-L", _SOCKET, "new-session", "-d", "-s", "keeper", "sleep 3600"], check=True
    )
    try:
        desk = copy_of_desk(work / "desk.db")
        env["REGENTRA_DATABASE_URL"] = str(desk)
        cli: dict[str, list[float]] = {"pass": [], "version": [], "show": [], "list": []}
        listing = [regentra, "ticket", "list", "--json", "--status", "open"]
        for _ in range(RUNS):
            cli["pass"].append(_timed([python, "-c", "pass"], env))
            cli["version"].append(_timed([regentra, "--version"], env))
            cli["show"].append(_timed([regentra, "ticket", "show", str(LONG_TICKET)], env))
            cli["list"].append(_timed(listing, env))
        _report("python -c pass (baseline)", cli["pass"])
        _report("regentra --version", cli["version"], cli["pass"])
        _report(f"regentra ticket show {LONG_TICKET} (500 replies)", cli["show"], cli["pass"])
        _report("regentra ticket list --json --status open", cli["list"], cli["pass"])

        # The desk as a running daemon keeps it: swept once (the first sweep of a
        # copy records a badge on every ticket), then swept again and again.
        first = [_timed([regentra, "worker", "--once"], env)]
        steady = []
        for _ in range(RUNS):
            steady.append(_timed([regentra, "worker", "--once"], env))
        _report("regentra worker --once, the first on the seeded desk", first)
        _report("regentra worker --once, steady", steady, cli["pass"])

        # Before any app runs: an app's indexer may still be merging when it closes.
        scale_search.in_process(desk, _fts5_of(desk), RUNS)
        scale_search.board_load(desk, _fts5_of(desk), RUNS)
        board_counts = scale_search.open_counts(desk)

        start_app, start_bare, opens, rss_app, rss_bare = [], [], [], [], []
        for _ in range(RUNS):
            pane = _Pane(f"{python} {bare}", env)
            try:
                start_bare.append(pane.wait_for(lambda t: "bare app ready" in t))
                rss_bare.append(pane.peak_rss_mib(str(bare)))
            finally:
                pane.close()
            pane = _Pane(f"{regentra}", env)
            try:
                start_app.append(pane.wait_for(lambda t: bool(_CARD.search(t))))
                rss_app.append(pane.peak_rss_mib(regentra))
            finally:
                pane.close()
        _report("bare Textual app, launch to its line on screen (baseline)", start_bare)
        _report("regentra, launch to the first card", start_app, start_bare)
        _report("bare Textual app peak RSS (baseline)", rss_bare, unit="MiB")
        _report("regentra peak RSS with the board up", rss_app, rss_bare, unit="MiB")

        bare_table.write_text(BARE_TABLE)
        bare_log.write_text(BARE_LOG)
        pane = _Pane(f"{python} {bare}", env)
        try:
            pane.wait_for(lambda t: "bare app ready" in t)
            flips = _flips(pane)
        finally:
            pane.close()
        pane = _Pane(f"{python} {bare_table}", env)
        try:
            pane.wait_for(lambda t: "gen0000" in t)
            swaps = _table_swaps(pane)
        finally:
            pane.close()
        pane = _Pane(f"{python} {bare_log}", env)
        try:
            pane.wait_for(lambda t: "bare app ready" in t)
            logs = _log_opens(pane)
        finally:
            pane.close()
        pane = _Pane(f"{regentra}", env)
        try:
            pane.wait_for(lambda t: bool(_CARD.search(t)))
            time.sleep(2)
            for _ in range(2 * FILTER_RUNS):
                pane.keys(":")
                time.sleep(0.3)
                pane.start = time.perf_counter()
                pane.keys(str(LONG_TICKET), "Enter")
                opens.append(pane.wait_for(lambda t: LONG_LAST_WORD in t))
                pane.keys("Escape")
                pane.wait_for(lambda t: bool(_CARD.search(t)) and LONG_LAST_WORD not in t)
                time.sleep(0.3)
            quick = _quick_filter_changes(pane, _BOARD_COUNT)
            board = _filter_changes(pane, _BOARD_COUNT)
            pane.keys("2")
            pane.start = time.perf_counter()
            pane.wait_for(lambda t: _count(_LIST_COUNT, t) is not None)
            time.sleep(1)
            listed = _filter_changes(pane, _LIST_COUNT)
            pane.keys("1")
            pane.wait_for(lambda t: _count(_BOARD_COUNT, t) is not None)
            time.sleep(1)
            typed = scale_search.typed_into_the_board(
                pane, board_counts, lambda t: _count(_BOARD_COUNT, t)
            )
        finally:
            pane.close()
        _percentiles("bare Textual app, key to repaint of one line", flips)
        _percentiles("bare DataTable, key to every row replaced (baseline)", swaps)
        _percentiles("priority filter change, board, quick key !", quick, swaps)
        _percentiles("priority filter change, board, checklist", board, swaps)
        _percentiles("priority filter change, list (SLA order), checklist", listed, swaps)
        _percentiles("bare app pushing a 500-line log, key to its last line (baseline)", logs)
        _percentiles(f":{LONG_TICKET} Enter to its newest reply on screen", opens, logs)
        _report(
            "a common word typed into the board's search, to the right Open count", typed, flips
        )
        if IDLE_MINUTES:
            _idle_rss(regentra, env)
        from . import mail_intake

        mail_intake.run()
    finally:
        subprocess.run(["tmux", "-L", _SOCKET, "kill-server"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
