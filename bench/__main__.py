"""Run benchmarks: ``./dev bench`` (all) or ``./dev bench sla_badges``.

Each benchmark module has ``run(args) -> None`` that prints its results; numbers
are copied into docs/BENCHMARKS.md with the date and machine.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = [
    "sla_badges",
    "tui_board",
    "search",
    "mail_intake",
    "ticket_open",
    "automations",
    "scale",
    "postgres",
    "ai_rules_report",
]


def main(argv: list[str]) -> int:
    names = argv or BENCHMARKS
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; choose from: {', '.join(BENCHMARKS)}")
            return 2
        importlib.import_module(f"bench.{name}").run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
