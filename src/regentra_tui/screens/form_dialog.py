"""What every modal form shares: an error line, Save and Cancel, and their buttons."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Static

from .type_ahead import TypeAhead


class FormDialog(TypeAhead):
    """Mixin for a modal form screen with ``action_save`` and ``action_cancel``.

    The first field has the keys from the start (``TypeAhead``); a refusal goes in
    the error line with everything typed kept.
    """

    def form_end(self, error_id: str) -> ComposeResult:
        """The error line (``#error_id``) and the Save / Cancel buttons."""
        yield Static("", classes="error", id=error_id)
        with Horizontal():
            yield Button("Save (ctrl+s)", variant="primary", id="save")
            yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.focus_first_field()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def action_save(self) -> None:
        """ctrl+s or Save: once the form is there (a ctrl+s typed while it still
        mounts, in one go with what was typed, must save that, not fail)."""
        assert isinstance(self, Screen)
        if not self.is_mounted or not self.query(self.FIRST_FIELD):
            self.call_after_refresh(self.action_save)
            return
        self.save_form()

    def save_form(self) -> None:
        """Read the fields and save (the form is there)."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        raise NotImplementedError
