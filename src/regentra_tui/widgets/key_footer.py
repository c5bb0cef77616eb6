"""The key line at the bottom of every screen: one widget drawing one line.

Textual's ``Footer`` is a container of a widget per key (26 on a ticket's screen,
60% of its widgets), each with its own CSS, mounted when the screen opens and all
removed and mounted again whenever the screen's bindings are refreshed, which is
on every focus move: a profile of ten checklist applies spent 1.3 of 17 s
rebuilding it, and opening the 500-reply ticket paid its mounting and styling each
time. This footer draws the same line (key, label, the command palette's key at
the right edge after a bar) from ``screen.active_bindings`` and redraws only when
what it shows changed. A click on a key presses it, as Textual's footer does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen

PALETTE_BAR = "▏"
_GREYED = Style(dim=True)
"""A key whose action is off just now (a ticket still loading)."""


@dataclass(frozen=True, slots=True)
class ShownKey:
    """One key on the line: what is pressed, what it is shown as and does."""

    key: str
    display: str
    description: str
    enabled: bool


def shown_keys(screen: Screen[object]) -> tuple[ShownKey, ...]:
    """The keys a footer shows for ``screen`` now: each binding marked ``show``, the
    first of the bindings that share an action (``space,v`` Mark shows once), in
    the order Textual's footer shows them."""
    app = screen.app
    seen: set[str] = set()
    keys = []
    for _, binding, enabled, _tooltip in screen.active_bindings.values():
        if not binding.show or binding.action in seen:
            continue
        seen.add(binding.action)
        keys.append(
            ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled)
        )
    return tuple(keys)


def palette_key(screen: Screen[object]) -> ShownKey | None:
    """The command palette's key, shown at the right edge when the screen has it."""
    app = screen.app
    if not app.ENABLE_COMMAND_PALETTE:
        return None
    found = screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
    if found is None:
        return None
    _, binding, enabled, _tooltip = found
    return ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled)


class KeyFooter(Widget, can_focus=False):
    """The screen's keys as one line; the command palette's at the right edge.

    It binds no keys and has no reactives.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $panel;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.keys: tuple[ShownKey, ...] = ()
        """The keys on the line, left to right (the palette's apart)."""
        self.palette: ShownKey | None = None
        self._spans: list[tuple[int, int, ShownKey]] = []
        """Where each key was drawn (first cell, cell after), for clicks."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        keys, palette = shown_keys(screen), palette_key(screen)
        if (keys, palette) != (self.keys, self.palette):
            self.keys, self.palette = keys, palette
            self.refresh()

    @property
    def text(self) -> str:
        """The line as drawn at the widget's width (what a test reads)."""
        return self.render().plain

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        label_style = self.get_component_rich_style("key-footer--description")
        width = self.size.width or 10_000
        right = Text()
        if self.palette is not None:
            right = Text.assemble(
                (PALETTE_BAR, "dim"),
                (self.palette.display, key_style),
                " ",
                (self.palette.description, label_style),
            )
        room = max(0, width - right.cell_len)
        line = Text(no_wrap=True, overflow="crop")
        spans: list[tuple[int, int, ShownKey]] = []
        for key in self.keys:
            start = line.cell_len
            if start >= room:
                break
            greyed = Style() if key.enabled else _GREYED
            line.append(key.display, key_style + greyed)
            if key.description:
                line.append(" ")
                line.append(key.description, label_style + greyed)
            spans.append((start, min(line.cell_len, room), key))
            line.append(" ")
        line.truncate(room, overflow="crop", pad=True)
        if self.palette is not None:
            spans.append((room, width, self.palette))
        self._spans = spans
        return Text.assemble(line, right, no_wrap=True, overflow="crop")

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                if key.enabled:
                    self.app.simulate_key(key.key)
                else:
                    self.app.bell()
                return


__all__ = ["KeyFooter", "ShownKey", "palette_key", "shown_keys"]
