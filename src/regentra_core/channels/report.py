"""What one poll of a channel (IMAP, Twilio's log) stored, for the worker's report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..desk import ReceiveResult


@dataclass
class PollReport:
    unit: str = ""
    """What was read, named in the summary (``SMS``); mail names nothing."""
    nothing: str = ""
    """The summary when nothing was read (``no new mail``); empty: ``fetched 0``."""
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def add(self, result: ReceiveResult) -> None:
        self.fetched += 1
        key = result.outcome.value
        self.outcomes[key] = self.outcomes.get(key, 0) + 1

    def summary(self) -> str:
        if not self.fetched and self.nothing:
            return self.nothing
        what = f"fetched {self.fetched}" + (f" {self.unit}" if self.unit else "")
        parts = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items()))
        return f"{what}: {parts}" if parts else what
