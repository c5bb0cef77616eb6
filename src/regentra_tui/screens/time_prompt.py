"""Log time (minutes, billable or not, and what it was for), or correct an entry:
the same form, filled in with what the entry says."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Static

from regentra_core import (
    DURATION_EXAMPLES,
    RegentraError,
    TimeRow,
    ValidationError,
    format_minutes,
    parse_minutes,
)

from ..render import minutes, styled
from .form_dialog import FormDialog


class BillableBox(Checkbox):
    """A checkbox whose two states look different: a tick and "billed to the client",
    or an empty box and "NOT billed" (Textual's draws the same X in both)."""

    def __init__(self, value: bool, *, id: str) -> None:  # noqa: A002 - Textual's name
        super().__init__(self._text(value), value, id=id)
        self.BUTTON_INNER = "✓" if value else " "

    @staticmethod
    def _text(value: bool) -> str:
        return "Billable: billed to the client" if value else "Not billable: NOT billed"

    def watch_value(self) -> None:
        super().watch_value()
        self.BUTTON_INNER = "✓" if self.value else " "
        self.label = self._text(self.value)
        self.set_class(not self.value, "-off")


class TimePrompt(FormDialog, ModalScreen[bool]):
    """Time worked as people type it (required), billable (default yes) and a note."""

    FIRST_FIELD = "#minutes"

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
    TimePrompt #parsed { height: 1; margin: 0 0 0 1; color: $success; }
    TimePrompt #parsed.-bad { color: $error; }
    TimePrompt BillableBox.-off { color: $warning; }
    TimePrompt Horizontal { height: auto; align-horizontal: right; }
    TimePrompt Label { width: 100%; }  /* a long title wraps, never cut */
    """

    def __init__(
        self,
        number: int,
        submit: Callable[[int, bool, str], object],
        *,
        entry: TimeRow | None = None,
    ) -> None:
        super().__init__()
        self.number = number
        self.submit = submit
        self.entry = entry
        """The entry being corrected (the form starts with what it says), or None."""

    def compose(self) -> ComposeResult:
        entry = self.entry
        title = (
            f"Log time on #{self.number}"
            if entry is None
            else f"Edit time entry {entry.entry_id} on #{self.number} ({entry.technician})"
        )
        with Vertical():
            yield Label(styled(title, "bold"))
            yield Input(
                format_minutes(entry.minutes) if entry else "",
                placeholder="time worked: 25, 1h30, 1:30, 1.5h",
                id="minutes",
            )
            yield Static("", id="parsed")
            yield BillableBox(entry.billable if entry else True, id="billable")
            yield Input(
                entry.note if entry else "", placeholder="what was done (optional)", id="note"
            )
            yield from self.form_end("error")

    def on_mount(self) -> None:
        """Correcting an entry: its time is selected, so what is typed replaces it."""
        super().on_mount()
        if self.entry is not None:
            self.query_one("#minutes", Input).select_all()

    def on_input_submitted(self) -> None:
        self.action_save()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Say what the box will log as it is typed, and clear a stale error."""
        if event.input.id != "minutes":
            return
        self.query_one("#error", Static).update("")
        parsed = self.query_one("#parsed", Static)
        if not event.value.strip():
            parsed.update("")
            return
        try:
            total = parse_minutes(event.value)
        except ValidationError:
            parsed.update(f"? type e.g. {DURATION_EXAMPLES}")
            parsed.add_class("-bad")
            return
        parsed.update(f"= {minutes(total)}")
        parsed.set_class(total <= 0, "-bad")

    def save_form(self) -> None:
        raw = self.query_one("#minutes", Input).value
        try:
            total = parse_minutes(raw)
        except ValidationError as exc:
            self.query_one("#error", Static).update(Text(str(exc)))
            return
        self._save(
            total,
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
