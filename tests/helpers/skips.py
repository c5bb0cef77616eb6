"""Which suites a test run left out, and why: said at the end of every run.

A local run skips the Dovecot, tmux, Chromium, root-only and PostgreSQL tests when
the tool or the right they need is missing, and a plain ``pytest`` runs neither
the slow tests nor the PostgreSQL pass. CI installs every tool (``.ci/run``) and
runs all three passes, so a green local run that left suites out is not CI's
green. ``tests/conftest.py``'s ``pytest_terminal_summary`` calls :func:`report_run`,
which prints the skip reasons grouped, with what they left out.

``./dev test`` runs pytest three times (SQLite, PostgreSQL, slow); a test skipped in
one pass may run in another. It sets ``REGENTRA_SKIP_LOG`` to a file each run
appends to (:func:`log_run`); ``python -m tests.helpers.skips FILE`` then prints
what no pass ran (:func:`never_ran`).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SKIP_LOG = "REGENTRA_SKIP_LOG"
"""The environment variable naming ``./dev test``'s log of its runs."""

HEADING = "left out of this run (CI runs them all)"
DEV_HEADING = "what none of its passes ran (CI runs them all)"


@dataclass(frozen=True)
class Skipped:
    """A test, or a whole module (skipped as it was collected), and why."""

    where: str
    """Its node id: ``tests/e2e/test_tmux.py`` or ``tests/core/test_x.py::test_y``."""
    reason: str


def skipped_in(stats: dict[str, list[Any]]) -> list[Skipped]:
    """The skips among a terminal reporter's ``stats`` (tests and modules alike)."""
    found = []
    for report in stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)
        found.append(Skipped(report.nodeid, reason.removeprefix("Skipped: ")))
    return found


def ran_in(stats: dict[str, list[Any]]) -> set[str]:
    """The node ids of the tests that ran (whatever their outcome)."""
    kinds = ("passed", "failed", "error", "xfailed", "xpassed")
    return {r.nodeid for kind in kinds for r in stats.get(kind, []) if getattr(r, "nodeid", "")}


def never_ran(skipped: Iterable[Skipped], ran: set[str]) -> dict[str, list[str]]:
    """Reason -> the node ids skipped for it that no run ran, in order, once each.

    A module skipped whole in one run counts as run if any of its tests ran in
    another (the slow pass runs the end-to-end modules the first pass skipped)."""
    groups: dict[str, list[str]] = {}
    for skip in skipped:
        if skip.where in ran or any(r.startswith(skip.where + "::") for r in ran):
            continue
        where = groups.setdefault(skip.reason, [])
        if skip.where not in where:
            where.append(skip.where)
    return groups


def describe(groups: dict[str, list[str]], not_run: Iterable[str] = ()) -> list[str]:
    """The lines to print: one per reason (what it left out), then ``not_run``."""
    lines = []
    for reason, where in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
        modules = sorted({w.split("::")[0] for w in where})
        whole = sum("::" not in w for w in where)
        tests = len(where) - whole
        counts = [_count(whole, "module"), _count(tests, "test")]
        shown = " and ".join(c for c in counts if c)
        lines.append(f"{reason}: {shown} ({', '.join(modules)})")
    lines.extend(not_run)
    return lines


def _count(n: int, word: str) -> str:
    return "" if not n else f"{n} {word}" + ("" if n == 1 else "s")


def report_run(terminalreporter: Any, config: Any, *, postgres: bool) -> None:
    """Print (and, under ``./dev test``, log) what this run left out."""
    if hasattr(config, "workerinput"):
        return  # an xdist worker: its controller reports the run
    stats = terminalreporter.stats
    skipped = skipped_in(stats)
    log = os.environ.get(SKIP_LOG)
    not_run = []
    if log:
        log_run(Path(log), skipped, ran_in(stats))  # ./dev test runs the other passes
    else:
        slow = [i for i in stats.get("deselected", []) if _marked(i, "slow")]
        if slow:
            not_run.append(
                f"not selected: {_count(len(slow), 'slow test')} (pytest -m slow runs them)"
            )
        if not postgres:
            not_run.append(
                "not run: the PostgreSQL pass (REGENTRA_TEST_POSTGRES unset; ./dev test runs it)"
            )
    lines = describe(never_ran(skipped, set()), not_run)
    if lines:
        terminalreporter.write_sep("=", HEADING, yellow=True)
        for line in lines:
            terminalreporter.write_line(line)


def _marked(item: Any, name: str) -> bool:
    closest = getattr(item, "get_closest_marker", None)
    return closest is not None and closest(name) is not None


def log_run(path: Path, skipped: list[Skipped], ran: set[str]) -> None:
    """Append one run's skips and the tests it ran to ``./dev test``'s log."""
    record = {"skipped": [[s.where, s.reason] for s in skipped], "ran": sorted(ran)}
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


def read_log(path: Path) -> tuple[list[Skipped], set[str]]:
    """Every run's skips, and every test any run ran."""
    skipped: list[Skipped] = []
    ran: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        skipped.extend(Skipped(where, reason) for where, reason in record["skipped"])
        ran.update(record["ran"])
    return skipped, ran


def main(argv: list[str]) -> int:
    """``python -m tests.helpers.skips FILE``: what no run of ``./dev test`` ran."""
    path = Path(argv[0])
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        return 0  # no run got as far as its summary
    lines = describe(never_ran(*read_log(path)))
    said = DEV_HEADING if lines else "every suite ran, nothing skipped"
    print(f"=== ./dev test: {said} ===")
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
