"""``:`` then a number over a ticket or another screen: jump to a ticket, as
taskwarrior-tui does (on the board and list it is :class:`~..widgets.goto_bar.GotoBar`,
in the same words)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ..widgets.goto_bar import GOTO_HINT, GOTO_WORDS
from .type_ahead import TypeAhead


class GotoPrompt(TypeAhead, ModalScreen[None]):
    """A one-line prompt at the bottom of the screen."""

    FIRST_FIELD = "#goto"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="goto.cancel")]

    DEFAULT_CSS = """
    GotoPrompt { align: left bottom; background: transparent; }
    GotoPrompt Horizontal { dock: bottom; width: 100%; height: 1; background: $accent 30%; }
    GotoPrompt Label { width: auto; padding: 0 1; text-style: bold; }
    GotoPrompt Input { width: 1fr; border: none; height: 1; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(GOTO_WORDS)
            yield Input(placeholder=GOTO_HINT, restrict=r"[0-9]*", id="goto", compact=True)

    def on_mount(self) -> None:
        self.focus_first_field()

    def number(self) -> int | None:
        """The number typed. Enter is the app's to handle (it opens the ticket before
        the next key is routed, so a reply typed right after lands in the ticket)."""
        value = self.query_one(Input).value.strip()
        return int(value) if value.isdigit() else None

    def action_cancel(self) -> None:
        self.dismiss(None)
