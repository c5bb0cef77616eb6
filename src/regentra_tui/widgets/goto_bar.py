"""``:`` then a number, on the main screen: jump to a ticket (as taskwarrior-tui
does), in a bar in place of the status line, the board in full view above it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label

from .inline_bar import InlineBar

GOTO_WORDS = "Go to # ticket number:"
"""What the bar says it is for (the end-to-end tests wait for these words)."""
GOTO_HINT = "digits, enter opens it, esc closes"


class GotoBar(InlineBar):
    """``Go to # ticket number: 1042``; Enter opens it, Escape closes the bar.

    | Key(s) | Description |
    | :- | :- |
    | escape | Close the bar (focus goes back where it was) |

    Enter is the app's key router's (``key_routing``): it opens the ticket before
    the next key is routed, so a reply typed right after lands in that ticket.

    It has no reactives.
    """

    BINDINGS = [Binding("escape", "close", "Cancel", id="gotobar.cancel")]

    DEFAULT_CSS = """
    GotoBar { layout: horizontal; }
    GotoBar Label { width: auto; padding: 0 1; text-style: bold; }
    GotoBar Input { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Label(GOTO_WORDS)
        yield Input(
            placeholder=GOTO_HINT,
            restrict=r"[0-9]*",
            id="goto",
            compact=True,
        )

    @property
    def field(self) -> Input:
        return self.query_one("#goto", Input)

    def open(self) -> None:
        self.field.value = ""
        self.show_bar(self.field)

    def number(self) -> int | None:
        """The number typed (None when nothing is)."""
        value = self.field.value.strip()
        return int(value) if value.isdigit() else None

    def action_close(self) -> None:
        self.hide_bar()
