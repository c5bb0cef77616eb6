"""Log time: minutes, billable or not, and what it was for."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from regentra_core.errors import RegentraError

from ..render import styled


class TimePrompt(ModalScreen[bool]):
    """Minutes (required), billable (default yes) and a note."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="time.save"),
        Binding("escape", "cancel", "Cancel", id="time.cancel"),
    ]

    DEFAULT_CSS = """
    TimePrompt { align: center middle; }
    TimePrompt > Vertical {
        width: 60; height: auto; border: thick $accent; background: $surface; padding: 1 2;
    }
    TimePrompt .error { color: $error; height: auto; }
    TimePrompt Horizontal { height: auto; align-horizontal: right; }
    """

    def __init__(self, number: int, submit: Callable[[int, bool, str], object]) -> None:
        super().__init__()
        self.number = number
        self.submit = submit

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(styled(f"Log time on #{self.number}", "bold"))
            yield Input(placeholder="minutes, e.g. 25", id="minutes", restrict=r"[0-9]*")
            yield Checkbox("Billable", True, id="billable")
            yield Input(placeholder="what was done (optional)", id="note")
            yield Static("", classes="error", id="error")
            with Horizontal():
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#minutes", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        raw = self.query_one("#minutes", Input).value.strip()
        if not raw.isdigit():
            self.query_one("#error", Static).update("Enter the minutes worked, e.g. 25")
            return
        self._save(
            int(raw),
            self.query_one("#billable", Checkbox).value,
            self.query_one("#note", Input).value,
        )

    def action_cancel(self) -> None:
        self.dismiss(False)

    @work(thread=True, exclusive=True, group="time-save", exit_on_error=False)
    def _save(self, minutes: int, billable: bool, note: str) -> None:
        try:
            self.submit(minutes, billable, note)
        except RegentraError as exc:
            self.app.call_from_thread(self.query_one("#error", Static).update, Text(str(exc)))
        else:
            self.app.call_from_thread(self.dismiss, True)
