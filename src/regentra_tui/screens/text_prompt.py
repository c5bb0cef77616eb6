"""A dialog that asks for text (a reply, a note) and keeps it until it is saved.

The save runs in a worker; if the Desk refuses (a stale version, an empty body),
the dialog stays open with the text intact and says why, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from regentra_core import ConflictError, RegentraError

from ..render import styled, text_kept
from .type_ahead import TypeAhead


class TextPrompt(TypeAhead, ModalScreen[bool]):
    """Text entry (multi-line, or one line where Enter saves); ctrl+s saves, escape
    cancels."""

    FIRST_FIELD = "#body"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="prompt.save"),
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    TextPrompt > Vertical {
        width: 80%; max-width: 100; height: auto; max-height: 80%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    TextPrompt TextArea { height: 10; }
    TextPrompt .error { color: $error; height: auto; }
    TextPrompt Horizontal { height: auto; align-horizontal: right; }
    TextPrompt Label { width: 100%; }  /* a long title wraps, never cut */
    """

    def __init__(
        self,
        title: str,
        submit: Callable[[str], object],
        *,
        initial: str = "",
        on_conflict: Callable[[], None] | None = None,
        single_line: bool = False,
        verb: str = "Save",
    ) -> None:
        super().__init__()
        self.verb = verb
        """What the primary button says it does ("Attach", "Run"): a prompt that
        attaches a file or runs a command is not saving anything."""
        self.title_text = title
        self.submit = submit
        self.initial = initial
        self.on_conflict = on_conflict
        self.single_line = single_line
        """A name, not a message: one line, and Enter saves."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(styled(self.title_text, "bold"))
            if self.single_line:
                yield Input(self.initial, id="body")
            else:
                yield TextArea(self.initial, id="body")
            yield Static("", classes="error", id="error")
            with Horizontal():
                yield Button(f"{self.verb} (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.focus_first_field()

    @property
    def text(self) -> str:
        if self.single_line:
            return self.query_one("#body", Input).value
        return self.query_one("#body", TextArea).text

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        self._save(self.text)

    def action_cancel(self) -> None:
        self.dismiss(False)

    @work(thread=True, exclusive=True, group="prompt-save", exit_on_error=False)
    def _save(self, text: str) -> None:
        try:
            self.submit(text)
        except ConflictError as exc:
            self.app.call_from_thread(self._failed, str(exc), True)
        except RegentraError as exc:
            self.app.call_from_thread(self._failed, str(exc), False)
        else:
            self.app.call_from_thread(self.dismiss, True)

    def _failed(self, message: str, conflict: bool) -> None:
        if conflict:
            message = text_kept(message, "save again to send it")
        self.query_one("#error", Static).update(Text(message))
        if conflict and self.on_conflict is not None:
            self.on_conflict()
