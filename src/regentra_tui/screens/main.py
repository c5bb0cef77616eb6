"""The main screen: view tabs, the filter bar, the board or the list, the status line."""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, DataTable, Static, Tab, Tabs

from regentra_core import (
    OPEN_STATUSES,
    Priority,
    SortKey,
    TicketFilter,
    TicketRow,
    View,
    bulk_moves,
)

from ..messages import DeskChanged, FilterChanged, OpenTicket
from ..quick_filters import Quick
from ..widgets.board import Board, order_words
from ..widgets.filter_bar import FilterBar
from ..widgets.goto_bar import GotoBar
from ..widgets.key_footer import KeyFooter
from ..widgets.pick_bar import PickBar
from ..widgets.preview import Preview
from ..widgets.status_line import StatusLine
from ..widgets.ticket_table import TicketTable
from .actions import TicketActions
from .choice_prompt import ChoicePrompt
from .text_prompt import TextPrompt

NO_MATCH = "No tickets match these filters: ctrl+l puts the view's own filter back."

PREVIEW_FROM = 160
"""Terminal columns from which the list shows its preview pane without asking."""


class MainScreen(TicketActions):
    """Board and list of the desk, filtered by the active view."""

    # The footer lists the focused widget's keys first and cuts what does not fit:
    # keys and quit lead here, and the table's and board's own keys stay in "?".
    BINDINGS = [
        Binding("question_mark", "app.help", "Keys", id="main.help"),
        Binding("q", "app.quit", "Quit", id="main.quit"),
        Binding("1", "show('board')", "Board", id="main.board"),
        Binding("2", "show('list')", "List", id="main.list"),
        Binding("enter", "open", "Open", show=False, id="main.open"),
        Binding("s", "status", "Status", id="main.status"),
        Binding("p", "priority", "Priority", id="main.priority"),
        Binding("a", "assign", "Assign", id="main.assign"),
        Binding("A", "assign_me", "Take", id="main.assign_me"),
        Binding("space,v", "mark", "Mark", id="main.mark"),
        Binding("x", "clear_marks", "Clear marks", show=False, id="main.clear_marks"),
        Binding("slash", "search", "Search", id="main.search"),
        Binding("ctrl+s", "save_view", "Save view", show=False, id="main.save_view"),
        Binding("right_square_bracket", "view(1)", "Next view", show=False, id="main.next_view"),
        Binding("left_square_bracket", "view(-1)", "Prev view", show=False, id="main.prev_view"),
        Binding("r", "reload", "Reload", show=False, id="main.reload"),
        Binding("escape", "leave_filters", "Back to tickets", show=False),
        Binding("P", "toggle_preview", "Preview", id="main.preview"),
        Binding("ctrl+l", "clear_filters", "Clear filters", show=False, id="main.clear_filters"),
        Binding("exclamation_mark", "quick('urgent')", "High+", show=False, id="main.urgent"),
        Binding("at", "quick('mine')", "Mine", show=False, id="main.mine"),
        Binding("u", "quick('unassigned')", "Unassigned", show=False, id="main.unassigned"),
        Binding("b", "quick('breached')", "Breached", show=False, id="main.breached"),
    ]

    DEFAULT_CSS = """
    MainScreen Tabs { height: 2; }
    MainScreen ContentSwitcher { height: 1fr; }
    MainScreen #tickets { width: 3fr; }
    MainScreen #no-match { padding: 1 2; color: $warning; text-style: bold; }
    MainScreen #no-match.-hidden { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.views: list[View] = []
        self._tab_ids = {}
        self._marked_rows: dict[int, TicketRow] = {}
        """Each marked ticket as it was shown when marked: what a bulk move offers."""

    def compose(self) -> ComposeResult:
        session = self.rapp.session
        yield Tabs(id="views")
        yield FilterBar(
            session.username,
            self.rapp.technicians,
            self.rapp.client_names,
            lambda: session.now().date(),
        )
        with ContentSwitcher(initial="board"):
            yield Board(session, id="board")
            with Vertical(id="list"):
                yield Static(NO_MATCH, id="no-match", classes="-hidden")
                with Horizontal():
                    yield TicketTable(session, id="tickets")
                    yield Preview(session, id="preview")
        # One-line bars in the status line's row while open: nothing over the board.
        yield GotoBar()
        yield PickBar()
        yield StatusLine(self.rapp.who, self.rapp.desk_name)
        yield KeyFooter()

    def on_mount(self) -> None:
        # Beside the list when there is room for both; P shows or hides it.
        self.query_one(Preview).set_class(self.app.size.width < PREVIEW_FROM, "-hidden")
        first = self.rapp.session.first_views()
        if first is not None:  # read while the app started: the first board loads now
            self._show_views(first, None)
        else:
            self.load_views()
        self.board.focus_first()

    # -- parts ---------------------------------------------------------------------

    @property
    def board(self) -> Board:
        return self.query_one(Board)

    @property
    def table(self) -> TicketTable:
        return self.query_one(TicketTable)

    @property
    def showing_board(self) -> bool:
        return self.query_one(ContentSwitcher).current == "board"

    def selected(self) -> TicketRow | None:
        return self.board.selected if self.showing_board else self.table.selected

    def marked(self) -> set[int]:
        return self.board.marked if self.showing_board else self.table.marked

    # -- views and filters ---------------------------------------------------------

    @work(thread=True, exclusive=True, group="views", exit_on_error=False)
    def load_views(self, select: str | None = None) -> None:
        views = self.rapp.session.views()
        self.app.call_from_thread(self._show_views, views, select)

    def _show_views(self, views: list[View], select: str | None) -> None:
        """Add tabs for new views and drop removed ones; existing tabs stay put.

        Tab ids are never reused (a counter), because clearing and re-adding tabs
        with the same ids leaves Textual waiting on removed widgets.
        """
        tabs = self.query_one(Tabs)
        wanted = {v.name for v in views}
        for name, tab_id in list(self._tab_ids.items()):
            if name not in wanted:
                tabs.remove_tab(tab_id)
                del self._tab_ids[name]
        for view in views:
            if view.name not in self._tab_ids:
                self._tab_counter += 1
                self._tab_ids[view.name] = f"view-{self._tab_counter}"
                tabs.add_tab(Tab(view.name, id=self._tab_ids[view.name]))
        self.views = views
        target = select if select in self._tab_ids else views[0].name
        if tabs.active != self._tab_ids[target]:
            tabs.active = self._tab_ids[target]
        # Now, not when the tab says it was activated (a message later, after a
        # repaint): that activation finds its view shown and does nothing.
        self._activate(target)

    _tab_ids: dict[str, str] = {}
    _tab_counter = 0
    _shown_tab: str | None = None
    """The tab whose view was last applied."""

    def _view_named(self, tab_id: str) -> View | None:
        name = next((n for n, i in self._tab_ids.items() if i == tab_id), None)
        return next((v for v in self.views if v.name == name), None)

    def _activate(self, name: str) -> None:
        view = next(v for v in self.views if v.name == name)
        shown = view.filter
        bar = self.query_one(FilterBar)
        if self._shown_tab is None and (typed := bar.current().text):
            # The views arrive from a thread after start-up; a search typed before
            # they came (``/vpn`` as the app opens) is kept, not wiped by the view.
            shown = replace(shown, text=typed)
        self._shown_tab = self._tab_ids[name]
        bar.set_filter(shown)
        self.apply_filter(shown)
        self._mark_modified(shown)

    def _mark_modified(self, shown: TicketFilter) -> None:
        """A view tab whose filter was changed says so (``My open *``) until the
        change is saved (ctrl+s) or the tab is chosen again."""
        tabs = self.query_one(Tabs)
        for tab in tabs.query(Tab):
            view = self._view_named(tab.id) if tab.id else None
            if view is not None:
                changed = tab is tabs.active_tab and shown != view.filter
                label = f"{view.name} *" if changed else view.name
                if tab.label_text != label:
                    # Only when it changes: a relabelled tab lays out the tab row
                    # again and moves its underline, on every filter change.
                    tab.label = label

    @on(Tabs.TabActivated)
    def _view_chosen(self, event: Tabs.TabActivated) -> None:
        if event.tab is None or event.tab.id is None or event.tab.id == self._shown_tab:
            # The first tab's activation arrives twice at start (adding it activates
            # it), and each was a board load: on a big desk, a query over every ticket.
            return
        view = self._view_named(event.tab.id)
        if view is not None:
            self._activate(view.name)

    @on(FilterChanged)
    def _filter_changed(self, event: FilterChanged) -> None:
        self.apply_filter(event.filter)
        self._mark_modified(event.filter)

    def apply_filter(self, f: TicketFilter) -> None:
        """Load the view on screen now; the hidden one loads when it is shown."""
        self.board.filter = f
        self.table.filter = f
        self._stale = {"board", "list"}
        self._load_shown(reset_list=True)

    _stale: set[str] = set()

    def _load_shown(self, *, reset_list: bool = False) -> None:
        if self.showing_board:
            self.board.load(self.board.filter)
            self._stale.discard("board")
        else:
            self.table.load(self.table.filter) if reset_list else self.table.load(
                offset=self.table.page_offset
            )
            self._stale.discard("list")

    def action_toggle_preview(self) -> None:
        preview = self.query_one(Preview)
        preview.toggle_class("-hidden")
        if not preview.has_class("-hidden"):
            preview.reload()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self.table.selected
        self.query_one(Preview).show_ticket(row.number if row is not None else None)

    def refresh_data(self) -> None:
        self._stale = {"board", "list"}
        self._load_shown()
        self.query_one(Preview).reload()
        self.query_one(StatusLine).refreshed = self.rapp.session.now().strftime("%H:%M:%S")

    def on_desk_changed(self, _: DeskChanged) -> None:
        self.refresh_data()

    @on(TicketTable.PageShown)
    def _page_shown(self, event: TicketTable.PageShown) -> None:
        no_match = NO_MATCH
        f = self.table.filter
        within = ""
        if f.text and f.statuses:
            # Search respects the status filter: say so, it is easy to forget.
            within = (
                "open"
                if set(f.statuses) == set(OPEN_STATUSES)
                else "/".join(s.label for s in f.statuses)
            )
            no_match = f"No {within} tickets match: ctrl+a in the search box searches them all"
        # the status line has room for one way out; the page names both
        in_page = f"{no_match}; ctrl+l puts the view's own filter back." if within else no_match
        self.query_one("#no-match", Static).update(in_page)
        self.query_one("#no-match").set_class(event.total > 0, "-hidden")
        if not self.showing_board:
            order = f"by {event.sort.value}{' (reversed)' if event.descending else ''}"
            shown = f"{event.first}-{event.last} of {event.total:,} {order}"
            if within:
                shown += f" · searching {within} tickets only (status filter) · ctrl+a: all"
            self.query_one(StatusLine).shown = shown if event.total else no_match

    @on(Board.Shown)
    def _board_shown(self, event: Board.Shown) -> None:
        self.rapp.first_board_shown()
        if self.showing_board:
            self._board_status = _board_words(event) if event.total else NO_MATCH
            self.query_one(StatusLine).shown = self._board_status

    _board_status = ""
    """What the status line says while the board is shown (its order)."""

    def action_board_order(self) -> None:
        """Switch the board between SLA order and priority order (``o`` there)."""
        if not self.showing_board:
            self.action_show("board")
        self.board.action_order()

    def action_clear_filters(self) -> None:
        """Back to the active view's own filter (an empty result says to press this)."""
        tabs = self.query_one(Tabs)
        view = self._view_named(tabs.active) if tabs.active else None
        if view is not None:
            self._activate(view.name)

    # -- actions -------------------------------------------------------------------

    def action_show(self, which: str) -> None:
        self.query_one(ContentSwitcher).current = which
        if which == "board":
            self.board.focus_column()
            self.query_one(StatusLine).shown = self._board_status
            if "board" in self._stale:
                self._load_shown()
        else:
            self.set_focus(self.table)
            self._load_shown(reset_list="list" in self._stale)

    def action_view(self, delta: int) -> None:
        if delta > 0:
            self.query_one(Tabs).action_next_tab()
        else:
            self.query_one(Tabs).action_previous_tab()

    def action_quick(self, quick: Quick) -> None:
        """``!`` / ``@`` / ``u`` / ``b``: one filter on or off, shown in the filter bar;
        the focus stays on the board or list, which reload in their workers."""
        self.query_one(FilterBar).toggle(quick)

    def open_goto(self) -> None:
        """``:``: the go-to bar in the status line's row, its field focused at once."""
        self.query_one(GotoBar).open()

    def action_search(self) -> None:
        self.query_one(FilterBar).focus_search()

    def action_leave_filters(self) -> None:
        if self.showing_board:
            self.board.focus_column()
        else:
            self.set_focus(self.table)

    def action_reload(self) -> None:
        self.refresh_data()

    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            self.post_message(OpenTicket(row.number))

    def action_mark(self) -> None:
        widget = self.board if self.showing_board else self.table
        row = widget.toggle_mark()
        if row is not None:
            self._marked_rows[row.number] = row
        self.query_one(StatusLine).marked = len(self.marked())

    def action_clear_marks(self) -> None:
        self.marked().clear()
        self.query_one(StatusLine).marked = 0
        self.refresh_data()

    def bulk_done(self) -> None:
        self.action_clear_marks()  # the marks did their job; the next change starts afresh

    def action_assign_me(self) -> None:
        marked = self._targets()
        if marked:
            self.bulk(marked, "assignee", self.rapp.session.username)
        elif (row := self.selected()) is not None:
            # In a list filtered to others' tickets ("Unassigned") the row taken
            # stays under the cursor until it moves: ``A`` then Enter opens it.
            self.assign_to_me(
                row, self._taken_on_board if self.showing_board else self.table.keep_shown
            )

    def _taken_on_board(self, row: TicketRow) -> None:
        """A card taken in a view of others' tickets leaves the board: say where the
        cursor went, so Enter is not pressed on the next card believing it the same."""
        wanted = self.board.filter.assignee
        if wanted and wanted != row.assignee:
            self.notify(
                f"#{row.number} is yours and has left this view; the cursor is on the next card",
                timeout=6,
            )

    def _targets(self) -> list[int]:
        return sorted(self.marked())

    def action_status(self) -> None:
        marked = self._targets()
        if marked:
            # Only statuses one of them can reach, each saying how many would move.
            shown = {} if self.showing_board else {r.number: r for r in self.table.page_rows}
            rows = [shown.get(n) or self._marked_rows.get(n) for n in marked]
            offers = bulk_moves(r.status for r in rows if r is not None)
            if not offers:
                self._refused(f"none of the {len(marked)} marked tickets can move")
                return
            self.ask_bulk(
                marked,
                "status",
                ChoicePrompt(
                    f"Move {len(marked)} marked ticket(s) to…",
                    [(o.label, o.target.value) for o in offers],
                ),
            )
        elif (row := self.selected()) is not None:
            self.ask_status(row, moved=self.board.follow if self.showing_board else None)

    def action_priority(self) -> None:
        marked = self._targets()
        if marked:
            self.ask_bulk(
                marked,
                "priority",
                ChoicePrompt(
                    f"Priority for {len(marked)} marked ticket(s)",
                    [(p.label, p.value) for p in reversed(Priority)],
                ),
            )
        elif (row := self.selected()) is not None:
            self.ask_priority(row)

    def action_assign(self) -> None:
        marked = self._targets()
        if marked:
            choices = self.assignee_choices(self.rapp.technicians)
            self.ask_bulk(
                marked,
                "assignee",
                ChoicePrompt(f"Assign {len(marked)} marked ticket(s) to…", choices),
            )
        elif (row := self.selected()) is not None:
            self.ask_assignee(row)

    def action_save_view(self) -> None:
        current = self.query_one(FilterBar).current()
        desk = self.rapp.session.desk()

        def saved(ok: bool | None) -> None:
            if ok:
                self.load_views(select=self._saved_name)

        def submit(name: str) -> None:
            self._saved_name = name.strip()
            desk.save_view(name, current)

        self.app.push_screen(
            TextPrompt("Save the current filter as a view named…", submit, single_line=True), saved
        )

    _saved_name: str | None = None

    @on(Board.MoveRequested)
    def _move_requested(self, event: Board.MoveRequested) -> None:
        row = self._find(event.number)
        if row is None:  # gone from the board since the key was pressed
            if event.follow:
                self.board.moved(False)
            return
        if event.target is None:
            self.ask_status(row, moved=self.board.follow)
        else:
            self.move(
                row,
                event.target,
                settled=lambda ok: self.board.moved(ok) if event.follow else None,
            )

    def _find(self, number: int) -> TicketRow | None:
        for column in self.board.columns:
            for index in range(column.total):
                row = column.row_at(index)
                if row is not None and row.number == number:
                    return row
                if row is None:
                    break
        return None


def _board_words(event: Board.Shown) -> str:
    """The board's order in the status line, and the key that changes it."""
    other = "priority" if event.order == SortKey.SLA else "SLA"
    return f"board: {order_words(event.order)} (o: by {other})"
