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

    async def on_key(self, event: events.Key) -> None:
        assert isinstance(self, Screen)
        if self.focused is not None:
            return
        field = self.first_field()
        self.set_focus(field)
        event.stop()
        event.prevent_default()
        # A key the field binds (arrows, home, end in a text area) acts through the
        # binding, now that the field has focus; any other key is text for it.
        from ..key_routing import run_binding

        if not await run_binding(self.app, event.key):
            field.post_message(events.Key(event.key, event.character))


class HoldsKeys:
    """Mixin for a screen that must load before its keys mean anything (a ticket).

    Keys typed while it loads are held, in order, and played once it has loaded
    (``:1042⏎r`` and a reply typed in one go: the reply lands in the composer of
    #1042, not nowhere). Keys that leave the screen act at once: a load that never
    finishes must not trap anyone. The app routes every key through :meth:`holds`.
    Escape leaves at once whatever is held; ``q``, ``1`` and ``2`` only while
    nothing is: after a held key they are typed for what it opens (``t`` then
    ``10`` is ten minutes in the log-time dialog, not ``1``, the board).
    """

    LEAVE_KEYS: ClassVar[frozenset[str]] = frozenset({"escape", "q", "1", "2"})
    """Keys that leave the screen (escape always; the others while nothing is held)."""

    held: list[events.Key]
    replaying: bool = False

    @property
    def loaded(self) -> bool:
        raise NotImplementedError

    def holds(self, event: events.Key) -> bool:
        """Whether to keep ``event`` for later (and keep it)."""
        if self.loaded or self.replaying:
            return False  # (a held key being played is not held again)
        if event.key in self.LEAVE_KEYS and (event.key == "escape" or not self.held):
            return False
        assert isinstance(self, Screen)
        if not self.held:
            self.notify("Still loading: what you type is kept for when it is shown", timeout=2)
        self.held.append(event)
        return True

    async def play_held(self) -> None:
        """Once loaded: every held key, in order, as if typed now (keys that arrive
        meanwhile join the end of the queue).

        They go to the front of the app's queue (:class:`KeyHold`), so a held key
        that opens a dialog and one that closes it hold the rest as typed keys do."""
        assert isinstance(self, Screen)
        from ..app import RegentraApp

        app = self.app
        assert isinstance(app, RegentraApp)
        self.replaying = True
        try:
            app.key_hold.hold_first(self.held)
            self.held = []
            await app.key_hold.play()
        finally:
            self.replaying = False
            self.refresh_bindings()


class HoldsKeysUntilShown(HoldsKeys):
    """A list screen whose rows being shown is its having loaded (clients, contacts,
    rules): keys typed before are held, and played once :meth:`shown` is called."""

    _shown: bool = False

    @property
    def loaded(self) -> bool:
        return self._shown

    def shown(self) -> None:
        """The rows are on screen: play what was typed meanwhile (the first time)."""
        if self._shown:
            return
        self._shown = True
        assert isinstance(self, Screen)
        self.call_later(self.play_held)
