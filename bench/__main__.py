"""Run benchmarks: ``./dev bench`` (all) or ``./dev bench sla_badges``; ``--1m``
runs them on the seeded desk of 1,000,000 tickets instead of 100,000 (built once
into the cache, which takes long).

Each benchmark module has ``run(args) -> None`` that prints its results; numbers
are copied into docs/BENCHMARKS.md with the date and machine.
"""

from __future__ import annotations

import importlib
import os
import sys

BENCHMARKS = [
    "sla_badges",
    "sla_sweep",
    "tui_board",
    "search",
    "mail_intake",
    "ticket_open",
    "automations",
    "scale",
    "cli_reads",
    "postgres",
    "ai_rules_report",
]


def main(argv: list[str]) -> int:
    if "--1m" in argv:
        argv = [a for a in argv if a != "--1m"]
        os.environ["BENCH_TICKETS"] = "1000000"  # read when bench.desk is imported
    names = argv or BENCHMARKS
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; choose from: {', '.join(BENCHMARKS)}")
            return 2
        importlib.import_module(f"bench.{name}").run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
