"""``:`` then a number: jump to a ticket, as taskwarrior-tui does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

from .type_ahead import TypeAhead


class GotoPrompt(TypeAhead, ModalScreen[None]):
    """A one-line prompt at the bottom of the screen."""

    FIRST_FIELD = "#goto"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="goto.cancel")]

    DEFAULT_CSS = """
    GotoPrompt { align: left bottom; background: transparent; }
    GotoPrompt Input { dock: bottom; width: 100%; border: none; height: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Input(placeholder=":ticket number", restrict=r"[0-9]*", id="goto", compact=True)

    def on_mount(self) -> None:
        self.focus_first_field()

    def number(self) -> int | None:
        """The number typed. Enter is the app's to handle (it opens the ticket before
        the next key is routed, so a reply typed right after lands in the ticket)."""
        value = self.query_one(Input).value.strip()
        return int(value) if value.isdigit() else None

    def action_cancel(self) -> None:
        self.dismiss(None)
