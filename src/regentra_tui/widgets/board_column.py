"""One board column: a virtual list of cards that draws only what is on screen.

A column may hold thousands of tickets. It knows how many there are and keeps
the pages of 24 cards (``session.BOARD_PAGE``) it has fetched; ``render_line``
draws the visible lines only and asks for a missing page in a thread worker,
showing "loading" until it arrives. So painting costs the same for 10 cards or
10,000.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from regentra_core import Status, TicketFilter, TicketRow

from ..messages import OpenTicket
from ..render import NARROW_CARD, card_lines, styled
from ..session import BOARD_PAGE

if TYPE_CHECKING:
    from .board import Board

CARD_HEIGHT = 5
"""Four lines of card and one of space."""


class BoardColumn(ScrollView, can_focus=True):
    """The cards of one status, scrolled independently of the other columns.

    | Key(s) | Description |
    | :- | :- |
    | down, j | Down |
    | up, k | Up |
    | pagedown | Page down (10 cards) |
    | pageup | Page up (10 cards) |
    | home, g | First |
    | end, G | Last |
    | enter | Open the ticket |

    | Reactive | Default | Description |
    | :- | :- | :- |
    | `cursor` | `0` | Index of the highlighted card. |
    """

    BINDINGS = [
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("pagedown", "cursor(10)", "Page down", show=False),
        Binding("pageup", "cursor(-10)", "Page up", show=False),
        Binding("home,g", "cursor_to(0)", "First", show=False),
        Binding("end,G", "cursor_to(-1)", "Last", show=False),
        Binding("enter", "open", "Open", id="board.open", show=False),
    ]

    COMPONENT_CLASSES = {"board-column--cursor", "board-column--done"}

    DEFAULT_CSS = """
    BoardColumn {
        height: 1fr;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    BoardColumn.-drop { background: $accent 25%; }
    BoardColumn > .board-column--cursor {
        background: $accent 55%;
    }
    """

    cursor: reactive[int] = reactive(0, init=False)
    """Index of the highlighted card."""

    class Loaded(Message):
        """A page of cards arrived from the database."""

        def __init__(self, generation: int, page: int, rows: list[TicketRow]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows

    def __init__(self, status: Status, board: Board, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.status = status
        self.board = board
        self.total = 0
        self.filter = TicketFilter()
        self._pages: dict[int, list[TicketRow]] = {}
        self._requested: set[int] = set()
        self._generation = 0
        self._cards: dict[tuple[int, bool, int], list[Text]] = {}
        """Each shown card's lines, made once per load rather than once per line drawn
        (a card is four lines, and the whole screen is drawn again after a dialog)."""
        self._pass: tuple[int, Style] = (0, Style())
        """The width and base style of the drawing pass under way (both are looked
        up through the CSS, which cost more than the card itself once per line)."""

    # -- data ----------------------------------------------------------------------

    def set_data(self, total: int, first_page: list[TicketRow], f: TicketFilter) -> None:
        """Replace the column's contents (after a filter change or a desk change)."""
        self._generation += 1
        self.total = total
        self.filter = f
        self._pages = {0: first_page}
        self._requested = {0}
        self._cards = {}
        self.virtual_size = Size(self.size.width, total * CARD_HEIGHT)
        if self.cursor >= total:
            self.cursor = max(total - 1, 0)
        self.refresh()

    def row_at(self, index: int) -> TicketRow | None:
        """The card at ``index``, or None while its page is loading."""
        if not 0 <= index < self.total:
            return None
        page, offset = divmod(index, BOARD_PAGE)
        rows = self._pages.get(page)
        if rows is None:
            if page not in self._requested:
                self._requested.add(page)
                self._load_page(self._generation, page)
            return None
        return rows[offset] if offset < len(rows) else None

    @property
    def selected(self) -> TicketRow | None:
        return self.row_at(self.cursor)

    @work(thread=True, group="board-pages", exit_on_error=False)
    def _load_page(self, generation: int, page: int) -> None:
        rows = self.board.session.board_page(self.filter, self.status, page)
        self.post_message(self.Loaded(generation, page, rows))

    def on_board_column_loaded(self, message: Loaded) -> None:
        if message.generation == self._generation:
            self._pages[message.page] = message.rows
            self.refresh()

    # -- drawing -------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass = (self.scrollable_content_region.width, self.rich_style)
        return super().render_lines(crop)

    def _card(self, row: TicketRow, width: int) -> list[Text]:
        """A card drawn for the column's width (narrow columns get short words)."""
        marked = row.number in self.board.marked
        key = (row.number, marked, width)
        lines = self._cards.get(key)
        if lines is None:
            # A cell of space before each line where the card has room for it.
            pad = 1 if width > NARROW_CARD else 0
            made = card_lines(row, marked=marked, width=width - pad)
            lines = [Text(" " * pad) + line for line in made]
            self._cards[key] = lines
        return lines

    def render_line(self, y: int) -> Strip:
        width, base = self._pass
        index, line = divmod(self.scroll_offset.y + y, CARD_HEIGHT)
        if index >= self.total or line == CARD_HEIGHT - 1:
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            text = styled(" loading…" if line == 0 else "", "dim")
        else:
            text = self._card(row, width)[line].copy()
            dragging = self.board.drag_from
            if dragging is not None and dragging[0] == row.number:
                text.stylize("dim italic")  # the card being dragged: where it comes from
        text.truncate(width, overflow="ellipsis", pad=True)
        if index == self.cursor and self.has_focus:
            # Only the focused column shows its card as selected: one selection on
            # screen, not one per column.
            base = base + self.get_component_rich_style("board-column--cursor")
        segments = list(text.render(self.app.console))
        return Strip(segments).adjust_cell_length(width).apply_style(base).crop(0, width)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_lines(old * CARD_HEIGHT - self.scroll_offset.y, CARD_HEIGHT)
        self.refresh_lines(new * CARD_HEIGHT - self.scroll_offset.y, CARD_HEIGHT)
        self.scroll_to_region(
            Region(0, new * CARD_HEIGHT, max(self.size.width, 1), CARD_HEIGHT), animate=False
        )

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total * CARD_HEIGHT)

    # -- keys and mouse ------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, self.cursor + delta))

    def action_cursor_to(self, index: int) -> None:
        if self.total:
            self.cursor = self.total - 1 if index < 0 else min(index, self.total - 1)

    def action_open(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(OpenTicket(row.number))

    def _index_at(self, y: int) -> int | None:
        index, _ = divmod(self.scroll_offset.y + y, CARD_HEIGHT)
        return index if index < self.total else None

    def on_click(self, event: events.Click) -> None:
        index = self._index_at(event.y)
        if index is None:
            return
        self.screen.set_focus(self)
        self.cursor = index
        if event.chain == 2:
            self.action_open()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._index_at(event.y)
        row = self.row_at(index) if index is not None else None
        self.board.drag_from = (row.number, self.status) if row else None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.board.drag_from is not None and event.button:
            self.board.drag_over(self)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        dragged = self.board.drag_from
        self.board.drag_from = None
        self.board.drag_over(None)
        if dragged is not None and dragged[1] != self.status:
            self.board.request_move(dragged[0], dragged[1], self.status)
