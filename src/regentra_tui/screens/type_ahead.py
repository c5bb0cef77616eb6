"""Keys typed before a prompt's first field has focus land in that field.

A technician types ``t`` and ``1h30`` in one burst. Textual focuses a new screen's
field a moment after the screen mounts; keys that arrive in between reach the
screen itself, which has no use for them, and were lost. Here the screen focuses
its first field at once and hands it each such key, in order.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.screen import Screen
from textual.widget import Widget


class TypeAhead:
    """Mixin for a prompt screen: ``FIRST_FIELD`` is the selector of its first field."""

    FIRST_FIELD: ClassVar[str]

    def first_field(self) -> Widget:
        assert isinstance(self, Screen)
        return self.query_one(self.FIRST_FIELD, Widget)

    def focus_first_field(self) -> None:
        """Focus now (not after the next refresh), so the next key goes straight in."""
        assert isinstance(self, Screen)
        self.set_focus(self.first_field())

    def on_key(self, event: events.Key) -> None:
        assert isinstance(self, Screen)
        if self.focused is not None:
            return
        field = self.first_field()
        self.set_focus(field)
        field.post_message(events.Key(event.key, event.character))
        event.stop()
        event.prevent_default()
