"""The bottom status line: who you are, which desk, what is shown, last refresh."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ..render import styled


def _width(pieces: list[tuple[int, Text]]) -> int:
    return sum(piece.cell_len for _, piece in pieces) + 5 * (len(pieces) - 1)


class StatusLine(Static):
    """One line of facts a technician glances at.

    It binds no keys.

    | Reactive | Default | Description |
    | :- | :- | :- |
    | `shown` | `""` | What the current view shows, e.g. "1-100 of 1,234". |
    | `refreshed` | `""` | When the data was last reloaded (UTC). |
    | `marked` | `0` | How many tickets are marked for a bulk action. |
    | `worker` | `""` | Who runs the jobs: the lease's holder and its last heartbeat. |
    """

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
        """The facts in their order; on a narrow terminal the least needed go first
        (the refresh time, then the desk's name), so who runs the jobs stays in view
        at 80 columns."""
        pieces: list[tuple[int, Text]] = [(0, styled(self.who, "bold")), (2, Text(self.desk))]
        if self.shown:
            pieces.append((1, Text(self.shown)))
        if self.marked:
            pieces.append((0, styled(f"{self.marked} marked", "bold magenta")))
        if self.refreshed:
            pieces.append((3, Text(f"updated {self.refreshed}")))
        if self.worker:
            alarming = any(w in self.worker for w in ("none running", "not sent", "clock"))
            pieces.append((0, styled(self.worker, "red" if alarming else "dim")))
        room = self.content_size.width
        while room and len(pieces) > 1 and _width(pieces) > room:
            least = max(rank for rank, _ in pieces)
            if least == 0:
                break
            pieces = [p for p in pieces if p[0] != least]
        self.update(Text("  ·  ").join(piece for _, piece in pieces))

    def on_resize(self) -> None:
        self._redraw()

    def watch_shown(self) -> None:
        self._redraw()

    def watch_refreshed(self) -> None:
        self._redraw()

    def watch_marked(self) -> None:
        self._redraw()

    def watch_worker(self) -> None:
        self._redraw()
