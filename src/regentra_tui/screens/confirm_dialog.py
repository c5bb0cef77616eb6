"""Yes or no before a change that reaches beyond the one ticket on screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ..render import styled


class ConfirmDialog(ModalScreen[bool]):
    """``y`` does it, ``n`` or Esc does not; no other key answers, so a key typed
    ahead of the dialog cannot say yes by accident."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical {
        width: 70; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmDialog #detail { margin: 1 0 0 0; height: auto; max-height: 12; }
    ConfirmDialog Label { width: 100%; }  /* a long question wraps, never cut */
    """

    def __init__(self, question: str, detail: Text | str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(styled(self.question, "bold"))
            if self.detail:
                yield Static(self.detail, id="detail")
            yield Static(styled("y  yes    n / esc  no", "dim"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
