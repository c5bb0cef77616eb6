"""The list view: a sortable ticket table that holds one page at a time.

A DataTable given 100k rows takes about 10 s to first render, so this one never
holds more than a page (100 rows): the database filters, sorts and pages, and the
table shows "1-100 of 12,345". Moving past the last row loads the next page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker

from regentra_core import SortKey, TicketFilter, TicketRow

from ..messages import OpenTicket
from ..render import (
    DONE_STYLE,
    initials,
    priority_text,
    safe,
    sla_short,
    sla_text,
    snippet_text,
    status_badge,
    styled,
)
from ..session import DeskSession, ListPage, rest_while_typing
from .load_line import LoadLine
from .motion import MOTION_BINDINGS

if TYPE_CHECKING:
    from regentra_core import Snippet

PAGE = 100

COLUMNS = [
    ("#", "number", SortKey.NUMBER),
    ("Status", "status", None),
    ("Priority", "priority", SortKey.PRIORITY),
    ("SLA", "sla", SortKey.SLA),
    ("Subject", "subject", None),
    ("Client", "client", None),
    ("Assignee", "assignee", None),
    ("Updated", "updated", SortKey.UPDATED),
]


SHORT_COLUMNS = [
    ("#", "number", SortKey.NUMBER),
    ("Status", "status", None),
    ("Pri", "priority", SortKey.PRIORITY),
    ("SLA", "sla", SortKey.SLA),
    ("Subject", "subject", None),
    ("Who", "assignee", None),
    ("Client", "client", None),
]
"""The list narrower than :data:`WIDE_LIST`: every column a stand-up reads, in short
words (``In Prog``, ``CRIT``, ``Late 3h50m``, assignee initials), the subject given
the rest; Updated is left out (the sort keeps it)."""

WIDE_LIST = 128
"""Cells from which the list shows every column in full words."""


def column_set(width: int) -> list[tuple[str, str, SortKey | None]]:
    """The list's columns for a table ``width`` cells wide (at 80 columns the full
    set hid client and assignee off the right edge)."""
    return COLUMNS if width >= WIDE_LIST else SHORT_COLUMNS


FIRST_DESCENDING = frozenset({SortKey.PRIORITY, SortKey.UPDATED, SortKey.CREATED, SortKey.NUMBER})
"""Sorts whose first press should put the top of the list first: Critical before
Low, newest before oldest. (SLA's first press is least time left, ascending.)"""


class TicketTable(DataTable[Text]):
    """Tickets matching the filter, one page at a time, sortable by column.

    | Key(s) | Description |
    | :- | :- |
    | enter | Open the ticket |
    | o | Order by the next column |
    | O | Reverse the order |

    and the motion keys of :data:`~.motion.MOTION_BINDINGS` (j/k, g/G, the page keys).

    It adds no reactives to ``DataTable``'s.
    """

    BINDINGS = [
        Binding("enter", "open", "Open", id="list.open", show=False),
        Binding("o", "cycle_sort", "Order by", id="list.sort", show=False),
        Binding("O", "reverse", "Reverse order", id="list.reverse", show=False),
        *MOTION_BINDINGS,
    ]

    @dataclass
    class Loaded(Message):
        """A page read by the loading thread, with what its search found: the UI
        thread stores it (the thread writes nothing the screen reads)."""

        generation: int
        offset: int
        page: ListPage

    @dataclass
    class PageShown(Message):
        """Tell the screen what is shown, for its status line."""

        first: int
        last: int
        total: int
        sort: SortKey
        descending: bool

    def __init__(self, session: DeskSession, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.session = session
        self.marked: set[int] = set()
        self.filter = TicketFilter()
        self.sort_key = SortKey.SLA
        self.descending = False
        self.page_offset = 0
        self.page_total = 0
        self.page_rows: list[TicketRow] = []
        self._generation = 0
        self._line = LoadLine(self._start_load)
        self._noted: str | None = None
        self.snippets: dict[int, Snippet] = {}
        """The matching snippet of each ticket the shown search found."""
        """The incomplete-search warning last shown, so each search shows it once."""

    def on_mount(self) -> None:
        self._set_columns(self.app.size.width)

    def on_resize(self) -> None:
        if column_set(self.size.width) != self._columns:
            self._set_columns(self.size.width)
            self._show_rows()

    def _set_columns(self, width: int) -> None:
        self._columns = column_set(width)
        self._client_room = 10 if width < 100 else 16
        # What the other short columns leave the subject.
        self._subject_room = max(width - 47 - self._client_room, 16)
        self.clear(columns=True)
        for label, key, _ in self._columns:
            self.add_column(label, key=key)

    _columns: list[tuple[str, str, SortKey | None]] = COLUMNS
    _subject_room = 34
    _client_room = 10
    """Characters of subject the short column set has room for."""

    def _short_cells(self, row: TicketRow) -> list[Text]:
        """A row in :data:`SHORT_COLUMNS`: what matters first, in short words."""
        done = row.status.is_done
        cells = [
            self._cells_wide(row)[0],
            status_badge(row.status, short=True),
            priority_text(row.priority, short=True),
            sla_short(row.sla, done=done),
            self._subject(row, self._subject_room),
            styled(initials(row.assignee), "bold"),
            safe(row.client, limit=self._client_room),
        ]
        if done:
            for cell in cells[1:]:
                cell.stylize(DONE_STYLE)
        return cells

    def load(self, f: TicketFilter | None = None, *, offset: int | None = None) -> None:
        if f is not None:
            self.filter = f
            self.page_offset = 0
        if offset is not None:
            self.page_offset = offset
        text = self.filter.text
        if text and text != self._searched:
            self._typed, self._typed_at = True, time.monotonic()
        self._searched = text
        self._generation += 1
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
        return self._load(
            self._generation, self.filter, self.sort_key, self.descending, self.page_offset, typed
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "list" and event.worker.is_finished:
            self._line.ended(event.worker)

    @work(thread=True, group="list", exit_on_error=False)
    def _load(
        self,
        generation: int,
        f: TicketFilter,
        sort: SortKey,
        descending: bool,
        offset: int,
        typed: float | None,
    ) -> None:
        if not rest_while_typing(typed, lambda: generation != self._generation):
            return
        page = self.session.list_page(f, sort, descending, offset, PAGE)
        self.post_message(self.Loaded(generation, offset, page))

    def on_ticket_table_loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return
        keep = self.cursor_row if self._land_on is None else self._land_on
        self._land_on = None
        page = message.page
        self.snippets = page.snippets
        rows, pinned_at = self._with_pinned(page.rows)
        if pinned_at is not None:
            keep = pinned_at
        self.page_total, self.page_rows = page.total, rows
        self.clear()
        searching = bool(self.filter.text)
        for row in rows:
            # Searching: the subject, and under it what matched (two lines a row).
            self.add_row(*self._cells(row), key=str(row.number), height=2 if searching else 1)
        if self.page_rows:
            self.move_cursor(row=min(keep, len(self.page_rows) - 1))
        note = page.note if self.filter.text else None
        if note and note != self._noted:
            self.notify(note, title="Search may be incomplete", severity="warning")
        self._noted = note
        self.post_message(
            self.PageShown(
                message.offset + 1 if self.page_rows else 0,
                message.offset + len(self.page_rows),
                page.total,
                self.sort_key,
                self.descending,
            )
        )

    def keep_shown(self, row: TicketRow) -> None:
        """Keep ``row`` under the cursor through reloads until the cursor leaves it.

        ``A`` in "Unassigned" took the ticket, the reload dropped it from the view,
        and the cursor, kept at its index, sat on the next ticket: ``A`` Enter
        opened and answered the wrong customer."""
        self._pinned = row

    _pinned: TicketRow | None = None

    def _with_pinned(self, rows: list[TicketRow]) -> tuple[list[TicketRow], int | None]:
        """The page to show, with the kept row where it was, and where that is."""
        pinned = self._pinned
        if pinned is None:
            return rows, None
        now = next((i for i, r in enumerate(rows) if r.number == pinned.number), None)
        if now is not None:  # still in the view: the cursor follows it
            self._pinned = None
            return rows, now
        was = next((i for i, r in enumerate(self.page_rows) if r.number == pinned.number), None)
        if was is None:
            self._pinned = None
            return rows, None
        return [*rows[:was], pinned, *rows[was:]], was

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        """The cursor left the kept row: it leaves the view now."""
        pinned = self._pinned
        if pinned is None or (self.selected is not None and self.selected.number == pinned.number):
            return
        self._pinned = None
        at = next((i for i, r in enumerate(self.page_rows) if r.number == pinned.number), None)
        if at is None:
            return
        self.page_rows = [r for r in self.page_rows if r.number != pinned.number]
        self.remove_row(str(pinned.number))
        if self.cursor_row > at:
            self.move_cursor(row=self.cursor_row - 1)

    def _show_rows(self) -> None:
        """The page's rows drawn again (the column set changed with the width)."""
        keep = self.cursor_row
        self.clear()
        searching = bool(self.filter.text)
        for row in self.page_rows:
            self.add_row(*self._cells(row), key=str(row.number), height=2 if searching else 1)
        if self.page_rows:
            self.move_cursor(row=min(keep, len(self.page_rows) - 1))

    def _cells(self, row: TicketRow) -> list[Text]:
        if self._columns is SHORT_COLUMNS:
            return self._short_cells(row)
        return self._cells_wide(row)

    def _cells_wide(self, row: TicketRow) -> list[Text]:
        mark = styled("● ", "bold magenta") if row.number in self.marked else Text("")
        done = row.status.is_done
        cells = [
            mark + Text(str(row.number)),
            Text("Waiting" if row.status.value.startswith("waiting") else row.status.label),
            priority_text(row.priority),
            sla_text(row.sla, compact=True, done=done),
            self._subject(row),
            safe(row.client, limit=16),
            safe(row.assignee),
            Text(row.updated_at.strftime("%d %b %H:%M")),
        ]
        if done:  # Resolved and Closed rows are muted, as on the board
            for cell in cells[1:]:
                cell.stylize("dim")
        return cells

    def _subject(self, row: TicketRow, room: int = 34) -> Text:
        """The subject; when searching, the match under it, cut so the match shows."""
        subject = safe(row.subject, limit=room)
        snippet = self.snippets.get(row.number) if self.filter.text else None
        if snippet is None:
            return subject
        text = snippet_text(snippet, lead=8)
        text.truncate(room, overflow="ellipsis")
        text.stylize("dim")
        return subject + Text("\n") + text

    @property
    def selected(self) -> TicketRow | None:
        if not self.page_rows or not 0 <= self.cursor_row < len(self.page_rows):
            return None
        return self.page_rows[self.cursor_row]

    def toggle_mark(self) -> TicketRow | None:
        row = self.selected
        if row is None:
            return None
        self.marked.symmetric_difference_update({row.number})
        # The column widens for the mark: it was as wide as the page's numbers, and
        # the mark cut the number off (``● 10`` for #1010).
        self.update_cell(str(row.number), "number", self._cells(row)[0], update_width=True)
        self.refresh_row(self.cursor_row)
        if self.cursor_row < len(self.page_rows) - 1:
            self.move_cursor(row=self.cursor_row + 1)  # space, space, space marks a run
        return row

    def action_open(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(OpenTicket(row.number))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_cycle_sort(self) -> None:
        keys = [k for _, _, k in COLUMNS if k is not None]
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.descending = self.sort_key in FIRST_DESCENDING
        self.load(offset=0)

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.load(offset=0)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = next((k for _, name, k in COLUMNS if name == event.column_key.value), None)
        if key is None:
            return
        if key == self.sort_key:
            self.descending = not self.descending
        else:
            self.sort_key, self.descending = key, key in FIRST_DESCENDING
        self.load(offset=0)

    def action_page(self, delta: int) -> None:
        offset = self.page_offset + delta * PAGE
        if 0 <= offset < max(self.page_total, 1):
            self.load(offset=offset)

    def action_cursor(self, delta: int) -> None:
        """Down or up a row, on into the next or previous page at either end."""
        if delta > 0:
            self.action_cursor_down()
        else:
            self.action_cursor_up()

    def action_cursor_to(self, index: int) -> None:
        """The first ticket of the list (0) or its last (-1), across pages."""
        if not self.page_rows:
            return
        offset = 0 if index >= 0 else max(self.page_total - 1, 0) // PAGE * PAGE
        row = 0 if index >= 0 else (self.page_total - 1) - offset
        self._land_on = row
        if offset == self.page_offset:
            self.move_cursor(row=min(row, len(self.page_rows) - 1))
            self._land_on = None
        else:
            self.load(offset=offset)

    _land_on: int | None = None
    """The row to put the cursor on when the page being loaded arrives."""

    def action_cursor_down(self) -> None:
        if self.page_rows and self.cursor_row >= len(self.page_rows) - 1:
            if self.page_offset + PAGE < self.page_total:
                self.move_cursor(row=0)
                self.load(offset=self.page_offset + PAGE)
            return
        super().action_cursor_down()
