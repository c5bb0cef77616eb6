"""One load of a view in flight at a time; what is asked meanwhile runs once after.

A board or list reload is a thread (Textual's thread workers), and a thread cannot be
stopped: an ``exclusive`` worker only drops the old one's answer. On a big desk a
load takes a second or more, and a desk that changes every second (a daemon's first
SLA sweep, a busy morning) asked for a reload every second: they piled up, six at
once, each slower for the others, and a search typed then waited a minute for its
counts. Here a load asked for while one runs is remembered, and only the newest
runs, once the one in flight has ended.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class LoadLine:
    """Starts ``start`` when asked, unless a load is in flight: then once after it."""

    def __init__(self, start: Callable[[], Any]) -> None:
        self._start = start
        self._flying: Any = None
        """The load in flight (what ``start`` returned: its worker), or None."""
        self._again = False

    def ask(self) -> None:
        if self._flying is not None:
            self._again = True
            return
        self._flying = self._start()

    def ended(self, load: Any) -> None:
        """``load`` ended (answered, failed or was superseded). The news of an earlier
        one can come after the next started: only the one in flight counts."""
        if load is not self._flying:
            return
        self._flying = None
        if self._again:
            self._again = False
            self.ask()
