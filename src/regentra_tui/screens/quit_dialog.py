"""Ask before quitting while reply or note drafts are kept.

Quitting used to drop unsent drafts silently. They are on disk now, so quitting
loses nothing; the question says so and offers the other two answers a technician
may mean: throw them away as well, or stay and send them.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class QuitDialog(ModalScreen[str]):
    """Dismisses with ``quit`` (drafts kept), ``discard`` (drafts removed) or ``stay``."""

    BINDINGS = [
        Binding("y", "answer('quit')", "Quit, keep the drafts", id="quit.yes"),
        Binding("d", "answer('discard')", "Discard the drafts and quit", id="quit.discard"),
        Binding("n,escape", "answer('stay')", "Stay", id="quit.no"),
    ]

    DEFAULT_CSS = """
    QuitDialog { align: center middle; }
    QuitDialog > Vertical {
        width: 70; max-width: 100%; height: auto; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    """

    def __init__(self, numbers: list[int]) -> None:
        super().__init__()
        self.numbers = numbers

    def compose(self) -> ComposeResult:
        shown = ", ".join(f"#{n}" for n in self.numbers[:10])
        more = f" and {len(self.numbers) - 10} more" if len(self.numbers) > 10 else ""
        with Vertical():
            yield Label(
                Text(
                    f"{len(self.numbers)} draft(s) kept: {shown}{more}. Quit anyway?",
                    style="bold",
                )
            )
            yield Label(
                Text.assemble(
                    ("y", "bold"),
                    " quit, drafts stay for next time   ",
                    ("d", "bold"),
                    " discard them and quit   ",
                    ("n", "bold"),
                    " stay",
                )
            )

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
