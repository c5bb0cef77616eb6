"""The motion keys every list in the app answers to, in one place.

``j``/``k`` did nothing in the AI reviews, knowledge base and automations lists,
and ``g``/``G`` worked on the board but not in the ticket list: each list had its
own copy of some of them. A list takes :data:`MOTION_BINDINGS` and implements
three actions: ``cursor(delta)``, ``cursor_to(index)`` (-1 is the last) and
``page(delta)``; :class:`MotionTable` does so for a plain table, and
:class:`MotionOptionList` for a list of options (the attachment screen's files).

| Key(s) | Description |
| :- | :- |
| down, j | Down |
| up, k | Up |
| home, g | First |
| end, G | Last |
| pagedown, ctrl+d | Page down |
| pageup, ctrl+u | Page up |
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType
from textual.widgets import DataTable, OptionList

MOTION_BINDINGS: list[BindingType] = [
    Binding("down,j", "cursor(1)", "Down", show=False),
    Binding("up,k", "cursor(-1)", "Up", show=False),
    Binding("home,g", "cursor_to(0)", "First", show=False),
    Binding("end,G", "cursor_to(-1)", "Last", show=False),
    Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False),
    Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False),
]
"""Down, up, first, last, a page down, a page up."""


class MotionTable(DataTable[Any]):
    """A row table that answers to :data:`MOTION_BINDINGS` (its keys are the
    module's table) and adds no reactives to ``DataTable``'s.
    """

    BINDINGS = MOTION_BINDINGS

    def action_cursor(self, delta: int) -> None:
        if self.row_count:
            self.move_cursor(row=max(0, min(self.row_count - 1, self.cursor_row + delta)))

    def action_cursor_to(self, index: int) -> None:
        if self.row_count:
            self.move_cursor(
                row=self.row_count - 1 if index < 0 else min(index, self.row_count - 1)
            )

    def action_page(self, delta: int) -> None:
        self.action_cursor(delta * max(self.size.height - 2, 1))


class MotionOptionList(OptionList):
    """An option list that answers to :data:`MOTION_BINDINGS` (an OptionList alone
    knows the arrows, home and end: ``j`` did nothing in the attachment screen).

    Its keys are :data:`MOTION_BINDINGS` (the module's table); it adds no
    reactives to ``OptionList``'s.
    """

    BINDINGS = MOTION_BINDINGS

    def action_cursor(self, delta: int) -> None:
        if self.option_count:
            now = self.highlighted if self.highlighted is not None else 0
            self.highlighted = max(0, min(self.option_count - 1, now + delta))

    def action_cursor_to(self, index: int) -> None:
        if self.option_count:
            self.highlighted = (
                self.option_count - 1 if index < 0 else min(index, self.option_count - 1)
            )

    def action_page(self, delta: int) -> None:
        self.action_cursor(delta * max(self.size.height - 2, 1))
