"""How well the rule analyzer flags and triages labelled ticket texts.

``./dev bench ai_rules_report`` (or ``python -m bench.ai_rules_report``) prints precision
and recall per label on the dev part (``tests/data/ai_labelled.toml``, which the
rules were written against) and on the held-out part (``tests/data/ai_heldout.toml``,
written and labelled before the rules of #28 and not read while changing them).
``--misses`` lists what the rules get wrong on the dev part only: listing the
held-out misses would be the first step to tuning the rules to them.

The figures go in docs/BENCHMARKS.md and the README's AI section;
``tests/core/test_ai_rules_heldout.py`` holds the held-out figures to a floor.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from regentra_core.ai import rules
from regentra_core.ai.analysis import Analysis
from regentra_core.ai.conversation import Conversation, Message
from regentra_core.enums import Priority

DATA = Path(__file__).parents[1] / "tests" / "data"
DEV = DATA / "ai_labelled.toml"
HELD_OUT = DATA / "ai_heldout.toml"
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PRIORITIES = [p.value for p in (Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL)]


@dataclass(frozen=True, slots=True)
class Labelled:
    """One ticket text and what a person said the analyzer should answer."""

    subject: str
    text: str
    security: bool
    frustration: bool
    priority: str


@dataclass(frozen=True, slots=True)
class Score:
    label: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        wanted = self.tp + self.fn
        return self.tp / wanted if wanted else 1.0

    def row(self) -> str:
        return (
            f"| {self.label} | {self.precision:.2f} ({self.tp} of {self.tp + self.fp}) "
            f"| {self.recall:.2f} ({self.tp} of {self.tp + self.fn}) |"
        )


def load(path: Path) -> list[Labelled]:
    """The labelled tickets of ``path``; every field is required."""
    return [_labelled(t) for t in tomllib.loads(path.read_text(encoding="utf-8"))["ticket"]]


def _labelled(t: dict[str, Any]) -> Labelled:
    if t["priority"] not in PRIORITIES:
        raise ValueError(f"{t['subject']!r}: priority {t['priority']!r} is not a priority")
    return Labelled(t["subject"], t["text"], t["security"], t["frustration"], t["priority"])


def analyse(ticket: Labelled) -> Analysis:
    """The rules' answer for the ticket as its opening message, set Medium."""
    message = Message("customer", ticket.text, AT)
    conversation = Conversation(1001, ticket.subject, Priority.MEDIUM, None, (message,))
    return rules.analyze(conversation)


def scores(tickets: list[Labelled]) -> tuple[list[Score], float]:
    """Precision and recall for each flag and each suggested priority, and the
    share of priorities suggested exactly as labelled."""
    answers = [(t, analyse(t)) for t in tickets]
    out: list[Score] = []
    for flag in ("security", "frustration"):
        out.append(_score(flag, [(getattr(t, flag), getattr(a, flag)) for t, a in answers]))
    for value in PRIORITIES:
        pairs = [(t.priority == value, a.suggested_priority.value == value) for t, a in answers]
        out.append(_score(f"priority {value}", pairs))
    exact = sum(t.priority == a.suggested_priority.value for t, a in answers)
    return out, exact / len(answers) if answers else 1.0


def _score(label: str, pairs: list[tuple[bool, bool]]) -> Score:
    tp = sum(want and got for want, got in pairs)
    fp = sum(got and not want for want, got in pairs)
    fn = sum(want and not got for want, got in pairs)
    return Score(label, tp, fp, fn)


def table(tickets: list[Labelled]) -> str:
    found, exact = scores(tickets)
    lines = ["| label | precision | recall |", "| --- | --- | --- |"]
    lines += [s.row() for s in found]
    lines.append(f"\npriority suggested exactly as labelled: {exact:.2f} of {len(tickets)}")
    return "\n".join(lines)


def misses(tickets: list[Labelled]) -> list[str]:
    out = []
    for t in tickets:
        a = analyse(t)
        wrong = [
            f"{name} {want}->{got}"
            for name, want, got in (
                ("security", t.security, a.security),
                ("frustration", t.frustration, a.frustration),
                ("priority", t.priority, a.suggested_priority.value),
            )
            if want != got
        ]
        if wrong:
            out.append(f"- {t.subject}: {', '.join(wrong)} ({a.reason})")
    return out


def run(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    for name, path in (("dev", DEV), ("held-out", HELD_OUT)):
        tickets = load(path)
        print(f"\n## {name}: {path.name}, {len(tickets)} texts\n")
        print(table(tickets))
    if "--misses" in argv:
        print("\n## dev misses\n")
        print("\n".join(misses(load(DEV))) or "none")


if __name__ == "__main__":
    run()
