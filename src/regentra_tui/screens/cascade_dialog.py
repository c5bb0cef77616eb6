"""Ask whether a master's new status should also apply to its open children."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from regentra_core import Status, TicketRow

from ..render import safe


class CascadeDialog(ModalScreen[bool]):
    """Lists the open children; y applies the status to them, n leaves them."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes, cascade", id="cascade.yes"),
        Binding("n,escape", "answer(False)", "No", id="cascade.no"),
    ]

    DEFAULT_CSS = """
    CascadeDialog { align: center middle; }
    CascadeDialog > Vertical {
        width: 80; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    CascadeDialog #children { height: auto; max-height: 15; margin: 1 0; }
    CascadeDialog Horizontal { height: auto; align-horizontal: right; }
    CascadeDialog > Vertical { max-width: 100%; }
    CascadeDialog Label { width: 100%; }  /* a long question wraps, never cut */
    """

    def __init__(self, master: int, status: Status, children: list[TicketRow]) -> None:
        super().__init__()
        self.master = master
        self.status = status
        self.children_rows = children

    def compose(self) -> ComposeResult:
        todo = [c for c in self.children_rows if not c.status.is_done]
        done = [c for c in self.children_rows if c.status.is_done]
        with Vertical():
            yield Label(
                Text(
                    f"#{self.master} is now {self.status.label}. Apply {self.status.label} "
                    f"to its {len(todo)} open child ticket(s)?",
                    style="bold",
                )
            )
            lines = Text()
            for child in todo:
                lines += Text(f"  #{child.number}  {child.status.label:<20} ") + safe(
                    child.subject, limit=40
                )
                lines += Text("\n")
            for child in done:
                lines += Text(
                    f"  #{child.number}  {child.status.label:<20} left alone (already done)\n",
                    style="dim",
                )
            yield Static(lines, id="children")
            with Horizontal():
                yield Button("Yes, cascade (y)", variant="warning", id="yes")
                yield Button("No (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
