"""What the main screen's one-line bars share: open over the status line, close
back to where the focus was.

A dialog screen over the board made Textual redraw the whole board dimmed behind
it, twice (as it opened and as it closed): on a big desk most of a filter
change's time. A bar takes the status line's row while it is open, so the board
keeps its size and is not drawn again for it; only the bar's line changes.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget

from .status_line import StatusLine


class InlineBar(Widget):
    """Hidden until :meth:`show_bar`; :meth:`hide_bar` puts the focus back.

    It binds no keys (the bars built on it do) and has no reactives.
    """

    DEFAULT_CSS = """
    InlineBar { height: 1; display: none; background: $accent 30%; }
    """

    _came_from: Widget | None = None
    """What had the focus when the bar opened."""

    def show_bar(self, focus: Widget) -> None:
        """Take the status line's row and focus ``focus`` at once (not after the next
        refresh: keys typed right after the one that opened the bar go to it)."""
        screen = self.screen
        if not self.display:
            self._came_from = screen.focused
        for line in screen.query(StatusLine):
            line.display = False
        for other in screen.query(InlineBar):
            if other is not self:
                other.display = False
        self.display = True
        screen.set_focus(focus)

    def hide_bar(self) -> None:
        """Give the row back to the status line and the focus to where it was."""
        screen = self.screen
        self.display = False
        for line in screen.query(StatusLine):
            line.display = True
        came_from, self._came_from = self._came_from, None
        if came_from is not None and came_from.is_attached and came_from.focusable:
            screen.set_focus(came_from)
        else:
            screen.set_focus(None)
            screen.focus_next()

    def on_blur(self, _: events.Blur) -> None:
        self.call_after_refresh(self._focus_left)

    def on_descendant_blur(self, _: events.DescendantBlur) -> None:
        self.call_after_refresh(self._focus_left)

    def _focus_left(self) -> None:
        """The focus went elsewhere on the screen (a click on the board): the bar
        closes, as Escape would, without taking the focus back."""
        screen = self.screen
        if not self.display or screen is not self.app.screen:
            return  # closed already, or a screen over this one has the focus
        focused = screen.focused
        if focused is None or focused is self or self in focused.ancestors:
            return
        self._came_from = None
        self.display = False
        for line in screen.query(StatusLine):
            line.display = True

    @property
    def is_open(self) -> bool:
        return self.display
