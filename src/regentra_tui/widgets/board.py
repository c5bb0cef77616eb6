"""The Kanban board: one column per status, moved through with the keyboard.

Loading happens in one thread worker per filter change (a count and the first page
per column); columns fetch further pages themselves. Moves are requested, not made
here: the screen runs them through the Desk, which may refuse them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.worker import Worker

from regentra_core import SortKey, Status, TicketFilter, TicketRow

from ..session import BOARD_DONE_FOR, BOARD_PAGE, ColumnData, DeskSession, rest_while_typing
from .board_column import BoardColumn
from .load_line import LoadLine


class ColumnHeader(Widget):
    """A column's title and count; redrawn without a layout pass when it changes.

    It binds no keys.

    | Reactive | Default | Description |
    | :- | :- | :- |
    | `label` | `""` | Title and count, e.g. "Open  12" (no layout pass when it changes). |
    """

    label: reactive[str] = reactive("", layout=False)
    """Title and count, e.g. "Open  12"."""

    DEFAULT_CSS = """
    ColumnHeader {
        height: 1;
        padding: 0 0 0 1;
        background: $panel;
        text-style: bold;
    }
    ColumnHeader.-done { color: $text-muted; text-style: none; }
    """

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(ColumnHeader.label, label)

    def render(self) -> Text:
        """The count always shows: a narrow column drops the ``7d`` of a done column,
        then the second space, then cuts the name, never the number."""
        width = self.content_region.width
        name, _, count = self.label.rpartition("  ")
        if not name or not count.replace(",", "").isdigit() or len(self.label) <= width:
            return Text(self.label, no_wrap=True, overflow="ellipsis")
        for shorter in (f"{name} {count}", f"{name.removesuffix(_RECENT)} {count}"):
            if len(shorter) <= width:
                return Text(shorter, no_wrap=True)
        name = name.removesuffix(_RECENT)
        room = max(width - len(count) - 1, 1)
        cut = name if len(name) <= room else name[: max(room - 1, 0)] + "…"
        return Text(f"{cut} {count}", no_wrap=True, overflow="ellipsis")


class Board(Horizontal):
    """Six status columns side by side.

    | Key(s) | Description |
    | :- | :- |
    | left, h | Column left |
    | right, l | Column right |
    | shift+left, H | Move the card one column left |
    | shift+right, L | Move the card one column right |
    | m | Move to… (a status menu) |
    | o | Order the working columns by SLA or by priority |

    It has no reactives: its columns hold the cursor (:class:`BoardColumn`).
    """

    BINDINGS = [
        Binding("left,h", "column(-1)", "Column left", show=False),
        Binding("right,l", "column(1)", "Column right", show=False),
        Binding("shift+left,H", "move(-1)", "Move left", id="board.move_left", show=False),
        Binding("shift+right,L", "move(1)", "Move right", id="board.move_right", show=False),
        Binding("m", "move_menu", "Move to…", id="board.move_menu", show=False),
        Binding("o", "order", "Order: SLA/priority", id="board.order", show=False),
    ]

    DEFAULT_CSS = """
    Board { height: 1fr; }
    Board > Vertical { width: 1fr; border-right: vkey $panel-lighten-1; }
    """

    @dataclass
    class MoveRequested(Message):
        """Move ticket ``number`` from ``source`` to ``target`` (the screen decides)."""

        number: int
        source: Status
        target: Status | None
        """None: ask which status."""
        follow: bool = False
        """The board keeps the card in focus where it lands (keyboard moves)."""

    @dataclass
    class Loaded(Message):
        generation: int
        columns: list[ColumnData]
        order: SortKey

    @dataclass
    class Shown(Message):
        """A load is on screen: ``total`` cards in all columns, in ``order``."""

        total: int
        order: SortKey

    def __init__(self, session: DeskSession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.marked: set[int] = set()
        self.drag_from: tuple[int, Status] | None = None
        self.filter = TicketFilter()
        self._generation = 0
        self._line = LoadLine(self._start_load)
        self.loaded_generation = 0
        """The load whose results are on screen (benchmarks wait for it)."""
        self.columns = [BoardColumn(s, self, id=f"column-{s.value}") for s in Status]
        self._last = self.columns[0]
        """The column that had focus last (where ``1`` comes back to)."""
        self._following: tuple[int, Status] | None = None
        """A card moved by key: focus follows it to its new column once it is there."""
        self._landed = False
        self._queued: list[int] = []
        """Moves typed while the last one was on its way (``LL``), made in turn."""
        self.headers = [ColumnHeader(_short(s), id=f"header-{s.value}") for s in Status]

    def compose(self) -> ComposeResult:
        for header, column in zip(self.headers, self.columns, strict=True):
            if column.status.is_done:
                header.add_class("-done")
            with Vertical():
                yield header
                yield column

    # -- data ----------------------------------------------------------------------

    def load(self, f: TicketFilter) -> None:
        """Reload every column for filter ``f`` (statuses in ``f`` are ignored here)."""
        self.filter = f
        if f.text and f.text != self._searched:
            self._typed, self._typed_at = True, time.monotonic()
        self._searched = f.text
        self._generation += 1
        order = self.session.board_order
        first = self.session.first_board(replace(f, statuses=()), order)
        if first is not None:  # read while the app started: on screen with its first frame
            self.post_message(self.Loaded(self._generation, first, order))
            return
        self._line.ask()

    _searched: str | None = None
    """The search text of the last load (a changed one waits out the typing)."""
    _typed = False
    """The search text changed since the last load started."""
    _typed_at = 0.0
    """When the search text last changed (``time.monotonic()``)."""

    def _start_load(self) -> Worker[None]:
        typed = self._typed_at if self._typed else None
        self._typed = False
        return self._load(self._generation, self.filter, typed)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "board" and event.worker.is_finished:
            self._line.ended(event.worker)

    @work(thread=True, group="board", exit_on_error=False)
    def _load(self, generation: int, f: TicketFilter, typed: float | None) -> None:
        if not rest_while_typing(typed, lambda: generation != self._generation):
            return
        order = self.session.board_order
        columns = self.session.board(replace(f, statuses=()), list(Status), order)
        self.post_message(self.Loaded(generation, columns, order))

    def on_board_loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return
        self.loaded_generation = message.generation
        for data, column, header in zip(message.columns, self.columns, self.headers, strict=True):
            column.set_data(data.total, data.rows, _column_filter(self.filter))
            header.label = _header(data.status, data.total)
        if self._following is not None and self._landed:
            self._follow(*self._following)
        self.post_message(self.Shown(sum(data.total for data in message.columns), message.order))

    def _follow(self, number: int, status: Status) -> None:
        self._following, self._landed = None, False
        column = self.columns[list(Status).index(status)]
        self.focus_column(column)
        for index in range(min(column.total, BOARD_PAGE)):
            row = column.row_at(index)
            if row is not None and row.number == number:
                column.cursor = index
                break
        if self._queued:
            self.action_move(self._queued.pop(0))

    def follow(self, number: int, status: Status, ok: bool) -> None:
        """A card moved by a picker (``m``, ``s``): focus follows it to ``status``
        once the reload shows it there, as it does after ``H``/``L``."""
        if ok and self._following is None:
            self._following = (number, status)
        self.moved(ok)

    def moved(self, ok: bool) -> None:
        """The screen's word on the last keyboard move: the reload after a move that
        happened brings the card into focus; a refused one cancels the moves queued
        behind it (they were meant for where it would have been)."""
        if ok:
            self._landed = True
            if self._following is not None and self.loaded_generation == self._generation:
                # The reload the move asked for landed before this word did (both are
                # messages; on a loaded machine either comes first): follow it now.
                self._follow(*self._following)
        else:
            self._following, self._landed = None, False
            self._queued.clear()

    # -- selection -----------------------------------------------------------------

    @property
    def current(self) -> BoardColumn:
        focused = self.screen.focused
        if isinstance(focused, BoardColumn):
            self._last = focused
        return self._last

    def focus_column(self, column: BoardColumn | None = None) -> None:
        """Focus now, not after the next refresh (``Widget.focus`` defers it): the next
        key of a burst (``lll``) must see where this one went."""
        self.screen.set_focus(column or self.current)

    @property
    def selected(self) -> TicketRow | None:
        return self.current.selected

    def focus_first(self) -> None:
        self.focus_column(self.columns[0])

    def drag_over(self, column: BoardColumn | None) -> None:
        """While a card is dragged: the column under the mouse lights up and its header
        says what a drop there does; None (the drop or its end) puts all back."""
        dragging = self.drag_from
        if (column, dragging) == self._drop_shown:
            return  # the mouse moved within the same column: nothing to redraw
        self._drop_shown = (column, dragging)
        for each, header in zip(self.columns, self.headers, strict=True):
            target = dragging is not None and each is column and each.status != dragging[1]
            each.set_class(target, "-drop")
            label = _header(each.status, each.total)
            header.label = f"⇣ drop #{dragging[0]} here" if target and dragging else label
            each.refresh()

    _drop_shown: tuple[BoardColumn | None, tuple[int, Status] | None] = (None, None)

    def toggle_mark(self) -> TicketRow | None:
        column = self.current
        row = column.selected
        if row is not None:
            self.marked.symmetric_difference_update({row.number})
            column.refresh()
            column.action_cursor(1)  # space, space, space marks a run
        return row

    # -- actions -------------------------------------------------------------------

    def action_column(self, delta: int) -> None:
        index = self.columns.index(self.current)
        self.focus_column(self.columns[max(0, min(len(self.columns) - 1, index + delta))])

    def action_move(self, delta: int) -> None:
        if self._following is not None:
            self._queued.append(delta)
            return
        column = self.current
        row = column.selected
        index = self.columns.index(column) + delta
        if row is None or not 0 <= index < len(self.columns):
            self.app.bell()
            return
        target = self.columns[index].status
        self._following = (row.number, target)
        self.post_message(self.MoveRequested(row.number, column.status, target, follow=True))

    def action_order(self) -> None:
        """Most urgent SLA first (the default, for a stand-up) or highest priority
        first; the cursor stays on the card it was on."""
        by_sla = self.session.board_order == SortKey.SLA
        self.session.board_order = SortKey.PRIORITY if by_sla else SortKey.SLA
        row = self.selected
        if row is not None:
            self._following, self._landed = (row.number, row.status), True
        self.load(self.filter)

    def action_move_menu(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(self.MoveRequested(row.number, row.status, None))

    def request_move(self, number: int, source: Status, target: Status | None) -> None:
        self.post_message(self.MoveRequested(number, source, target))


def _column_filter(f: TicketFilter) -> TicketFilter:
    return replace(f, statuses=())


def _header(status: Status, total: int) -> str:
    """A column's title: its status and how many cards it holds (the done columns
    hold this week's: ``Closed 7d``)."""
    recent = _RECENT if status.is_done else ""
    return f"{_short(status)}{recent}  {total:,}"


_RECENT = f" {BOARD_DONE_FOR.days}d"


def order_words(order: SortKey) -> str:
    """How the board is ordered, for the status line."""
    return "most urgent SLA first" if order == SortKey.SLA else "highest priority first"


def _short(status: Status) -> str:
    """Column titles must fit a sixth of the screen."""
    return "Waiting" if status == Status.WAITING_ON_CUSTOMER else status.label
