"""The bottom status line: who you are, which desk, what is shown, last refresh."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ..render import styled


class StatusLine(Static):
    """One line of facts a technician glances at."""

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    shown: reactive[str] = reactive("", init=False)
    """What the current view shows, e.g. "1-100 of 1,234"."""
    refreshed: reactive[str] = reactive("", init=False)
    """When the data was last reloaded (UTC)."""
    marked: reactive[int] = reactive(0, init=False)
    """How many tickets are marked for a bulk action."""
    worker: reactive[str] = reactive("", init=False)
    """Worker health: who holds the lease, its last heartbeat and result."""

    def __init__(self, who: str, desk: str) -> None:
        super().__init__()
        self.who = who
        self.desk = desk

    def on_mount(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        text = styled(self.who, "bold") + Text(f"  ·  {self.desk}")
        if self.shown:
            text += Text(f"  ·  {self.shown}")
        if self.marked:
            text += styled(f"  ·  {self.marked} marked", "bold magenta")
        if self.refreshed:
            text += Text(f"  ·  updated {self.refreshed}")
        if self.worker:
            alarming = "none running" in self.worker or "no worker daemon" in self.worker
            style = "red" if alarming else "dim"
            text += styled(f"  ·  {self.worker}", style)
        self.update(text)

    def watch_shown(self) -> None:
        self._redraw()

    def watch_refreshed(self) -> None:
        self._redraw()

    def watch_marked(self) -> None:
        self._redraw()

    def watch_worker(self) -> None:
        self._redraw()
